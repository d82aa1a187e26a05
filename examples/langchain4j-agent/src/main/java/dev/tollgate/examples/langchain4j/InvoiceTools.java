package dev.tollgate.examples.langchain4j;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import java.io.PrintStream;
import java.util.List;

/**
 * The agent's tools. Each prints a line when it really runs, so a refused call shows by silence.
 */
class InvoiceTools {
  private final PrintStream out;

  InvoiceTools(PrintStream out) {
    this.out = out;
  }

  @Tool(name = "invoices_search", value = "Searches the invoice ledger for a vendor's invoices")
  String search(@P(name = "vendor", value = "the vendor's name") String vendor) {
    out.println("  [tool ran] invoices_search " + vendor);
    return "Invoice INV-4471 for " + vendor + ": 12,400.00 EUR due 2026-12-31";
  }

  @Tool(name = "email_send", value = "Sends mail from the accounts-payable mailbox")
  String send(
      @P(name = "to", value = "recipients") List<String> to,
      @P(name = "body", value = "the mail's text") String body) {
    out.println("  [tool ran] email_send to " + String.join(", ", to));
    return "sent";
  }

  @Tool(name = "web_fetch", value = "Fetches a web page")
  String fetch(@P(name = "url", value = "the page's address") String url) {
    out.println("  [tool ran] web_fetch " + url);
    return "<html>...</html>";
  }
}
