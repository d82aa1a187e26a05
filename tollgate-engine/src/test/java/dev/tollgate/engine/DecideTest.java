package dev.tollgate.engine;

import static dev.tollgate.engine.Bundles.action;
import static dev.tollgate.engine.Bundles.mail;
import static dev.tollgate.engine.Bundles.policies;
import static dev.tollgate.engine.Bundles.tollgate;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Reason;
import dev.tollgate.api.ShadowOutcome;
import dev.tollgate.json.ApiJson;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Matching, precedence, shadow mode, reasons and messages. */
class DecideTest {

  private static final String THREE =
      """
      policies:
        - name: allow-mail
          match: {tools: ["email.*"]}
          effect: allow
          message: '"mail ok"'
        - name: ask-external
          match: {tools: ["email.send"]}
          when: action.args.to.exists(r, !r.endsWith("@acme.example"))
          effect: ask
          message: '"mail to " + action.args.to.join(", ")'
        - name: deny-competitor
          match: {tools: ["email.*"]}
          when: action.args.to.exists(r, r.endsWith("@rival.example"))
          effect: deny
          message: '"no mail to rivals: " + action.args.to.join(", ")'
      """;

  /**
   * Policies written from one template share their message program, rendered once per decision:
   * each reason still names its own policy, and a message that fails falls back to each policy's
   * own text.
   */
  @Test
  void policiesSharingAMessageKeepTheirOwnReasons() {
    String shared =
        """
        policies:
          - name: first
            match: {tools: ["email.send"]}
            effect: deny
            message: '"mail to " + action.args.to.join(", ")'
          - name: second
            match: {tools: ["email.send"]}
            effect: deny
            message: '"mail to " + action.args.to.join(", ")'
          - name: broken-one
            match: {tools: ["email.send"]}
            effect: deny
            message: '"cc " + action.args.cc'
          - name: broken-two
            match: {tools: ["email.send"]}
            effect: deny
            message: '"cc " + action.args.cc'
        """;
    Decision d = tollgate(policies(shared)).decide("bot", mail("ap@globex.example"));
    Map<String, String> messages = new java.util.HashMap<>();
    d.reasons().forEach(r -> messages.put(r.policy(), r.message()));
    assertThat(messages).containsOnlyKeys("first", "second", "broken-one", "broken-two");
    assertThat(messages.get("first")).isEqualTo("mail to a•••@globex.example");
    assertThat(messages.get("second")).isEqualTo("mail to a•••@globex.example");
    assertThat(messages.get("broken-one")).contains("broken-one").contains("message failed");
    assertThat(messages.get("broken-two")).contains("broken-two").contains("message failed");
  }

  @Test
  void nothingMatchedAllowsWithoutReasons() {
    Decision d = tollgate(policies(THREE)).decide("bot", action("files.read", Map.of()));
    assertThat(d.effect()).isEqualTo(Effect.ALLOW);
    assertThat(d.reasons()).isEmpty();
    assertThat(d.shadow()).isEmpty();
    assertThat(d.id()).startsWith("dec_");
  }

  @Test
  void allowReasonsAreTheAllowingPolicies() {
    Decision d = tollgate(policies(THREE)).decide("bot", mail("bob@acme.example"));
    assertThat(d.effect()).isEqualTo(Effect.ALLOW);
    assertThat(d.reasons()).containsExactly(new Reason("allow-mail", "mail ok"));
  }

  @Test
  void askBeatsAllow() {
    Decision d = tollgate(policies(THREE)).decide("bot", mail("ap@globex.example"));
    assertThat(d.effect()).isEqualTo(Effect.ASK);
    assertThat(d.reasons())
        .containsExactly(new Reason("ask-external", "mail to a•••@globex.example"));
  }

  @Test
  void denyBeatsAskAndAllowAndOnlyDeniesAreReasons() {
    Decision d =
        tollgate(policies(THREE)).decide("bot", mail("ceo@rival.example", "bob@acme.example"));
    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.reasons())
        .containsExactly(
            new Reason(
                "deny-competitor", "no mail to rivals: c•••@rival.example, b•••@acme.example"));
    assertThat(d.allowed()).isFalse();
    assertThat(d.policies()).containsExactly("deny-competitor");
  }

  @Test
  void severalPoliciesOfTheWinningEffectAreAllReasonsInNameOrder() {
    Decision d =
        tollgate(
                policies(
                    """
        policies:
          - {name: z-deny, effect: deny}
          - {name: a-deny, effect: deny}
          - {name: m-ask, effect: ask}
        """))
            .decide("bot", action("anything", Map.of()));
    assertThat(d.policies()).containsExactly("a-deny", "z-deny");
  }

  @Test
  void messageFallsBackToDescriptionThenToPolicyName() {
    Decision d =
        tollgate(
                policies(
                    """
        policies:
          - {name: described, effect: ask, description: Needs a human.}
          - {name: bare, effect: ask}
        """))
            .decide("bot", action("x", Map.of()));
    assertThat(d.reasons())
        .containsExactly(
            new Reason("bare", "matched policy `bare`"), new Reason("described", "Needs a human."));
  }

  @Test
  void aFailingMessageKeepsTheEffectAndSaysSo() {
    Decision d =
        tollgate(
                policies(
                    """
        policies:
          - name: deny-it
            effect: deny
            message: '"to " + action.args.to'
        """))
            .decide("bot", action("x", Map.of("to", 42L)));
    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.reasons())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.policy()).isEqualTo("deny-it");
              assertThat(r.message()).startsWith("matched policy `deny-it` (message failed: ");
            });
  }

  @Test
  void matchByAgentAndToolGlobs() {
    Tollgate t =
        tollgate(
            policies(
                """
        policies:
          - name: bots-may-not-delete
            match: {agents: ["*-bot"], tools: ["*.delete", "rm"]}
            effect: deny
        """));
    assertThat(t.decide("invoice-bot", action("files.delete", Map.of())).effect())
        .isEqualTo(Effect.DENY);
    assertThat(t.decide("invoice-bot", action("rm", Map.of())).effect()).isEqualTo(Effect.DENY);
    assertThat(t.decide("human", action("files.delete", Map.of())).effect())
        .isEqualTo(Effect.ALLOW);
    assertThat(t.decide("invoice-bot", action("files.deleted", Map.of())).effect())
        .isEqualTo(Effect.ALLOW);
    assertThat(t.decide("invoice-bot", action("rmdir", Map.of())).effect()).isEqualTo(Effect.ALLOW);
  }

  @Test
  void shadowPoliciesAreReportedAndNeverChangeTheEffect() {
    Tollgate t =
        tollgate(
            policies(
                """
        policies:
          - name: try-deny
            mode: shadow
            effect: deny
            message: '"would deny " + action.tool'
          - name: try-ask
            mode: shadow
            effect: ask
          - name: real-allow
            effect: allow
        """));
    Decision d = t.decide("bot", action("db.drop", Map.of()));
    assertThat(d.effect()).isEqualTo(Effect.ALLOW);
    assertThat(d.reasons())
        .containsExactly(new Reason("real-allow", "matched policy `real-allow`"));
    assertThat(d.shadow())
        .containsExactly(
            new ShadowOutcome("try-ask", Effect.ASK, "matched policy `try-ask`"),
            new ShadowOutcome("try-deny", Effect.DENY, "would deny db.drop"));
  }

  @Test
  void emptyMatchMappingMatchesEverything() {
    Decision d =
        tollgate(policies("policies:\n  - {name: all, effect: ask, match: {}}\n"))
            .decide("any", action("any.tool", Map.of()));
    assertThat(d.effect()).isEqualTo(Effect.ASK);
  }

  @Test
  void javaIntegersCompareAsCelInts() {
    Tollgate t =
        tollgate(
            policies("policies:\n  - {name: five, effect: deny, when: 'action.args.n == 5'}\n"));
    for (Object five : List.<Object>of(5, 5L, 5.0, 5.0f)) {
      assertThat(t.decide("bot", action("x", Map.of("n", five))).effect())
          .as(five.getClass().getName())
          .isEqualTo(Effect.DENY);
    }
  }

  @Test
  void explicitEnforceModeEnforces() {
    Decision d =
        tollgate(policies("policies:\n  - {name: d, effect: deny, mode: enforce}\n"))
            .decide("bot", action("x", Map.of()));
    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.shadow()).isEmpty();
  }

  @Test
  void conditionsSeeEveryActionField() {
    Tollgate t =
        tollgate(
            policies(
                """
        policies:
          - name: all-fields
            effect: ask
            when: >
              action.tool == "t" && action.agent == "bot" && action.user == "u" &&
              action.reason == "why" && action.session == "" && action.args.n == 3 &&
              action.args.f == 1.5 && action.args.nested.list[1] == true
            message: 'action.agent + "/" + action.user + "/" + string(action.args.n)'
        """));
    Action a =
        new Action(
            null,
            "u",
            "t",
            Map.of("n", 3L, "f", 1.5, "nested", Map.of("list", List.of(false, true))),
            "why",
            "r-1");
    Decision d = t.decide("bot", a);
    assertThat(d.effect()).as(d.toString()).isEqualTo(Effect.ASK);
    assertThat(d.reasons().get(0).message()).isEqualTo("bot/u/3");
  }

  @Test
  void missingUserAndReasonAreEmptyStrings() {
    Decision d =
        tollgate(
                policies(
                    """
        policies:
          - name: anonymous
            effect: deny
            when: action.user == "" && action.reason == ""
        """))
            .decide("bot", Action.of(null, null, "x", null));
    assertThat(d.effect()).isEqualTo(Effect.DENY);
  }

  @Test
  void jsonNullArgumentsAreCelNulls() throws Exception {
    Tollgate t =
        tollgate(
            policies(
                """
        policies:
          - name: cc-null
            effect: ask
            when: action.args.cc == null && action.args.list[0] == null
          - name: tool-only
            effect: ask
            when: action.tool == "email.send"
        """));
    Decision d =
        t.decide(
            "bot",
            ApiJson.readAction("{\"tool\":\"email.send\",\"args\":{\"cc\":null,\"list\":[null]}}"));
    assertThat(d.effect()).as(d.toString()).isEqualTo(Effect.ASK);
    assertThat(d.policies()).containsExactly("cc-null", "tool-only");
  }

  @Test
  void extensionFunctionsAreAvailable() {
    Decision d =
        tollgate(
                policies(
                    """
        policies:
          - name: ext
            effect: deny
            when: >
              action.args.s.lowerAscii() == "abc" && math.greatest(1, 2) == 2 &&
              sets.contains([1, 2], [1]) && cel.bind(x, 2, x * x == 4)
        """))
            .decide("bot", action("x", Map.of("s", "AbC")));
    assertThat(d.effect()).as(d.toString()).isEqualTo(Effect.DENY);
  }

  @Test
  void explainListsConsideredPoliciesOnly() {
    Explanation e = tollgate(policies(THREE)).explain("bot", mail("ap@globex.example"));
    assertThat(e.decision().effect()).isEqualTo(Effect.ASK);
    assertThat(e.considered())
        .extracting(PolicyOutcome::policy, PolicyOutcome::status)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("allow-mail", PolicyOutcome.Status.MATCHED),
            org.assertj.core.groups.Tuple.tuple("ask-external", PolicyOutcome.Status.MATCHED),
            org.assertj.core.groups.Tuple.tuple(
                "deny-competitor", PolicyOutcome.Status.NOT_MATCHED));
    PolicyOutcome ask = e.considered().get(1);
    assertThat(ask.location()).isEqualTo("policies.yaml:6");
    assertThat(ask.message()).isEqualTo("mail to a•••@globex.example");
    assertThat(ask.effect()).isEqualTo(Effect.ASK);
    assertThat(ask.shadow()).isFalse();
    assertThat(tollgate(policies(THREE)).explain("bot", action("other", Map.of())).considered())
        .isEmpty();
  }

  @Test
  void decisionIdsAreUniqueAndTimeOrdered() {
    java.time.Instant now = java.time.Instant.parse("2026-01-01T00:00:00Z");
    Tollgate t = Tollgate.builder().clock(() -> now).build();
    Decision a = t.decide("bot", action("x", Map.of()));
    Decision b = t.decide("bot", action("x", Map.of()));
    assertThat(a.id()).isNotEqualTo(b.id());
    assertThat(a.id().substring(0, 14)).isEqualTo(b.id().substring(0, 14));
  }

  @Test
  void decisionWritesAsDesignJson() {
    Decision d = tollgate(policies(THREE)).decide("bot", mail("ap@globex.example"));
    String json = ApiJson.write(d);
    assertThat(json)
        .contains("\"effect\":\"ask\"")
        .contains("{\"policy\":\"ask-external\",\"message\":\"mail to a•••@globex.example\"}")
        .contains("\"approval\":{\"id\":\"apr_")
        .contains("\"status\":\"pending\"")
        .doesNotContain("\"args\"")
        .doesNotContain("null");
  }
}
