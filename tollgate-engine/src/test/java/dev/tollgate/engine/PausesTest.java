package dev.tollgate.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.SessionSpec;
import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.api.store.PauseRecord;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The kill switch: pauses by agent, user, session and everything; quarantine by a policy. */
class PausesTest {
  private static final String POLICIES =
      """
      policies:
        - name: shell-after-injection
          when: action.tool == "shell.exec"
          effect: deny
          quarantine: true
          message: '"a shell command"'
        - name: pushes
          when: count("agent", "config.push", "1h") > 1
          effect: ask
      """;

  private final Tollgate tollgate = Tollgate.builder().bundle(Bundles.policies(POLICIES)).build();

  private static Action act(String session, String user, String tool) {
    return new Action(session, user, tool, Map.of(), null, null);
  }

  @Test
  void aPausedAgentIsDeniedWithTheReasonUntilResumedAndBothAreAudited() throws Exception {
    tollgate
        .pauses()
        .pause(PauseRecord.Scope.AGENT, "ops-bot", null, null, "incident 4711", "erin");
    Decision d = tollgate.decide("ops-bot", act(null, "u@acme.example", "email.send"));
    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.reasons().getFirst().message())
        .contains("agent `ops-bot` is paused (incident 4711)")
        .contains("until a person resumes it");
    assertThat(tollgate.outcome("ops-bot", act(null, "u@acme.example", "x")))
        .isInstanceOf(Outcome.Paused.class);
    assertThat(tollgate.decide("mail-bot", act(null, "u@acme.example", "email.send")).effect())
        .isEqualTo(Effect.ALLOW);
    assertThat(tollgate.pauses().resume(PauseRecord.Scope.AGENT, "ops-bot", null, null, "erin"))
        .isTrue();
    assertThat(tollgate.decide("ops-bot", act(null, "u@acme.example", "email.send")).effect())
        .isEqualTo(Effect.ALLOW);
    List<String> events =
        tollgate
            .audit()
            .search(
                new AuditQuery(
                    null, null, null, null, AuditEntry.Kind.PAUSE, null, null, null, 0, 10))
            .stream()
            .map(r -> r.entry().detail().get("event") + " " + r.entry().detail().get("by"))
            .toList();
    assertThat(events).containsExactly("paused erin", "resumed erin");
  }

  @Test
  void everythingAUserAndASessionCanBePaused() throws Exception {
    String s1 = tollgate.gate("bot").openSession(SessionSpec.of("ann@acme.example", "work"));
    String s2 = tollgate.gate("bot").openSession(SessionSpec.of("bob@acme.example", "work"));
    Pauses pauses = tollgate.pauses();
    pauses.pause(PauseRecord.Scope.SESSION, "bot", null, s1, "look at it", "erin");
    assertThat(tollgate.decide("bot", act(s1, "ann@acme.example", "t")).effect())
        .isEqualTo(Effect.DENY);
    assertThat(tollgate.decide("bot", act(s2, "bob@acme.example", "t")).effect())
        .isEqualTo(Effect.ALLOW);
    pauses.pause(PauseRecord.Scope.USER, null, "bob@acme.example", null, "", "erin");
    assertThat(tollgate.decide("bot", act(s2, "bob@acme.example", "t")).effect())
        .isEqualTo(Effect.DENY);
    assertThat(tollgate.decide("bot", act(null, "carl@acme.example", "t")).effect())
        .isEqualTo(Effect.ALLOW);
    pauses.pause(PauseRecord.Scope.ALL, null, null, null, "stop everything", "erin");
    assertThat(
            tollgate
                .decide("bot", act(null, "carl@acme.example", "t"))
                .reasons()
                .getFirst()
                .message())
        .contains("every agent is paused (stop everything)");
    assertThat(pauses.list()).hasSize(3);
    assertThatThrownBy(() -> pauses.pause(PauseRecord.Scope.SESSION, "bot", null, "a b", "", "e"))
        .isInstanceOf(Pauses.PauseException.class)
        .hasMessageContaining("invalid session id");
    assertThatThrownBy(() -> pauses.pause(PauseRecord.Scope.AGENT, " ", null, null, "", "e"))
        .isInstanceOf(Pauses.PauseException.class)
        .hasMessageContaining("needs its name");
  }

  @Test
  void aQuarantiningPolicyPausesItsSessionUntilAPersonResumesOrEndsIt() throws Exception {
    String s = tollgate.gate("bot").openSession(SessionSpec.of("ann@acme.example", "work"));
    assertThat(tollgate.decide("bot", act(s, "ann@acme.example", "shell.exec")).effect())
        .isEqualTo(Effect.DENY);
    Decision next = tollgate.decide("bot", act(s, "ann@acme.example", "email.send"));
    assertThat(next.effect()).isEqualTo(Effect.DENY);
    assertThat(next.reasons().getFirst().message())
        .contains("this session is quarantined (quarantined by policy `shell-after-injection`");
    PauseRecord q = tollgate.pauses().list().getFirst();
    assertThat(q.by()).isEqualTo("policy:shell-after-injection");
    tollgate.pauses().resume(PauseRecord.Scope.SESSION, "bot", null, s, "erin");
    assertThat(tollgate.decide("bot", act(s, "ann@acme.example", "email.send")).effect())
        .isEqualTo(Effect.ALLOW);
    tollgate.pauses().end("bot", s, "compromised", "erin");
    assertThat(tollgate.decide("bot", act(s, "ann@acme.example", "email.send")).reasons())
        .first()
        .satisfies(r -> assertThat(r.message()).contains("this session was ended (compromised)"));
  }

  @Test
  void aPausedDecisionDoesNotCount() throws Exception {
    tollgate.pauses().pause(PauseRecord.Scope.AGENT, "ops", null, null, "", "erin");
    tollgate.decide("ops", act(null, "u@acme.example", "config.push"));
    tollgate.pauses().resume(PauseRecord.Scope.AGENT, "ops", null, null, "erin");
    assertThat(tollgate.decide("ops", act(null, "u@acme.example", "config.push")).effect())
        .isEqualTo(Effect.ALLOW);
    assertThat(tollgate.decide("ops", act(null, "u@acme.example", "config.push")).effect())
        .isEqualTo(Effect.ASK);
  }

  @Test
  void quarantineOnAnAllowIsALoadError() {
    assertThat(
            Bundles.problem(
                    """
                    policies:
                      - name: p
                        effect: allow
                        quarantine: true
                    """)
                .message())
        .contains("`quarantine` in policy `p`, whose effect is allow");
  }
}
