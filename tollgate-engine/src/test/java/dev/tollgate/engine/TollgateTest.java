package dev.tollgate.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Gate;
import dev.tollgate.api.SessionSpec;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TollgateTest {
  private static Bundle bundle(String policies) throws BundleException {
    return Bundle.fromFiles(Map.of("p.yaml", policies, "agents.yaml", Bundles.UNPROFILED_ALLOWED));
  }

  @Test
  void externalMailAsksWithTheRenderedMessage() throws Exception {
    Tollgate t =
        Tollgate.builder()
            .bundle(
                bundle(
                    """
                    policies:
                      - name: external-mail-asks
                        match: {tools: ["email.*"]}
                        when: >
                          action.args.to.exists(r,
                            !r.endsWith("@acme.example"))
                        effect: ask
                        message: '"mail to " + action.args.to.join(", ")'
                    """))
            .build();
    Decision d =
        t.decide(
            "bot",
            Action.of(null, "alice", "email.send", Map.of("to", List.of("ap@globex.example"))));
    assertEquals(Effect.ASK, d.effect());
    assertEquals("mail to a•••@globex.example", d.reasons().get(0).message());
    assertTrue(d.id().startsWith("dec_"));
  }

  @Test
  void javaNumbersOfEveryKindCompareAsNumbers() throws Exception {
    Gate gate =
        Tollgate.builder()
            .bundle(
                bundle(
                    """
                    policies:
                      - name: big
                        when: action.args.amount > 1000
                        effect: deny
                    """))
            .build()
            .gate("bot");
    for (Object amount :
        List.<Object>of(5000, 5000L, (short) 5000, 5000.5f, new BigDecimal("5000.25"), 5000.0)) {
      Decision d = gate.decide(Action.of(null, "u", "pay", Map.of("amount", amount)));
      assertEquals(Effect.DENY, d.effect(), amount.getClass() + ": " + d.reasons());
      assertEquals(List.of("big"), d.policies());
    }
    assertEquals(
        Effect.ALLOW, gate.decide(Action.of(null, "u", "pay", Map.of("amount", 10))).effect());
  }

  @Test
  void theOldestSessionIsForgottenPastTheBound() {
    Tollgate t = Tollgate.builder().bundle(Bundles.of()).maxSessions(2).build();
    for (String id : List.of("s-1", "s-2", "s-3")) {
      t.openSession("bot", new SessionSpec(id, "u", "r", null));
    }
    Outcome forgotten = t.outcome("bot", Action.of("s-1", "u", "x", Map.of()));
    assertEquals(Effect.DENY, forgotten.decision().effect());
    assertEquals(List.of(Tollgate.INTERNAL), forgotten.decision().policies());
    assertEquals(Outcome.Refusal.UNKNOWN_SESSION, ((Outcome.Refused) forgotten).refusal());
    assertEquals(Effect.ALLOW, t.decide("bot", Action.of("s-3", "u", "x", Map.of())).effect());
  }

  @Test
  void anotherAgentCannotUseASession() {
    Tollgate t = Tollgate.builder().build();
    t.openSession("bot-a", new SessionSpec("s-1", "u", "r", null));
    Decision d = t.decide("bot-b", Action.of("s-1", "u", "x", Map.of()));
    assertEquals(Effect.DENY, d.effect());
    assertTrue(d.reasons().get(0).message().contains("unknown session `s-1`"));
  }
}
