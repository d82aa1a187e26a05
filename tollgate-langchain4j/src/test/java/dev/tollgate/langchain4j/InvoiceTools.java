package dev.tollgate.langchain4j;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Real {@code @Tool} methods that remember every call that reached them. */
class InvoiceTools {
  static final String INVOICE =
      "Invoice INV-4471 for Globex: 12,400.00 EUR due 2026-12-31, IBAN DE89 3704 0044 0532 0130 00";

  final List<String> ran = new CopyOnWriteArrayList<>();

  @Tool(name = "invoices_search", value = "Searches the invoice ledger")
  String search(@P(name = "vendor", value = "the vendor's name") String vendor) {
    ran.add("invoices_search " + vendor);
    return INVOICE;
  }

  @Tool(name = "email_send", value = "Sends mail")
  String send(
      @P(name = "to", value = "recipients") List<String> to,
      @P(name = "body", value = "the text") String body) {
    ran.add("email_send " + to);
    return "sent to " + to.size() + " recipient(s)";
  }
}
