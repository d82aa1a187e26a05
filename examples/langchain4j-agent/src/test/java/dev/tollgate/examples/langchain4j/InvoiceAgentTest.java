package dev.tollgate.examples.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Runs the example's main as a user would and reads what it printed. */
class InvoiceAgentTest {
  @Test
  void allowedCallsRunAndRefusedOnesAreToldWhy() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream was = System.out;
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      System.setOut(out);
      InvoiceAgent.main(new String[0]);
    } finally {
      System.setOut(was);
    }
    String printed = bytes.toString(StandardCharsets.UTF_8);

    assertThat(printed)
        .contains("[tool ran] invoices_search Globex")
        .contains("[tool ran] email_send to ap@globex.example")
        .doesNotContain("[tool ran] web_fetch")
        .containsPattern(
            "model reads: Tollgate denied this call to web_fetch: .*profile.* \\(decision dec_\\w+\\)")
        .containsPattern(
            "model reads: Tollgate holds this call to email_send for a person's approval: .*"
                + "Approval apr_\\w+ is waiting.*\\(decision dec_\\w+\\)")
        .contains("agent: I asked Globex for the W-9; the rest was refused.");
    // the mail with the invoice details never ran: only the first mail did
    assertThat(printed.split("\\[tool ran\\] email_send", -1)).hasSize(2);
  }
}
