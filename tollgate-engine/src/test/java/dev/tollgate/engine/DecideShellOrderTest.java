package dev.tollgate.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.Action;
import dev.tollgate.api.Effect;
import dev.tollgate.api.SessionSpec;
import dev.tollgate.api.store.ApprovalStore;
import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.api.store.AuditLog;
import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.api.store.AuditRecord;
import dev.tollgate.api.store.GrantStore;
import dev.tollgate.api.store.RequestStore;
import dev.tollgate.api.store.SessionStore;
import dev.tollgate.api.store.StoreUnavailableException;
import dev.tollgate.engine.internal.memory.MemoryApprovalStore;
import dev.tollgate.engine.internal.memory.MemoryAuditLog;
import dev.tollgate.engine.internal.memory.MemoryRequestStore;
import dev.tollgate.engine.internal.memory.MemorySessionStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The decide shell's order, on stores that record every call: the session is read once, grants and
 * approvals are consulted next, then one audit append holds the events and the decision, and only
 * then is the history step added. A failure injected at each step is a deny: before the audit it is
 * recorded, at the audit nothing is recorded and no history added, after the audit a deny that
 * supersedes the recorded decision is recorded.
 */
class DecideShellOrderTest {
  static final String CATALOG =
      """
      tools:
        email.send: {kind: send, external: true, control: [to]}
      """;
  static final String POLICIES =
      """
      policies:
        - name: external-mail-asks
          match: {tools: ["email.send"]}
          when: action.args.to.exists(r, !r.endsWith("@acme.example"))
          effect: ask
        - name: internal-mail-passes
          match: {tools: ["email.send"]}
          when: action.args.to.all(r, r.endsWith("@acme.example"))
          effect: allow
      """;

  /** Every call on the stores, as {@code Interface.method}; one call can be made to fail. */
  static final class Recording {
    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<List<AuditEntry>> appends = new CopyOnWriteArrayList<>();
    volatile String failing;
    volatile Supplier<RuntimeException> failure =
        () -> new StoreUnavailableException("injected", null);

    <T> T wrap(Class<T> type, T target) {
      return type.cast(
          Proxy.newProxyInstance(
              type.getClassLoader(),
              new Class<?>[] {type},
              (proxy, method, args) -> {
                if (method.getDeclaringClass() == Object.class) {
                  return method.invoke(target, args);
                }
                String name = type.getSimpleName() + "." + method.getName();
                calls.add(name);
                if (name.equals(failing)) {
                  throw failure.get();
                }
                if (name.equals("AuditLog.append")) {
                  @SuppressWarnings("unchecked")
                  List<AuditEntry> entries = (List<AuditEntry>) args[0];
                  appends.add(List.copyOf(entries));
                }
                try {
                  Object result = method.invoke(target, args);
                  return result instanceof GrantStore g ? wrap(GrantStore.class, g) : result;
                } catch (InvocationTargetException e) {
                  throw e.getCause();
                }
              }));
    }

    /** The calls that touch state, without the reads of the flow index. */
    List<String> steps() {
      return calls.stream().filter(c -> !c.equals("SessionStore.results")).toList();
    }

    void clear() {
      calls.clear();
      appends.clear();
    }
  }

  private final Recording rec = new Recording();
  private final MemoryAuditLog log = new MemoryAuditLog();
  private Tollgate engine;
  private String session;

  /** The last record of the setup: the tests read what came after. */
  private long mark;

  @BeforeEach
  void setUp() {
    engine =
        Tollgate.builder()
            .bundle(Bundles.of("catalog.yaml", CATALOG, "policies.yaml", POLICIES))
            .sessions(rec.wrap(SessionStore.class, new MemorySessionStore(100)))
            .approvals(rec.wrap(ApprovalStore.class, new MemoryApprovalStore()))
            .requests(rec.wrap(RequestStore.class, new MemoryRequestStore(100)))
            .audit(rec.wrap(AuditLog.class, log))
            .build();
    session =
        engine.openSession(
            "bot", new SessionSpec("s-1", "alice@acme.example", "Mail Globex", null));
    rec.clear();
    mark = log.head().orElseThrow().seq();
  }

  private static Action mail(String session, String to, String requestId) {
    return new Action(
        session, "alice@acme.example", "email.send", Map.of("to", List.of(to)), null, requestId);
  }

  private List<AuditEntry> audit() {
    return log.search(AuditQuery.after(mark, 1_000)).stream().map(AuditRecord::entry).toList();
  }

  @Test
  void anAskReadsTheSessionOnceThenOpensTheApprovalThenAppendsOnceThenTheHistory() {
    Outcome o = engine.outcome("bot", mail(session, "ap@globex.example", null));

    assertThat(o).isInstanceOf(Outcome.Decided.class);
    assertThat(o.decision().effect()).isEqualTo(Effect.ASK);
    assertThat(rec.steps())
        .containsExactly(
            "SessionStore.get",
            "ApprovalStore.grants",
            "GrantStore.candidates",
            "ApprovalStore.latestFor",
            "ApprovalStore.create",
            "AuditLog.append",
            "SessionStore.appendHistory");
    assertThat(rec.appends).hasSize(1);
    assertThat(rec.appends.getFirst())
        .extracting(e -> e.kind().wireName(), e -> e.detail().get("event"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("approval", "approval.opened"),
            org.assertj.core.groups.Tuple.tuple("decision", null));
    assertThat(rec.appends.getFirst().get(1).decision()).isEqualTo(o.decision().id());
  }

  @Test
  void aGrantUseIsRecordedInTheSameAppendAsItsDecision() throws Exception {
    Outcome asked = engine.outcome("bot", mail(session, "ap@globex.example", null));
    engine.approvals().approve(asked.decision().approval().id(), "carol", null, null);
    rec.clear();

    Outcome passed = engine.outcome("bot", mail(session, "ap@globex.example", null));

    assertThat(passed.decision().effect()).isEqualTo(Effect.ALLOW);
    assertThat(passed.decision().grant()).isNotNull();
    assertThat(rec.steps())
        .containsExactly(
            "SessionStore.get",
            "ApprovalStore.grants",
            "GrantStore.candidates",
            "GrantStore.use",
            "AuditLog.append",
            "SessionStore.appendHistory");
    assertThat(rec.appends.getFirst())
        .extracting(e -> e.kind().wireName(), e -> e.detail().get("event"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("grant", "grant.used"),
            org.assertj.core.groups.Tuple.tuple("decision", null));
  }

  @Test
  void anAllowWithARequestIdCompletesItLast() {
    Outcome o = engine.outcome("bot", mail(session, "bob@acme.example", "r-1"));

    assertThat(o.decision().effect()).isEqualTo(Effect.ALLOW);
    assertThat(rec.steps())
        .containsExactly(
            "RequestStore.sweep",
            "RequestStore.reserve",
            "SessionStore.get",
            "AuditLog.append",
            "SessionStore.appendHistory",
            "RequestStore.complete");
  }

  @Test
  void theSessionStoreDownIsARecordedDenyWithoutHistory() {
    rec.failing = "SessionStore.get";

    Outcome o = engine.outcome("bot", mail(session, "bob@acme.example", null));

    assertThat(o)
        .isInstanceOfSatisfying(
            Outcome.FailedClosed.class,
            f -> assertThat(f.failure()).isEqualTo(Outcome.Failure.STORE_UNAVAILABLE));
    assertThat(o.decision().effect()).isEqualTo(Effect.DENY);
    assertThat(o.decision().reasons().getFirst().message()).contains("store unavailable");
    assertThat(rec.calls).doesNotContain("SessionStore.appendHistory");
    assertThat(audit().getLast())
        .satisfies(
            e -> {
              assertThat(e.kind()).isEqualTo(AuditEntry.Kind.DECISION);
              assertThat(e.effect()).isEqualTo(Effect.DENY);
              assertThat(e.decision()).isEqualTo(o.decision().id());
            });
  }

  @Test
  void theGrantStoreDownIsARecordedDenyWithoutHistory() {
    rec.failing = "GrantStore.candidates";

    Outcome o = engine.outcome("bot", mail(session, "ap@globex.example", null));

    assertThat(o).isInstanceOf(Outcome.FailedClosed.class);
    assertThat(o.decision().effect()).isEqualTo(Effect.DENY);
    assertThat(rec.calls).doesNotContain("SessionStore.appendHistory");
    assertThat(audit().getLast().effect()).isEqualTo(Effect.DENY);
  }

  @Test
  void anInternalErrorIsADenyThatSaysSo() {
    rec.failing = "ApprovalStore.latestFor";
    rec.failure = () -> new IllegalStateException("boom");

    Outcome o = engine.outcome("bot", mail(session, "ap@globex.example", null));

    assertThat(o)
        .isInstanceOfSatisfying(
            Outcome.FailedClosed.class,
            f -> assertThat(f.failure()).isEqualTo(Outcome.Failure.INTERNAL_ERROR));
    assertThat(o.decision().reasons().getFirst().message())
        .contains("internal error while deciding (IllegalStateException: boom)");
    assertThat(rec.calls).doesNotContain("SessionStore.appendHistory");
  }

  @Test
  void anAuditThatCannotBeWrittenIsADenyWithoutHistoryOrRecord() {
    rec.failing = "AuditLog.append";

    Outcome o = engine.outcome("bot", mail(session, "bob@acme.example", "r-2"));

    assertThat(o)
        .isInstanceOfSatisfying(
            Outcome.FailedClosed.class,
            f -> assertThat(f.failure()).isEqualTo(Outcome.Failure.AUDIT_UNAVAILABLE));
    assertThat(o.decision().effect()).isEqualTo(Effect.DENY);
    assertThat(o.decision().reasons().getFirst().message())
        .contains("the decision could not be recorded in the audit");
    assertThat(rec.calls)
        .doesNotContain("SessionStore.appendHistory", "RequestStore.complete")
        .contains("RequestStore.release");
    assertThat(audit()).isEmpty();

    // Nothing was kept for the request id: once the audit is back, the retry decides anew.
    rec.failing = null;
    Outcome retry = engine.outcome("bot", mail(session, "bob@acme.example", "r-2"));
    assertThat(retry).isInstanceOf(Outcome.Decided.class);
    assertThat(retry.decision().effect()).isEqualTo(Effect.ALLOW);
  }

  @Test
  void aHistoryThatCannotBeAppendedSupersedesTheRecordedDecision() {
    rec.failing = "SessionStore.appendHistory";

    Outcome o = engine.outcome("bot", mail(session, "bob@acme.example", null));

    assertThat(o)
        .isInstanceOfSatisfying(
            Outcome.FailedClosed.class,
            f -> assertThat(f.failure()).isEqualTo(Outcome.Failure.STORE_UNAVAILABLE));
    assertThat(o.decision().effect()).isEqualTo(Effect.DENY);
    List<AuditEntry> audit = audit();
    assertThat(audit).hasSize(2);
    AuditEntry recorded = audit.get(0);
    AuditEntry superseding = audit.get(1);
    assertThat(recorded.effect()).isEqualTo(Effect.ALLOW);
    assertThat(superseding.effect()).isEqualTo(Effect.DENY);
    assertThat(superseding.decision())
        .isEqualTo(o.decision().id())
        .isNotEqualTo(recorded.decision());
    assertThat(superseding.detail()).containsEntry("supersedes", recorded.decision());
  }

  @Test
  void aRequestIdThatCannotBeCompletedSupersedesTheRecordedDecision() {
    rec.failing = "RequestStore.complete";

    Outcome o = engine.outcome("bot", mail(session, "bob@acme.example", "r-3"));

    assertThat(o.decision().effect()).isEqualTo(Effect.DENY);
    assertThat(audit().getLast().detail()).containsKey("supersedes");
  }

  @Test
  void anUnknownSessionIsRefusedAndRecordedAsRejected() {
    Outcome o = engine.outcome("bot", mail("s-nope", "bob@acme.example", null));

    assertThat(o)
        .isInstanceOfSatisfying(
            Outcome.Refused.class,
            r -> {
              assertThat(r.refusal()).isEqualTo(Outcome.Refusal.UNKNOWN_SESSION);
              assertThat(r.field()).isEqualTo("/session");
            });
    assertThat(o.decision().policies()).containsExactly(Tollgate.INTERNAL);
    assertThat(rec.steps()).containsExactly("SessionStore.get", "AuditLog.append");
    assertThat(audit().getLast())
        .satisfies(
            e -> {
              assertThat(e.kind()).isEqualTo(AuditEntry.Kind.REJECTED);
              assertThat(e.detail())
                  .containsEntry("code", "unknown_session")
                  .containsEntry("field", "/session");
            });
  }

  @Test
  void theLibraryRecordsSessionsDecisionsAndObservations() {
    Tollgate plain = Tollgate.builder().build();
    String s = plain.openSession("bot", SessionSpec.of("alice@acme.example", "read mail"));
    String id = plain.decide("bot", Action.of(s, "alice@acme.example", "mail.read", Map.of())).id();
    plain.observe("bot", new dev.tollgate.api.Observation(s, "mail.read", id, "hello"));

    assertThat(plain.audit().search(AuditQuery.after(0, 10)))
        .extracting(r -> r.entry().kind())
        .containsExactly(
            AuditEntry.Kind.SESSION, AuditEntry.Kind.DECISION, AuditEntry.Kind.OBSERVE);
  }
}
