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
  void withoutAgentsFileEveryActionIsDenied() throws Exception {
    Tollgate t =
        tollgate(
            Bundle.fromFiles(Map.of("p.yaml", "policies:\n  - {name: open, effect: allow}\n")));
    Decision d = t.decide("anyone", action("shell.exec", Map.of("cmd", "rm -rf /")));
    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.reasons().get(0).message()).contains("the bundle has no agents.yaml");
  }

  @Test
  void anUnprofiledAgentIsAllowedOnlyWithTheExplicitDefault() throws Exception {
    Bundle closed = Bundle.fromFiles(Map.of("agents.yaml", "agents:\n  bot: {tools: ['*']}\n"));
    Decision denied = tollgate(closed).decide("stranger", action("crm.read", Map.of()));
    assertThat(denied.effect()).isEqualTo(Effect.DENY);
    assertThat(denied.reasons().get(0).message())
        .isEqualTo(
            "agent `stranger` has no profile in agents.yaml and the bundle does not allow"
                + " unprofiled agents");
    assertThat(closed.warnings()).isEmpty();

    Bundle open =
        Bundle.fromFiles(
            Map.of(
                "agents.yaml",
                "defaults: {unprofiled: allow}\n",
                "p.yaml",
                "policies:\n  - {name: no-shell, effect: deny, match: {tools: [shell.*]}}\n"));
    assertThat(tollgate(open).decide("stranger", action("crm.read", Map.of())).effect())
        .isEqualTo(Effect.ALLOW);
    assertThat(tollgate(open).decide("stranger", action("shell.exec", Map.of())).effect())
        .isEqualTo(Effect.DENY);
    assertThat(open.warnings())
        .singleElement()
        .satisfies(
            w -> {
              assertThat(w.file()).isEqualTo("agents.yaml");
              assertThat(w.line()).isEqualTo(1);
              assertThat(w.message())
                  .isEqualTo(
                      "defaults.unprofiled: allow lets agents without a profile act on every"
                          + " tool");
            });
  }

  @Test
  void anUnknownDefaultIsAProblemWithItsPosition() {
    BundleException e =
        Bundles.refused("agents.yaml", "defaults:\n  unprofiled: maybe\n  other: 1\n");
    assertThat(e.problems())
        .extracting(Problem::line, Problem::message)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(
                2, "unknown value `maybe` for `defaults.unprofiled`"),
            org.assertj.core.groups.Tuple.tuple(
                3, "unknown key `other` in `defaults` of the agents file"));
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
                "agent `stranger` has no profile in agents.yaml and the bundle does not allow"
                    + " unprofiled agents"));
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
