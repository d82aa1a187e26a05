package dev.tollgate.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Gate;
import dev.tollgate.api.SessionSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The README's Java example, compiled and run, so that the README cannot drift from the API. */
class ReadmeExampleTest {
  @Test
  void readmeExampleRuns() throws Exception {
    Path policies = Path.of("..", "examples", "invoice-vendor-mail");
    // --- README: "In a Java application" ---
    Tollgate tollgate = Tollgate.builder().bundle(Bundle.load(policies)).build();
    Gate gate = tollgate.gate("invoice-bot");
    String session =
        gate.openSession(
            SessionSpec.of("alice@acme.example", "Notify the vendor we need tax documents"));
    Decision d =
        gate.decide(
            Action.of(
                session,
                "alice@acme.example",
                "email.send",
                Map.of("to", List.of("ap@globex.example"), "body", "Invoice 4471 is overdue.")));
    // --- end ---
    assertFalse(d.allowed());
    assertEquals(Effect.ASK, d.effect(), d.toString());
    // The invoice-number detector finds "Invoice 4471": the detector-backed policy asks too.
    assertEquals(
        List.of("external-send-with-financial-data", "external-send-with-invoice-details"),
        d.policies());
  }
}
