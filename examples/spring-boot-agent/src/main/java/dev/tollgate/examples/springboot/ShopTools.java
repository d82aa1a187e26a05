package dev.tollgate.examples.springboot;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.ai.tool.annotation.Tool;
import org.springframework.ai.tool.annotation.ToolParam;

/** The shop's tools, as any Spring AI application writes them: nothing here knows of Tollgate. */
public class ShopTools {
  private final List<String> ran = new CopyOnWriteArrayList<>();

  /** The tools that ran, in order: what the example's test checks. */
  public List<String> ran() {
    return List.copyOf(ran);
  }

  @Tool(name = "orders.get", description = "Reads an order")
  public String order(@ToolParam(description = "the order id") String order) {
    ran.add("orders.get");
    return "Order " + order + " for Globex: 4120.55 EUR, paid by card ending 4242.";
  }

  @Tool(name = "refunds.issue", description = "Refunds an order")
  public String refund(
      @ToolParam(description = "the order id") String order,
      @ToolParam(description = "the amount in EUR") double amount) {
    ran.add("refunds.issue");
    return "Refunded " + amount + " EUR on " + order;
  }
}
