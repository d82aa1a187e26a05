package dev.tollgate.engine;

import static dev.tollgate.engine.Bundles.action;
import static dev.tollgate.engine.Bundles.tollgate;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Reason;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Agent profiles: standing least privilege from agents.yaml. */
class ProfileTest {
  private static final String AGENTS =
      """
      agents:
        invoice-bot: {tools: ["invoices.*", "email.send"]}
        idle-bot: {tools: []}
      """;

  @Test
  void withoutAgentsFileNoProfileRestrictsAnyAgent() {
    Tollgate t = tollgate(Bundles.of("p.yaml", "policies: []\n"));
    assertThat(t.decide("anyone", action("rm.rf", Map.of())).effect()).isEqualTo(Effect.ALLOW);
  }

  @Test
  void toolInsideTheProfileIsLeftToPolicies() {
    Tollgate t = tollgate(Bundles.of("agents.yaml", AGENTS));
    assertThat(t.decide("invoice-bot", action("invoices.search", Map.of())).effect())
        .isEqualTo(Effect.ALLOW);
    assertThat(t.decide("invoice-bot", action("email.send", Map.of())).effect())
        .isEqualTo(Effect.ALLOW);
  }

  @Test
  void toolOutsideTheProfileIsDeniedNamingTheProfile() {
    Decision d =
        tollgate(Bundles.of("agents.yaml", AGENTS))
            .decide("invoice-bot", action("email.sendall", Map.of()));
    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.reasons())
        .containsExactly(
            new Reason(
                "profile:invoice-bot",
                "tool `email.sendall` is not in the profile of agent `invoice-bot`"
                    + " (allowed: invoices.*, email.send)"));
  }

  @Test
  void unknownAgentIsDenied() {
    Decision d =
        tollgate(Bundles.of("agents.yaml", AGENTS))
            .decide("stranger", action("invoices.search", Map.of()));
    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.reasons())
        .containsExactly(
            new Reason(
                "profile:stranger",
                "agent `stranger` has no profile in agents.yaml, so it may use no tool"));
  }

  @Test
  void emptyProfileDeniesEveryTool() {
    Decision d =
        tollgate(Bundles.of("agents.yaml", AGENTS))
            .decide("idle-bot", action("invoices.search", Map.of()));
    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.policies()).containsExactly("profile:idle-bot");
  }

  @Test
  void anAllowPolicyCannotLiftAProfileDeny() {
    Decision d =
        tollgate(
                Bundles.of(
                    "agents.yaml",
                    AGENTS,
                    "p.yaml",
                    "policies:\n  - {name: allow-all, effect: allow}\n"))
            .decide("invoice-bot", action("shell.exec", Map.of()));
    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.policies()).containsExactly("profile:invoice-bot");
  }

  @Test
  void profileAndPolicyDeniesAreBothReasons() {
    Decision d =
        tollgate(
                Bundles.of(
                    "agents.yaml",
                    AGENTS,
                    "p.yaml",
                    "policies:\n  - {name: no-shell, effect: deny, match: {tools: [\"shell.*\"]}}\n"))
            .decide("invoice-bot", action("shell.exec", Map.of()));
    assertThat(d.policies()).containsExactly("profile:invoice-bot", "no-shell");
  }

  @Test
  void insideTheProfilePoliciesStillDecide() {
    Decision d =
        tollgate(
                Bundles.of(
                    "agents.yaml",
                    AGENTS,
                    "p.yaml",
                    "policies:\n  - {name: ask-mail, effect: ask, match: {tools: [email.send]}}\n"))
            .decide("invoice-bot", action("email.send", Map.of()));
    assertThat(d.effect()).isEqualTo(Effect.ASK);
    assertThat(d.policies()).containsExactly("ask-mail");
  }

  @Test
  void aSingleStringIsAListOfOnePattern() {
    Tollgate t = tollgate(Bundles.of("agents.yaml", "agents:\n  bot: {tools: \"a.*\"}\n"));
    assertThat(t.decide("bot", action("a.b", Map.of())).effect()).isEqualTo(Effect.ALLOW);
    assertThat(t.decide("bot", action("b.a", Map.of())).effect()).isEqualTo(Effect.DENY);
  }
}
