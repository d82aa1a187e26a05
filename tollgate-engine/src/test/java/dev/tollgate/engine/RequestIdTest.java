package dev.tollgate.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.SessionSpec;
import dev.tollgate.api.store.GrantRecord;
import dev.tollgate.api.store.RequestRecord;
import dev.tollgate.api.store.RequestStore;
import dev.tollgate.engine.internal.memory.MemoryRequestStore;
import dev.tollgate.engine.internal.memory.MemorySessionStore;
import dev.tollgate.json.ApiJson;
import dev.tollgate.json.InputException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * {@code Action.requestId} makes a retried call idempotent in the engine itself: the same agent and
 * request id within the window get the first decision back, decided once (no second evaluation,
 * grant use, approval or history step), whatever the interleaving.
 */
class RequestIdTest {
  static final String CARD = "4242 4242 4242 4242";
  static final String AWS_KEY = "AKIAIOSFODNN7EXAMPLE";
  static final String CATALOG =
      """
      tools:
        email.send: {kind: send, external: true, control: [to]}
        chat.post: {kind: send, external: false, control: [channel]}
      """;
  static final String POLICIES =
      """
      policies:
        - name: external-mail-asks
          match: {tools: ["email.send"]}
          when: action.args.to.exists(r, !r.endsWith("@acme.example"))
          effect: ask
          message: '"mail to " + action.args.to.join(", ")'
        - name: secret-out
          match: {tools: ["email.send"]}
          when: '"secret" in data.labels'
          effect: deny
          message: '"a secret in the mail: " + action.args.body'
        - name: chat-masks-personal-data
          match: {tools: ["chat.post"]}
          effect: allow
          redact: {mode: mask, labels: [personal]}
      """;

  private final AtomicReference<Instant> now =
      new AtomicReference<>(Instant.parse("2026-12-01T09:00:00Z"));
  private final MemorySessionStore sessions = new MemorySessionStore(100);
  private final List<String> grantUses = new CopyOnWriteArrayList<>();

  private Tollgate engine(RequestStore requests, Duration wait) {
    Tollgate t =
        Tollgate.builder()
            .bundle(Bundles.of("catalog.yaml", CATALOG, "policies.yaml", POLICIES))
            .clock(now::get)
            .sessions(sessions)
            .requests(requests)
            .requestWait(wait)
            .build();
    t.approvals()
        .subscribe(
            e -> {
              if (e.type() == Approvals.Event.Type.GRANT_USED) {
                grantUses.add(e.grant().id());
              }
            });
    return t;
  }

  private Tollgate engine() {
    return engine(new MemoryRequestStore(1000), Duration.ofSeconds(5));
  }

  private static Action send(String session, String body, String requestId) {
    return new Action(
        session,
        "alice@acme.example",
        "email.send",
        Map.of("to", List.of("ap@globex.example"), "body", body),
        null,
        requestId);
  }

  /** Asks for {@code action}, approves it with {@code uses} and returns the grant. */
  private static String granted(Tollgate t, Action action, int uses) throws Exception {
    Decision asked = t.decide("bot", withRequestId(action, null));
    assertThat(asked.effect()).isEqualTo(Effect.ASK);
    Approvals.Scope scope =
        uses == 1
            ? Approvals.Scope.exact()
            : new Approvals.Scope(
                GrantRecord.SubjectKind.SESSION, "email.send", Duration.ofMinutes(15), uses, null);
    return t.approvals().approve(asked.approval().id(), "carol", scope, "ok").grant();
  }

  private static Action withRequestId(Action a, String requestId) {
    return new Action(a.session(), a.user(), a.tool(), a.args(), a.reason(), requestId);
  }

  private int historySteps(String session) {
    return sessions.get(Tollgate.sessionKey("bot", session)).orElseThrow().history().size();
  }

  @Test
  void aRetryOfAOneUseGrantsCallGetsTheSameDecisionAndUsesTheGrantOnce() throws Exception {
    Tollgate t = engine();
    String s = t.openSession("bot", SessionSpec.of("alice@acme.example", "Mail Globex the W-9"));
    String grant = granted(t, send(s, "W-9 please", null), 1);
    int stepsBefore = historySteps(s);

    Outcome first = t.outcome("bot", send(s, "W-9 please", "r1"));
    assertThat(first).isInstanceOf(Outcome.Decided.class);
    assertThat(first.decision().effect()).isEqualTo(Effect.ALLOW);
    assertThat(first.decision().grant()).isEqualTo(grant);

    now.set(now.get().plus(Duration.ofMinutes(3)));
    Outcome retry = t.outcome("bot", send(s, "W-9 please", "r1"));
    assertThat(retry).isInstanceOf(Outcome.Replayed.class);
    assertThat(retry.decision()).isEqualTo(first.decision());
    assertThat(t.decide("bot", send(s, "W-9 please", "r1"))).isEqualTo(first.decision());
    GrantRecord g = t.approvals().grant(grant).orElseThrow();
    assertThat(g.usesLeft()).isZero();
    assertThat(grantUses).containsExactly(grant);
    assertThat(historySteps(s)).as("one history step for r1").isEqualTo(stepsBefore + 1);

    Decision third = t.decide("bot", send(s, "W-9 please", "r2"));
    assertThat(third.effect()).as("no grant left for a new call").isEqualTo(Effect.ASK);
    assertThat(third.id()).isNotEqualTo(first.decision().id());
  }

  @Test
  void aRetriedAskFindsItsApprovalAndOpensNoOther() {
    Tollgate t = engine();
    String s = t.openSession("bot", SessionSpec.of("alice@acme.example", "Mail Globex"));
    Decision asked = t.decide("bot", send(s, "invoice 4471", "r-ask"));
    assertThat(asked.effect()).isEqualTo(Effect.ASK);
    assertThat(t.decide("bot", send(s, "invoice 4471", "r-ask"))).isEqualTo(asked);
    assertThat(t.approvals().list(null, 10)).hasSize(1);
  }

  @Test
  void theSameRequestIdForAnotherActionIsRefusedAndChangesNothing() {
    Tollgate t = engine();
    String s = t.openSession("bot", SessionSpec.of("alice@acme.example", "Mail Globex"));
    Decision first = t.decide("bot", send(s, "one", "r-1"));
    for (Action other :
        List.of(
            send(s, "two", "r-1"),
            new Action(
                s, "bob@acme.example", "email.send", send(s, "one", null).args(), null, "r-1"),
            new Action(s, "alice@acme.example", "chat.post", Map.of("channel", "#x"), null, "r-1"),
            new Action(
                null,
                "alice@acme.example",
                "email.send",
                send(s, "one", null).args(),
                null,
                "r-1"))) {
      Outcome refused = t.outcome("bot", other);
      assertThat(refused)
          .as(other.toString())
          .isInstanceOfSatisfying(
              Outcome.Refused.class,
              r -> assertThat(r.refusal()).isEqualTo(Outcome.Refusal.REQUEST_ID_REUSED));
      assertThat(refused.decision().effect()).isEqualTo(Effect.DENY);
      assertThat(refused.decision().reasons().getFirst().message())
          .contains("request id `r-1` was already used for a different action");
    }
    assertThat(t.decide("bot", send(s, "one", "r-1"))).isEqualTo(first);
    assertThat(t.approvals().list(null, 10)).hasSize(1);
    // Another agent's request ids are its own.
    String theirs = t.openSession("other-bot", SessionSpec.of("alice@acme.example", "Mail"));
    assertThat(t.outcome("other-bot", send(theirs, "two", "r-1")))
        .isInstanceOf(Outcome.Decided.class);
  }

  @Test
  void anInvalidRequestIdIsDeniedAndAJsonActionWithOneIsABadRequest() {
    Tollgate t = engine();
    for (String bad : List.of("", "a b", "x".repeat(129), "café", "line\nbreak", "tab\t")) {
      Outcome o = t.outcome("bot", send(null, "one", bad));
      assertThat(o)
          .as(bad)
          .isInstanceOfSatisfying(
              Outcome.Refused.class,
              r -> assertThat(r.refusal()).isEqualTo(Outcome.Refusal.INVALID_REQUEST_ID));
      assertThat(o.decision().effect()).isEqualTo(Effect.DENY);
      assertThat(o.decision().reasons().getFirst().message())
          .contains("invalid `requestId`: use 1 to 128 printable ASCII characters");
    }
    assertThat(t.outcome("bot", send(null, "one", "x".repeat(128))))
        .isInstanceOf(Outcome.Decided.class);
    InputException e =
        org.assertj.core.api.Assertions.catchThrowableOfType(
            InputException.class,
            () -> ApiJson.readAction("{\"tool\": \"t\", \"requestId\": \"has space\"}"));
    assertThat(e.field()).isEqualTo("/requestId");
    assertThat(e.code()).isEqualTo("bad_request");
  }

  @Test
  void theStoredDecisionHoldsNoFlaggedValueAndARedactionIsMadeAgainOnReplay() {
    MemoryRequestStore store = new MemoryRequestStore(100);
    Tollgate t = engine(store, Duration.ofSeconds(5));
    // A redaction of personal data only: the card number stays in the changed arguments.
    Action chat =
        new Action(
            null,
            "alice@acme.example",
            "chat.post",
            Map.of("channel", "#billing", "text", "card " + CARD + " of jane.doe@customer.example"),
            null,
            "r-chat");
    Decision allowed = t.decide("bot", chat);
    assertThat(allowed.effect()).isEqualTo(Effect.ALLOW);
    assertThat((String) allowed.args().get("text")).contains(CARD).doesNotContain("jane.doe");
    Decision denied = t.decide("bot", send(null, "the key is " + AWS_KEY, "r-secret"));
    assertThat(denied.effect()).isEqualTo(Effect.DENY);

    for (String rid : List.of("r-chat", "r-secret")) {
      String stored = store.get("bot", rid).orElseThrow().decision();
      assertThat(stored)
          .doesNotContain(CARD)
          .doesNotContain("4242424242424242")
          .doesNotContain("jane.doe")
          .doesNotContain(AWS_KEY);
    }
    Outcome replayed = t.outcome("bot", chat);
    assertThat(replayed).isInstanceOf(Outcome.Replayed.class);
    assertThat(replayed.decision()).isEqualTo(allowed);
    assertThat(t.decide("bot", send(null, "the key is " + AWS_KEY, "r-secret"))).isEqualTo(denied);
  }

  @Test
  void twentyConcurrentDuplicatesAreDecidedOnceAndAllGetTheSameAnswer() throws Exception {
    // The first attempt completes slowly, so that the others find it still deciding and wait.
    MemoryRequestStore memory = new MemoryRequestStore(100);
    RequestStore slow =
        new Delegating(memory) {
          @Override
          public boolean complete(String agent, String rid, String decisionId, String decision) {
            sleep(100);
            return super.complete(agent, rid, decisionId, decision);
          }
        };
    Tollgate t = engine(slow, Duration.ofSeconds(10));
    String s = t.openSession("bot", SessionSpec.of("alice@acme.example", "Mail Globex"));
    String grant = granted(t, send(s, "once", null), 1);
    int stepsBefore = historySteps(s);
    List<Future<Outcome>> results = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(20)) {
      for (int i = 0; i < 20; i++) {
        results.add(pool.submit(() -> t.outcome("bot", send(s, "once", "r-race"))));
      }
    }
    Set<Decision> answers = new HashSet<>();
    int decided = 0;
    for (Future<Outcome> f : results) {
      answers.add(f.get().decision());
      decided += f.get() instanceof Outcome.Decided ? 1 : 0;
    }
    assertThat(answers).hasSize(1);
    assertThat(answers.iterator().next().grant()).isEqualTo(grant);
    assertThat(decided).isEqualTo(1);
    assertThat(grantUses).containsExactly(grant);
    assertThat(historySteps(s)).isEqualTo(stepsBefore + 1);
  }

  @Test
  void anAttemptThatNeverCompletesIsDeniedThenTakenOverOnceStale() {
    MemoryRequestStore store = new MemoryRequestStore(100);
    Tollgate t = engine(store, Duration.ofMillis(100));
    Action call = send(null, "hello", "r-crashed");
    // What a server that stopped mid-decision leaves behind: a reservation, never completed.
    store.reserve(
        new RequestRecord(
            "bot",
            "r-crashed",
            "email.send",
            null,
            "alice@acme.example",
            ApiJson.digest(call.args()),
            "dec_lost",
            null,
            now.get(),
            now.get().plus(Duration.ofDays(1))),
        now.get(),
        now.get().minusSeconds(60));
    Outcome waited = t.outcome("bot", call);
    assertThat(waited.decision().effect()).isEqualTo(Effect.DENY);
    assertThat(waited.decision().reasons().getFirst().message())
        .contains("is still being decided by an earlier attempt (decision dec_lost)")
        .contains("its server may have stopped: denied to fail closed");
    now.set(now.get().plus(Duration.ofSeconds(61)));
    Outcome taken = t.outcome("bot", call);
    assertThat(taken).isInstanceOf(Outcome.Decided.class);
    assertThat(taken.decision().effect()).isEqualTo(Effect.ASK);
    assertThat(t.decide("bot", call)).isEqualTo(taken.decision());
  }

  @Test
  void anAttemptWhoseReservationWasTakenOverDenies() {
    RequestStore lost =
        new Delegating(new MemoryRequestStore(100)) {
          @Override
          public boolean complete(String agent, String rid, String decisionId, String decision) {
            return false;
          }
        };
    Outcome o = engine(lost, Duration.ofSeconds(1)).outcome("bot", send(null, "hi", "r-slow"));
    assertThat(o.decision().effect()).isEqualTo(Effect.DENY);
    assertThat(o.decision().reasons().getFirst().message())
        .contains("was taken over by a later attempt");
  }

  @Test
  void aCallThatDecidedNothingIsNotKeptAndTheWindowEnds() {
    Tollgate t = engine();
    Action early = send("s-later", "hi", "r-early");
    assertThat(t.outcome("bot", early))
        .isInstanceOfSatisfying(
            Outcome.Refused.class,
            r -> assertThat(r.refusal()).isEqualTo(Outcome.Refusal.UNKNOWN_SESSION));
    t.openSession("bot", new SessionSpec("s-later", "alice@acme.example", "Mail Globex", null));
    Outcome once = t.outcome("bot", early);
    assertThat(once).as("the unknown session was not kept").isInstanceOf(Outcome.Decided.class);

    now.set(now.get().plus(Duration.ofDays(1)));
    Outcome anew = t.outcome("bot", early);
    assertThat(anew)
        .as("past the window the id names a new call")
        .isInstanceOf(Outcome.Decided.class);
    assertThat(anew.decision().id()).isNotEqualTo(once.decision().id());
  }

  /**
   * For any sequence of calls over a few request ids against a grant of three uses, the grant's
   * uses taken equal the request ids allowed, and every call of one request id got one answer.
   */
  @Property(tries = 40)
  void grantUsesEqualTheRequestIdsAllowed(
      @ForAll @Size(min = 1, max = 25) List<@IntRange(min = 0, max = 5) Integer> calls)
      throws Exception {
    grantUses.clear();
    Tollgate t = engine();
    String s = t.openSession("bot", SessionSpec.of("alice@acme.example", "Mail Globex"));
    String grant = granted(t, send(s, "q3", null), 3);
    Map<String, Decision> answers = new HashMap<>();
    for (int call : calls) {
      String rid = "r" + call;
      Decision d = t.decide("bot", send(s, "q3", rid));
      Decision earlier = answers.putIfAbsent(rid, d);
      assertThat(earlier == null ? d : earlier).isEqualTo(d);
    }
    long allowed = answers.values().stream().filter(Decision::allowed).count();
    GrantRecord g = t.approvals().grant(grant).orElseThrow();
    assertThat(g.uses() - g.usesLeft()).isEqualTo((int) allowed);
    assertThat(grantUses).hasSize((int) allowed);
    assertThat(allowed).isEqualTo(Math.min(3, answers.size()));
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A request store that passes every call on. */
  private static class Delegating implements RequestStore {
    private final RequestStore to;

    Delegating(RequestStore to) {
      this.to = to;
    }

    @Override
    public Optional<RequestRecord> reserve(RequestRecord r, Instant now, Instant staleBefore) {
      return to.reserve(r, now, staleBefore);
    }

    @Override
    public boolean complete(String agent, String rid, String decisionId, String decision) {
      return to.complete(agent, rid, decisionId, decision);
    }

    @Override
    public void release(String agent, String rid, String decisionId) {
      to.release(agent, rid, decisionId);
    }

    @Override
    public Optional<RequestRecord> get(String agent, String rid) {
      return to.get(agent, rid);
    }

    @Override
    public int sweep(Instant now) {
      return to.sweep(now);
    }
  }
}
