package dev.tollgate.engine;

import static dev.tollgate.engine.Bundles.action;
import static dev.tollgate.engine.Bundles.policies;
import static dev.tollgate.engine.Bundles.tollgate;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Reason;
import dev.tollgate.api.ShadowOutcome;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A CEL runtime error in an enforcing policy denies; decide never throws. */
class FailClosedTest {
  private static final String ALLOW_UNLESS_BIG =
      """
      policies:
        - name: allow-small-payments
          match: {tools: [pay]}
          effect: allow
        - name: big-payments-ask
          match: {tools: [pay]}
          when: action.args.amount > 1000
          effect: ask
      """;

  @Test
  void missingFieldDeniesNamingPolicyAndError() {
    Decision d = tollgate(policies(ALLOW_UNLESS_BIG)).decide("bot", action("pay", Map.of()));
    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.reasons())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.policy()).isEqualTo("big-payments-ask");
              assertThat(r.message())
                  .isEqualTo(
                      "policy `big-payments-ask` failed at decision time:"
                          + " key `amount` is not present in map; denied to fail closed");
            });
  }

  @Test
  void wrongTypeDenies() {
    Decision d =
        tollgate(policies(ALLOW_UNLESS_BIG)).decide("bot", action("pay", Map.of("amount", "lots")));
    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.reasons().get(0).policy()).isEqualTo("big-payments-ask");
    assertThat(d.reasons().get(0).message())
        .startsWith("policy `big-payments-ask` failed at decision time: `>` does not apply")
        .endsWith("; denied to fail closed");
  }

  @Test
  void wellTypedInputDecidesNormally() {
    Tollgate t = tollgate(policies(ALLOW_UNLESS_BIG));
    assertThat(t.decide("bot", action("pay", Map.of("amount", 5L))).effect())
        .isEqualTo(Effect.ALLOW);
    assertThat(t.decide("bot", action("pay", Map.of("amount", 5000.5))).effect())
        .isEqualTo(Effect.ASK);
  }

  @Test
  void nonBoolConditionResultDenies() {
    Tollgate t =
        tollgate(
            policies(
                """
        policies:
          - name: flagged
            effect: deny
            when: action.args.flag
        """));
    assertThat(t.decide("bot", action("x", Map.of("flag", true))).effect()).isEqualTo(Effect.DENY);
    assertThat(t.decide("bot", action("x", Map.of("flag", false))).effect())
        .isEqualTo(Effect.ALLOW);
    Decision d = t.decide("bot", action("x", Map.of("flag", "true")));
    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.reasons())
        .containsExactly(
            new Reason(
                "flagged",
                "policy `flagged` failed at"
                    + " decision time: the condition yielded a string, not a bool; denied to fail closed"));
    Decision n = t.decide("bot", action("x", Map.of("flag", 1L)));
    assertThat(n.effect()).isEqualTo(Effect.DENY);
    assertThat(n.reasons().get(0).message()).contains("yielded a number");
  }

  @Test
  void anErroringAllowPolicyDeniesToo() {
    Decision d =
        tollgate(
                policies(
                    """
        policies:
          - name: allow-if-small
            effect: allow
            when: action.args.n < 10
        """))
            .decide("bot", action("x", Map.of()));
    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.policies()).containsExactly("allow-if-small");
  }

  @Test
  void aFailingShadowPolicyIsAShadowDenyOnly() {
    Decision d =
        tollgate(
                policies(
                    """
        policies:
          - name: trial
            mode: shadow
            effect: allow
            when: action.args.n < 10
        """))
            .decide("bot", action("x", Map.of()));
    assertThat(d.effect()).isEqualTo(Effect.ALLOW);
    assertThat(d.reasons()).isEmpty();
    assertThat(d.shadow())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.policy()).isEqualTo("trial");
              assertThat(s.effect()).isEqualTo(Effect.DENY);
              assertThat(s.message()).contains("failed at decision time");
            });
  }

  @Test
  void explainMarksTheFailure() {
    Explanation e = tollgate(policies(ALLOW_UNLESS_BIG)).explain("bot", action("pay", Map.of()));
    assertThat(e.considered())
        .filteredOn(o -> o.status() == PolicyOutcome.Status.FAILED)
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.policy()).isEqualTo("big-payments-ask");
              assertThat(o.message()).isEqualTo("key `amount` is not present in map");
            });
  }

  @Test
  void javaNumbersAreComparedAsNumbersAndOtherObjectsFailClosed() {
    Tollgate t = tollgate(policies(ALLOW_UNLESS_BIG));
    for (Object big :
        List.<Object>of(
            new java.math.BigDecimal("5000"),
            new java.math.BigDecimal("5000.5"),
            java.math.BigInteger.valueOf(5000),
            (short) 5000,
            5000.5f)) {
      Decision d = t.decide("bot", action("pay", Map.of("amount", big)));
      assertThat(d.effect()).as(big.getClass().getName()).isEqualTo(Effect.ASK);
    }
    for (Object small : List.<Object>of((byte) 5, (short) 5, java.math.BigInteger.TEN)) {
      Decision d = t.decide("bot", action("pay", Map.of("amount", small)));
      assertThat(d.effect()).as(small.getClass().getName()).isEqualTo(Effect.ALLOW);
    }
    for (Object odd : List.<Object>of('c', new Object())) {
      Decision d = t.decide("bot", action("pay", Map.of("amount", odd)));
      assertThat(d.effect()).as(odd.getClass().getName()).isEqualTo(Effect.DENY);
    }
  }

  @Test
  void missingAgentOrActionDenies() {
    Tollgate t = tollgate(Bundle.empty());
    assertThat(t.decide(null, action("x", Map.of())).reasons())
        .containsExactly(
            new Reason(
                Tollgate.INTERNAL,
                "no agent identity: every decision needs the calling agent's name"));
    assertThat(t.decide(" ", action("x", Map.of())).effect()).isEqualTo(Effect.DENY);
    assertThat(t.decide("bot", null).reasons())
        .containsExactly(new Reason(Tollgate.INTERNAL, "no action to decide"));
  }

  @Test
  void unknownSessionDenies() {
    Decision d = tollgate(Bundle.empty()).decide("bot", Action.of("s-nope", "u", "x", Map.of()));
    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.reasons())
        .containsExactly(
            new Reason(
                Tollgate.INTERNAL,
                "unknown session `s-nope`: open the session before deciding its actions"));
  }

  @Test
  void comprehensionLimitIsAnErrorNotAHang() {
    Decision d =
        tollgate(
                policies(
                    """
        policies:
          - name: quadratic
            effect: allow
            when: action.args.l.all(a, action.args.l.all(b, a == a))
        """))
            .decide("bot", action("x", Map.of("l", java.util.Collections.nCopies(1_000, 1L))));
    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.policies()).containsExactly("quadratic");
  }

  @Test
  void deepArgumentsWithNullsDecide() {
    Map<String, Object> deep = new HashMap<>();
    Map<String, Object> cur = deep;
    for (int i = 0; i < 500; i++) {
      Map<String, Object> next = new HashMap<>();
      next.put("n", null);
      cur.put("d", next);
      cur = next;
    }
    Tollgate t =
        tollgate(
            policies(
                "policies:\n  - {name: any, effect: ask, when: 'action.args.d.d.n == null'}\n"));
    Decision d = t.decide("bot", action("x", deep));
    assertThat(d.effect()).as(d.toString()).isEqualTo(Effect.ASK);
  }

  @Test
  void shadowErrorsNeverTurnIntoEnforcedReasons() {
    Decision d =
        tollgate(
                policies(
                    """
        policies:
          - {name: enforce-ask, effect: ask}
          - {name: shadow-broken, effect: deny, mode: shadow, when: 'action.args.x > 1'}
        """))
            .decide("bot", action("t", Map.of()));
    assertThat(d.effect()).isEqualTo(Effect.ASK);
    assertThat(d.policies()).containsExactly("enforce-ask");
    assertThat(d.shadow()).extracting(ShadowOutcome::policy).containsExactly("shadow-broken");
  }
}
