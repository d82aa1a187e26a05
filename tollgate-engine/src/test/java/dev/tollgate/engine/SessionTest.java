package dev.tollgate.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Gate;
import dev.tollgate.api.Observation;
import dev.tollgate.api.ObservationResult;
import dev.tollgate.api.SessionSpec;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Sessions in memory: open with the user's request, decide, observe. */
class SessionTest {
  private static final String CATALOG =
      """
      tools:
        invoices.search: {kind: read, results: {labels: [financial]}}
        web.fetch: {kind: read, results: {labels: [public], trust: untrusted}}
      """;
  private static final String POLICIES =
      """
      policies:
        - name: mail-after-web-asks
          match: {tools: [email.send]}
          when: '"untrusted" in session.labels'
          effect: ask
          message: '"after reading untrusted content; request: " + session.request'
        - name: no-second-delete
          match: {tools: [files.delete]}
          when: session.history.exists(s, s.tool == "files.delete")
          effect: deny
        - name: task-scope
          match: {tools: [crm.update]}
          when: 'has(session.task.scope) && session.task.scope != "crm"'
          effect: deny
      """;

  private final Tollgate tollgate =
      Tollgate.builder()
          .bundle(Bundles.of("catalog.yaml", CATALOG, "p.yaml", POLICIES))
          .clock(() -> Instant.parse("2026-03-01T10:00:00Z"))
          .build();

  @Test
  void openDecideObserve() {
    Gate gate = tollgate.gate("bot");
    assertThat(gate.agent()).isEqualTo("bot");
    String s = gate.openSession(SessionSpec.of("alice", "Notify the vendor"));
    assertThat(s).startsWith("ses_");
    Action mail = Action.of(s, "alice", "email.send", Map.of("to", "v@x"));
    assertThat(gate.decide(mail).effect()).isEqualTo(Effect.ALLOW);

    ObservationResult r = gate.observe(new Observation(s, "web.fetch", null, "<html>"));
    assertThat(r.labels()).containsExactly("public", "untrusted");
    assertThat(r.findings()).isEmpty();

    Decision d = gate.decide(mail);
    assertThat(d.effect()).isEqualTo(Effect.ASK);
    assertThat(d.reasons().get(0).message())
        .isEqualTo("after reading untrusted content; request: Notify the vendor");
  }

  @Test
  void observingATrustedToolAddsItsLabelsOnly() {
    String s = tollgate.openSession("bot", SessionSpec.of("alice", "r"));
    assertThat(
            tollgate.observe("bot", new Observation(s, "invoices.search", null, Map.of())).labels())
        .containsExactly("financial");
  }

  @Test
  void observingAnUnknownToolMarksItUntrusted() {
    String s = tollgate.openSession("bot", SessionSpec.of("alice", "r"));
    assertThat(tollgate.observe("bot", new Observation(s, "mystery", null, "x")).labels())
        .containsExactly("untrusted");
  }

  @Test
  void historyRecordsEarlierDecisions() {
    String s = tollgate.openSession("bot", SessionSpec.of("alice", "clean up"));
    Action delete = Action.of(s, "alice", "files.delete", Map.of());
    assertThat(tollgate.decide("bot", delete).effect()).isEqualTo(Effect.ALLOW);
    assertThat(tollgate.decide("bot", delete).effect()).isEqualTo(Effect.DENY);
  }

  @Test
  void withoutSessionHistoryIsEmpty() {
    Action delete = Action.of(null, "alice", "files.delete", Map.of());
    assertThat(tollgate.decide("bot", delete).effect()).isEqualTo(Effect.ALLOW);
    assertThat(tollgate.decide("bot", delete).effect()).isEqualTo(Effect.ALLOW);
  }

  @Test
  void maxHistoryBoundsWhatPoliciesSee() {
    Tollgate t = Tollgate.builder().bundle(Bundles.of("p.yaml", POLICIES)).maxHistory(0).build();
    String s = t.openSession("bot", SessionSpec.of("alice", "r"));
    Action delete = Action.of(s, "alice", "files.delete", Map.of());
    t.decide("bot", delete);
    assertThat(t.decide("bot", delete).effect()).isEqualTo(Effect.ALLOW);
  }

  @Test
  void declaredTaskIsVisible() {
    String s =
        tollgate.openSession(
            "bot", new SessionSpec("s-task", "alice", "r", Map.of("scope", "billing")));
    assertThat(s).isEqualTo("s-task");
    assertThat(tollgate.decide("bot", Action.of(s, "alice", "crm.update", Map.of())).effect())
        .isEqualTo(Effect.DENY);
  }

  @Test
  void taskWithJsonNullsStillDecides() {
    Map<String, Object> task = new HashMap<>();
    task.put("scope", null);
    task.put("tools", null);
    String s = tollgate.openSession("bot", new SessionSpec(null, "alice", "r", task));
    Decision d = tollgate.decide("bot", Action.of(s, "alice", "crm.update", Map.of()));
    assertThat(d.effect()).as(d.toString()).isEqualTo(Effect.DENY);
    assertThat(d.policies()).containsExactly("task-scope");
    Decision other = tollgate.decide("bot", Action.of(s, "alice", "files.read", Map.of()));
    assertThat(other.effect()).as(other.toString()).isEqualTo(Effect.ALLOW);
  }

  @Test
  void duplicateSessionIdIsRefused() {
    tollgate.openSession("bot", new SessionSpec("dup", "alice", "r", null));
    assertThatThrownBy(() -> tollgate.openSession("bot", new SessionSpec("dup", "bob", "r", null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("session `dup` is already open: choose another id or leave it out");
  }

  @Test
  void blankSessionIdIsRefused() {
    assertThatThrownBy(() -> tollgate.openSession("bot", new SessionSpec(" ", "a", "r", null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid session id: use 1 to 128 characters");
  }

  @Test
  void anotherAgentCannotUseTheSession() {
    String s = tollgate.openSession("bot", SessionSpec.of("alice", "r"));
    Outcome o = tollgate.outcome("intruder", Action.of(s, "alice", "files.read", Map.of()));
    Decision d = o.decision();
    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.policies()).containsExactly(Tollgate.INTERNAL);
    assertThat(o)
        .isInstanceOfSatisfying(
            Outcome.Refused.class,
            r -> assertThat(r.refusal()).isEqualTo(Outcome.Refusal.UNKNOWN_SESSION));
    assertThatThrownBy(
            () -> tollgate.observe("intruder", new Observation(s, "web.fetch", null, "")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown session `" + s + "`");
  }

  @Test
  void observingAnUnknownSessionIsRefused() {
    assertThatThrownBy(() -> tollgate.observe("bot", new Observation("nope", "t", null, null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown session `nope`: open it with openSession before observing results");
  }

  @Test
  void oldestSessionIsForgottenPastTheLimit() {
    Tollgate t = Tollgate.builder().bundle(Bundles.of()).maxSessions(2).build();
    String first = t.openSession("bot", SessionSpec.of("a", "r"));
    String second = t.openSession("bot", SessionSpec.of("a", "r"));
    String third = t.openSession("bot", SessionSpec.of("a", "r"));
    assertThat(t.decide("bot", Action.of(first, "a", "x", null)).effect()).isEqualTo(Effect.DENY);
    assertThat(t.decide("bot", Action.of(second, "a", "x", null)).effect()).isEqualTo(Effect.ALLOW);
    assertThat(t.decide("bot", Action.of(third, "a", "x", null)).effect()).isEqualTo(Effect.ALLOW);
  }

  @Test
  void builderAndGateRefuseNonsense() {
    assertThatThrownBy(() -> Tollgate.builder().maxSessions(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Tollgate.builder().maxHistory(-1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> tollgate.gate(" ")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> tollgate.openSession(null, SessionSpec.of("a", "r")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void sessionIdsAreUnguessableAndDistinct() {
    String a = tollgate.openSession("bot", SessionSpec.of("a", "r"));
    String b = tollgate.openSession("bot", SessionSpec.of("a", "r"));
    assertThat(a).isNotEqualTo(b).hasSize("ses_".length() + 26);
  }
}
