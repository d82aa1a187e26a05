package dev.tollgate.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.api.ApprovalStatus;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Finding;
import dev.tollgate.api.Reason;
import dev.tollgate.api.store.ApprovalRecord;
import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.api.store.AuditRecord;
import dev.tollgate.api.store.Checkpoint;
import dev.tollgate.api.store.GrantRecord;
import dev.tollgate.api.store.ObservedResult;
import dev.tollgate.api.store.PeopleStore;
import dev.tollgate.api.store.RequestRecord;
import dev.tollgate.api.store.RequestStore;
import dev.tollgate.api.store.SessionRecord;
import dev.tollgate.api.store.Store;
import dev.tollgate.api.store.StoreUnavailableException;
import dev.tollgate.store.jdbc.audit.AuditChain;
import dev.tollgate.store.jdbc.audit.AuditSigner;
import dev.tollgate.store.jdbc.audit.AuditVerifier;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The guarantees of {@link Store} and its roles, as every implementation must keep them. A subclass
 * gives a fresh, empty store's configuration and a way to make it unreachable and back.
 */
abstract class StoreContractTest {

  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  private final List<Store> opened = new ArrayList<>();

  /** The configuration of this test's store (the same one on every call within a test). */
  abstract StoreConfig config();

  /** Makes this test's store unreachable (or unable to take writes). */
  abstract void breakStore() throws Exception;

  /** Makes it reachable again. */
  abstract void repairStore() throws Exception;

  Store open() {
    return open(config());
  }

  Store open(StoreConfig config) {
    Store s = JdbcStore.open(config);
    opened.add(s);
    return s;
  }

  @AfterEach
  void closeStores() {
    opened.forEach(Store::close);
  }

  static AuditEntry entry(int i, String agent, String tool, String effect) {
    return new AuditEntry(
        T0.plusSeconds(i),
        AuditEntry.Kind.DECISION,
        agent,
        "alice@acme.example",
        "s-" + (i % 3),
        tool,
        Effect.parse(effect),
        "d-" + i,
        List.of(new Reason("no-external-mail", "not to outside domains")),
        List.of(new Finding("iban", "financial", "/args/body", "DE89 •••• 3000")),
        "sha256:" + "cd".repeat(32),
        120 + i,
        Map.of("i", (long) i, "ratio", 0.25, "tags", List.of("a", "b")));
  }

  static AuditEntry entry(int i) {
    return entry(i, "bot", "email.send", "allow");
  }

  static List<AuditRecord> all(Store store) {
    List<AuditRecord> out = new ArrayList<>();
    while (true) {
      long after = out.isEmpty() ? 0 : out.getLast().seq();
      List<AuditRecord> page = store.audit().search(AuditQuery.after(after, 5000));
      if (page.isEmpty()) {
        return out;
      }
      out.addAll(page);
    }
  }

  static void waitFor(String what, BooleanSupplier condition) {
    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.onSpinWait();
    }
  }

  static <T> List<T> inParallel(int threads, Callable<T> task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(pool.submit(task));
      }
      List<T> out = new ArrayList<>();
      for (Future<T> f : futures) {
        out.add(f.get());
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void appendedRecordsAreChainedInOrderFromOne() {
    Store store = open();
    assertThat(store.audit().head()).isEmpty();
    List<AuditRecord> first = store.audit().append(List.of(entry(1), entry(2), entry(3)));
    List<AuditRecord> second = store.audit().append(List.of(entry(4), entry(5)));
    assertThat(first).extracting(AuditRecord::seq).containsExactly(1L, 2L, 3L);
    assertThat(second).extracting(AuditRecord::seq).containsExactly(4L, 5L);
    assertThat(first.getFirst().prevHash()).isEqualTo(AuditChain.GENESIS);
    assertThat(second.getFirst().prevHash()).isEqualTo(first.getLast().hash());
    assertThat(first.get(1).prevHash()).isEqualTo(first.get(0).hash());
    assertThat(first).allMatch(AuditChain::intact);
    assertThat(first.get(2).entry()).isEqualTo(entry(3));
    List<AuditRecord> stored = all(store);
    List<AuditRecord> returned = new ArrayList<>(first);
    returned.addAll(second);
    assertThat(stored).isEqualTo(returned);
    assertThat(store.audit().head()).contains(second.getLast());
    assertThat(store.audit().append(List.of())).isEmpty();
    assertThat(store.audit().head()).contains(second.getLast());
    assertThat(store.kind()).isIn("sqlite", "postgresql");
    assertThat(store.ready()).isTrue();
  }

  @Test
  void everythingIsDurableAcrossCloseAndReopen() {
    AuditSigner signer = AuditSigner.generate();
    Store store = open();
    List<AuditRecord> records = store.audit().append(List.of(entry(1), entry(2)));
    Checkpoint cp = signer.sign(2, records.getLast().hash(), T0);
    store.audit().addCheckpoint(cp);
    store.sessions().create(session("s-1"));
    store.sessions().appendHistory("s-1", "email.send", Effect.DENY, 10);
    store.credentials().add("bot", "sha256:" + "aa".repeat(32), T0);
    store.close();

    Store again = open();
    assertThat(all(again)).isEqualTo(records);
    assertThat(again.audit().checkpoints()).containsExactly(cp);
    assertThat(again.sessions().get("s-1").orElseThrow().history())
        .containsExactly(Map.of("tool", "email.send", "effect", "deny"));
    assertThat(again.credentials().agentFor("sha256:" + "aa".repeat(32))).contains("bot");
    List<AuditRecord> more = again.audit().append(List.of(entry(3)));
    assertThat(more.getFirst().seq()).isEqualTo(3);
    assertThat(more.getFirst().prevHash()).isEqualTo(records.getLast().hash());
    assertThat(
            AuditVerifier.verify(all(again), again.audit().checkpoints(), signer.publicKey()).ok())
        .isTrue();
  }

  @Test
  void concurrentAppendsNeverForkAndLeaveNoGaps() throws Exception {
    Store store = open();
    int threads = 16;
    int calls = 100;
    List<List<AuditRecord>> perThread =
        inParallel(
            threads,
            () -> {
              List<AuditRecord> mine = new ArrayList<>();
              for (int i = 0; i < calls; i++) {
                List<AuditEntry> batch =
                    i % 4 == 0 ? List.of(entry(i), entry(i + 1), entry(i + 2)) : List.of(entry(i));
                List<AuditRecord> got = store.audit().append(batch);
                assertThat(got).hasSize(batch.size());
                for (int k = 1; k < got.size(); k++) {
                  assertThat(got.get(k).seq()).isEqualTo(got.get(k - 1).seq() + 1);
                  assertThat(got.get(k).prevHash()).isEqualTo(got.get(k - 1).hash());
                }
                mine.addAll(got);
              }
              return mine;
            });
    long expected = (long) threads * (calls + calls / 4 * 2);
    List<AuditRecord> stored = all(store);
    assertThat(stored).hasSize((int) expected);
    for (int i = 0; i < stored.size(); i++) {
      assertThat(stored.get(i).seq()).isEqualTo(i + 1);
    }
    AuditVerifier.Result result =
        AuditVerifier.verify(stored, List.of(), AuditSigner.generate().publicKey());
    assertThat(result.ok()).as(result.message()).isTrue();
    List<AuditRecord> returned = new ArrayList<>();
    perThread.forEach(returned::addAll);
    assertThat(returned).containsExactlyInAnyOrderElementsOf(stored);
  }

  @Test
  void searchFiltersAndPages() {
    Store store = open();
    store
        .audit()
        .append(
            List.of(
                entry(1, "bot", "email.send", "allow"),
                entry(2, "bot", "email.send", "deny"),
                entry(3, "crm-bot", "crm.update", "ask"),
                entry(4, "bot", "invoices.search", "allow"),
                new AuditEntry(
                    T0.plusSeconds(5),
                    AuditEntry.Kind.REJECTED,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    List.of(),
                    List.of(),
                    null,
                    0,
                    null)));
    assertThat(seqs(store, q("bot", null, null, null, null, null, null, 0, 100)))
        .containsExactly(1L, 2L, 4L);
    assertThat(seqs(store, q(null, "s-0", null, null, null, null, null, 0, 100)))
        .containsExactly(3L);
    assertThat(seqs(store, q(null, null, "email.send", null, null, null, null, 0, 100)))
        .containsExactly(1L, 2L);
    assertThat(seqs(store, q(null, null, null, "allow", null, null, null, 0, 100)))
        .containsExactly(1L, 4L);
    assertThat(seqs(store, q(null, null, null, null, "rejected", null, null, 0, 100)))
        .containsExactly(5L);
    assertThat(
            seqs(
                store,
                q(null, null, null, null, null, T0.plusSeconds(2), T0.plusSeconds(4), 0, 100)))
        .containsExactly(2L, 3L);
    assertThat(seqs(store, q("bot", null, null, "allow", null, null, null, 1, 100)))
        .containsExactly(4L);
    assertThat(seqs(store, AuditQuery.after(1, 2))).containsExactly(2L, 3L);
    assertThat(seqs(store, AuditQuery.decision("d-3"))).containsExactly(3L);
    assertThat(store.audit().search(AuditQuery.decision("d-3")).getFirst().entry().decision())
        .isEqualTo("d-3");
    assertThat(seqs(store, AuditQuery.decision("d-none"))).isEmpty();
    assertThat(store.audit().search(AuditQuery.after(4, 10)).getFirst().entry().agent()).isNull();
  }

  private static AuditQuery q(
      String agent,
      String session,
      String tool,
      String effect,
      String kind,
      Instant from,
      Instant to,
      long after,
      int limit) {
    return new AuditQuery(
        agent,
        session,
        tool,
        effect == null ? null : Effect.parse(effect),
        kind == null ? null : AuditEntry.Kind.parse(kind),
        null,
        from,
        to,
        after,
        limit);
  }

  private static List<Long> seqs(Store store, AuditQuery query) {
    return store.audit().search(query).stream().map(AuditRecord::seq).toList();
  }

  @Test
  void checkpointsAreKeptOldestFirstAndVerify() {
    AuditSigner signer = AuditSigner.generate();
    Store store = open();
    assertThat(store.audit().checkpoints()).isEmpty();
    AuditRecord a = store.audit().append(List.of(entry(1), entry(2))).getLast();
    Checkpoint first = signer.sign(a.seq(), a.hash(), T0.plusNanos(123));
    store.audit().addCheckpoint(first);
    AuditRecord b = store.audit().append(List.of(entry(3))).getLast();
    Checkpoint second = signer.sign(b.seq(), b.hash(), T0.plusSeconds(60));
    store.audit().addCheckpoint(second);
    assertThat(store.audit().checkpoints()).containsExactly(first, second);
    assertThat(
            AuditVerifier.verify(all(store), store.audit().checkpoints(), signer.publicKey()).ok())
        .isTrue();
  }

  static SessionRecord session(String id) {
    return new SessionRecord(
        id,
        "bot",
        "alice@acme.example",
        "notify the vendor",
        Map.of("goal", "tax documents", "n", 2),
        List.of("external"),
        List.of(),
        T0);
  }

  @Test
  void sessionsAreCreatedOnceAndKeepTheirHistoryAndLabels() {
    Store store = open();
    assertThat(store.sessions().create(session("s-1"))).isTrue();
    SessionRecord other =
        new SessionRecord("s-1", "evil", null, null, null, List.of(), List.of(), T0);
    assertThat(store.sessions().create(other)).isFalse();
    SessionRecord got = store.sessions().get("s-1").orElseThrow();
    assertThat(got).isEqualTo(session("s-1"));
    assertThat(store.sessions().get("nope")).isEmpty();

    for (int i = 0; i < 5; i++) {
      store
          .sessions()
          .appendHistory("s-1", "tool-" + i, i % 2 == 0 ? Effect.ALLOW : Effect.DENY, 3);
    }
    assertThat(store.sessions().get("s-1").orElseThrow().history())
        .extracting(step -> step.get("tool"))
        .containsExactly("tool-2", "tool-3", "tool-4");
    store.sessions().addLabels("s-1", List.of("financial", "external", "financial"));
    store.sessions().addLabels("s-1", List.of("pii"));
    assertThat(store.sessions().get("s-1").orElseThrow().labels())
        .containsExactly("external", "financial", "pii");
    store.sessions().appendHistory("nope", "t", Effect.ALLOW, 3);
    store.sessions().addLabels("nope", List.of("x"));
    assertThat(store.sessions().get("nope")).isEmpty();
  }

  @Test
  void observedResultsAreNumberedKeptNewestFirstAndReadAfterASequence() {
    Store store = open();
    store.sessions().create(session("s-1"));
    for (int i = 1; i <= 5; i++) {
      long seq =
          store
              .sessions()
              .addResult(
                  "s-1",
                  new ObservedResult(
                      0,
                      "tool-" + i,
                      i % 2 == 0 ? ObservedResult.Trust.UNTRUSTED : ObservedResult.Trust.TRUSTED,
                      List.of("l" + i),
                      new byte[] {(byte) i, 0, 1}),
                  3);
      assertThat(seq).isEqualTo(i);
    }
    assertThat(store.sessions().get("s-1").orElseThrow().results()).isEqualTo(5);
    List<ObservedResult> kept = store.sessions().results("s-1", 0);
    assertThat(kept).extracting(ObservedResult::seq).containsExactly(3L, 4L, 5L);
    assertThat(kept.get(1))
        .isEqualTo(
            new ObservedResult(
                4, "tool-4", ObservedResult.Trust.UNTRUSTED, List.of("l4"), new byte[] {4, 0, 1}));
    assertThat(store.sessions().results("s-1", 4))
        .extracting(ObservedResult::seq)
        .containsExactly(5L);
    assertThat(store.sessions().addResult("nope", kept.getFirst(), 3)).isZero();
    assertThat(store.sessions().results("nope", 0)).isEmpty();
  }

  @Test
  void concurrentResultsAreAllNumberedOnce() throws Exception {
    Store store = open();
    store.sessions().create(session("s-1"));
    int threads = 8;
    int each = 10;
    inParallel(
        threads,
        () -> {
          for (int i = 0; i < each; i++) {
            store
                .sessions()
                .addResult(
                    "s-1",
                    new ObservedResult(
                        0, "t", ObservedResult.Trust.TRUSTED, List.of(), new byte[8]),
                    10_000);
          }
          return null;
        });
    assertThat(store.sessions().results("s-1", 0))
        .extracting(ObservedResult::seq)
        .containsExactlyElementsOf(
            java.util.stream.LongStream.rangeClosed(1, threads * each).boxed().toList());
  }

  /**
   * History steps are group-committed: steps of many sessions from two instances on one database
   * (two servers) all land, each session keeps each caller's steps in the order it appended them,
   * and the bound on the history holds.
   */
  @Test
  void historyStepsFromTwoInstancesAreAllKeptInEachCallersOrder() throws Exception {
    Store one = open();
    Store two = open();
    for (int s = 0; s < 4; s++) {
      one.sessions().create(session("h-" + s));
    }
    one.sessions().create(session("bounded"));
    int threads = 8;
    int each = 25;
    inParallel(
        threads,
        () -> {
          String me = Thread.currentThread().getName();
          Store store = me.hashCode() % 2 == 0 ? one : two;
          for (int i = 0; i < each; i++) {
            store.sessions().appendHistory("h-" + (i % 4), me + "#" + i, Effect.ALLOW, 10_000);
            store.sessions().appendHistory("bounded", me + "#" + i, Effect.DENY, 5);
            store.sessions().appendHistory("no-such-session", me, Effect.ALLOW, 10);
          }
          return null;
        });
    List<Map<String, Object>> steps = new ArrayList<>();
    for (int s = 0; s < 4; s++) {
      steps.addAll(one.sessions().get("h-" + s).orElseThrow().history());
    }
    assertThat(steps).hasSize(threads * each);
    Map<String, Integer> last = new LinkedHashMap<>();
    for (int s = 0; s < 4; s++) {
      last.clear();
      for (Map<String, Object> step : two.sessions().get("h-" + s).orElseThrow().history()) {
        String[] tool = ((String) step.get("tool")).split("#");
        int i = Integer.parseInt(tool[1]);
        assertThat(i).as("order of %s", tool[0]).isGreaterThan(last.getOrDefault(tool[0], -1));
        last.put(tool[0], i);
      }
    }
    assertThat(one.sessions().get("bounded").orElseThrow().history()).hasSize(5);
    assertThat(one.sessions().get("no-such-session")).isEmpty();
  }

  @Test
  void concurrentSessionUpdatesAreAllKept() throws Exception {
    Store store = open();
    store.sessions().create(session("s-1"));
    int threads = 16;
    int each = 20;
    inParallel(
        threads,
        () -> {
          String me = Thread.currentThread().getName();
          for (int i = 0; i < each; i++) {
            store.sessions().appendHistory("s-1", me + "#" + i, Effect.ALLOW, 10_000);
            store.sessions().addLabels("s-1", List.of(me + "#" + i));
          }
          return null;
        });
    SessionRecord got = store.sessions().get("s-1").orElseThrow();
    assertThat(got.history()).hasSize(threads * each);
    assertThat(got.labels()).hasSize(threads * each + 1);
  }

  @Test
  void credentialsResolveUntilRevoked() {
    Store store = open();
    String t1 = AuditChain.sha256("token-1");
    String t2 = AuditChain.sha256("token-2");
    String t3 = AuditChain.sha256("token-3");
    store.credentials().add("bot", t1, T0);
    store.credentials().add("bot", t2, T0);
    store.credentials().add("crm-bot", t3, T0);
    assertThat(store.credentials().agentFor(t1)).contains("bot");
    assertThat(store.credentials().agentFor(t3)).contains("crm-bot");
    assertThat(store.credentials().agentFor(AuditChain.sha256("unknown"))).isEmpty();
    assertThat(store.credentials().revoke("bot")).isEqualTo(2);
    assertThat(store.credentials().revoke("bot")).isZero();
    assertThat(store.credentials().agentFor(t1)).isEmpty();
    assertThat(store.credentials().agentFor(t2)).isEmpty();
    assertThat(store.credentials().agentFor(t3)).contains("crm-bot");
    store.credentials().add("bot", t1, T0.plusSeconds(1));
    assertThat(store.credentials().agentFor(t1)).as("a revoked token stays revoked").isEmpty();
  }

  /**
   * The deadline holds per call, whatever the call waits on (the pool, the writer lock, another
   * process's lock): a broken store answers every call within it, and right after a failure the
   * calls fail at once rather than each waiting it out again.
   */
  @Test
  void aBrokenStoreFailsEveryCallWithinItsDeadline() throws Exception {
    Duration deadline = Duration.ofMillis(1000);
    Store store = open(config().withDeadline(deadline));
    store.sessions().create(session("s-1"));
    store.audit().append(List.of(entry(1)));
    breakStore();
    try {
      Map<String, Runnable> calls = new LinkedHashMap<>();
      calls.put("audit append", () -> store.audit().append(List.of(entry(2))));
      calls.put(
          "history append", () -> store.sessions().appendHistory("s-1", "t", Effect.ALLOW, 5));
      calls.put("session create", () -> store.sessions().create(session("s-2")));
      calls.put("credential add", () -> store.credentials().add("bot", "sha256:x", T0));
      for (Map.Entry<String, Runnable> call : calls.entrySet()) {
        // past the fail-fast window, so that this call waits on the store itself
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(Db.FAIL_FAST_NANOS) + 100);
        long start = System.nanoTime();
        assertThatThrownBy(call.getValue()::run)
            .as(call.getKey())
            .isInstanceOf(StoreUnavailableException.class);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(took)
            .as(call.getKey() + " failed within the deadline (%s)", deadline)
            .isLessThan(deadline.plusMillis(400));
        long again = System.nanoTime();
        assertThatThrownBy(call.getValue()::run).isInstanceOf(StoreUnavailableException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - again))
            .as(call.getKey() + " failed fast right after a failure")
            .isLessThan(Duration.ofMillis(300));
      }
      assertThat(store.readiness().ready()).isFalse();
      assertThat(store.readiness().detail()).isNotBlank();
    } finally {
      repairStore();
    }
    waitFor("the store to answer again", store::ready);
  }

  @Test
  void anUnreachableStoreFailsWithStoreUnavailableAndRecovers() throws Exception {
    Store store = open(config().withDeadline(Duration.ofMillis(500)));
    List<AuditRecord> before = store.audit().append(List.of(entry(1)));
    store.sessions().create(session("s-1"));

    breakStore();
    try {
      assertThatThrownBy(() -> store.audit().append(List.of(entry(2), entry(3))))
          .isInstanceOf(StoreUnavailableException.class);
      List<Object> outcomes =
          inParallel(
              8,
              () -> {
                try {
                  return store.audit().append(List.of(entry(5), entry(6)));
                } catch (StoreUnavailableException expected) {
                  return expected;
                }
              });
      assertThat(outcomes).allMatch(StoreUnavailableException.class::isInstance);
      assertThatThrownBy(() -> store.sessions().create(session("s-2")))
          .isInstanceOf(StoreUnavailableException.class);
      assertThatThrownBy(() -> store.sessions().appendHistory("s-1", "t", Effect.ALLOW, 5))
          .isInstanceOf(StoreUnavailableException.class);
      assertThatThrownBy(() -> store.credentials().add("bot", "sha256:x", T0))
          .isInstanceOf(StoreUnavailableException.class);
      assertThat(store.ready()).isFalse();
    } finally {
      repairStore();
    }

    waitFor("the store to answer again", store::ready);
    Optional<List<AuditRecord>> after = Optional.empty();
    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (after.isEmpty() && System.nanoTime() < end) {
      try {
        after = Optional.of(store.audit().append(List.of(entry(4))));
      } catch (StoreUnavailableException stillRecovering) {
        // a pooled connection from before the outage; the next call gets a fresh one
      }
    }
    assertThat(after).isPresent();
    List<AuditRecord> stored = all(store);
    assertThat(stored).hasSize(2);
    assertThat(stored.getFirst()).isEqualTo(before.getFirst());
    assertThat(stored.get(1).seq()).isEqualTo(2);
    assertThat(stored.get(1).entry()).isEqualTo(entry(4));
    assertThat(stored.get(1).prevHash()).isEqualTo(before.getFirst().hash());
    assertThat(store.sessions().get("s-2")).isEmpty();
    assertThat(store.sessions().get("s-1").orElseThrow().history()).isEmpty();
  }

  @Test
  void appendThroughputFrom32Threads() throws Exception {
    Store store = open();
    store.audit().append(List.of(entry(0)));
    int threads = 32;
    int each = 500;
    long total = 1;
    for (String round : List.of("warm-up", "measured")) {
      long[] before = ((JdbcStore) store).auditStats();
      long start = System.nanoTime();
      inParallel(
          threads,
          () -> {
            for (int i = 0; i < each; i++) {
              store.audit().append(List.of(entry(i)));
            }
            return null;
          });
      double seconds = (System.nanoTime() - start) / 1e9;
      total += threads * each;
      System.out.printf(
          "%s (%s): %d durable single-entry appends from %d threads in %.2f s = %.0f appends/s%n",
          store.kind(), round, threads * each, threads, seconds, threads * each / seconds);
      long[] after = ((JdbcStore) store).auditStats();
      long batches = after[0] - before[0];
      System.out.printf(
          "  %d commits, %.1f entries per commit, %.0f us per commit transaction%n",
          batches,
          (after[1] - before[1]) / (double) batches,
          (after[2] - before[2]) / 1e3 / batches);
    }
    assertThat(store.audit().head().orElseThrow().seq()).isEqualTo(total);
  }

  // ---- approvals and grants ----

  static ApprovalRecord approval(String id, Instant created, Duration ttl) {
    return new ApprovalRecord(
        id,
        ApprovalStatus.PENDING,
        ApprovalRecord.Kind.ACTION,
        "bot",
        "alice@acme.example",
        "s-1",
        "email.send",
        Map.of("to", List.of("ap@globex.example"), "n", 3L),
        "sha256:" + "ab".repeat(32),
        List.of(new Reason("external-mail", "mail to ap@globex.example")),
        List.of(new Finding("iban", "financial", "/args/body", "DE89 •••• 3000")),
        Map.of("to", "user"),
        "dec_1",
        Map.of(),
        true,
        false,
        created,
        created.plus(ttl),
        null,
        null,
        null,
        null);
  }

  static GrantRecord grant(String id, int uses, Instant created) {
    return new GrantRecord(
        id,
        GrantRecord.SubjectKind.SESSION,
        "s-1",
        "bot",
        "email.*",
        null,
        "action.args.to.size() == 1",
        created.plus(Duration.ofMinutes(15)),
        uses,
        uses,
        "carol",
        "ok for today",
        null,
        created,
        null,
        null);
  }

  @Test
  void approvalsRoundTripAndAreDecidedOnce() {
    Store store = open();
    ApprovalRecord a = approval("apr_1", T0, Duration.ofMinutes(15));
    store.approvals().create(a);
    assertThat(store.approvals().get("apr_1")).contains(a);
    ApprovalRecord latest =
        store.approvals().latestFor("bot", "s-1", "email.send", a.argsDigest()).orElseThrow();
    assertThat(latest.id()).isEqualTo(a.id());
    assertThat(latest.status()).isEqualTo(a.status());
    assertThat(latest.expiresAt()).isEqualTo(a.expiresAt());
    assertThat(latest.argsDigest()).isEqualTo(a.argsDigest());
    assertThat(store.approvals().latestFor("bot", null, "email.send", a.argsDigest())).isEmpty();
    assertThat(store.approvals().list(ApprovalStatus.PENDING, T0, 10)).containsExactly(a);

    GrantRecord g = grant("grt_1", 1, T0.plusSeconds(5));
    assertThat(store.approvals().approve("apr_1", "carol", "fine", g, T0.plusSeconds(5))).isTrue();
    assertThat(store.approvals().approve("apr_1", "dave", "twice", grant("grt_2", 1, T0), T0))
        .isFalse();
    assertThat(store.approvals().deny("apr_1", "dave", "no", T0.plusSeconds(6))).isFalse();
    ApprovalRecord done = store.approvals().get("apr_1").orElseThrow();
    assertThat(done.status()).isEqualTo(ApprovalStatus.APPROVED);
    assertThat(done.decidedBy()).isEqualTo("carol");
    assertThat(done.grant()).isEqualTo("grt_1");
    assertThat(store.approvals().grants().get("grt_1")).contains(g);
    assertThat(store.approvals().grants().get("grt_2")).isEmpty();
  }

  @Test
  void approvalsExpireOnceAndCannotBeDecidedAfterwards() {
    Store store = open();
    store.approvals().create(approval("apr_old", T0, Duration.ofMinutes(1)));
    store.approvals().create(approval("apr_new", T0, Duration.ofMinutes(30)));
    Instant later = T0.plus(Duration.ofMinutes(2));
    // listed by their status as of now, before and after the sweep marks them
    assertThat(store.approvals().list(ApprovalStatus.PENDING, later, 10))
        .extracting(ApprovalRecord::id)
        .containsExactly("apr_new");
    assertThat(store.approvals().list(ApprovalStatus.EXPIRED, later, 10))
        .extracting(ApprovalRecord::id)
        .containsExactly("apr_old");
    assertThat(store.approvals().list(null, later, 10)).hasSize(2);
    assertThat(store.approvals().approve("apr_old", "carol", null, grant("g", 1, later), later))
        .isFalse();
    assertThat(store.approvals().expire(later)).containsExactly("apr_old");
    assertThat(store.approvals().expire(later)).isEmpty();
    assertThat(store.approvals().get("apr_old").orElseThrow().status())
        .isEqualTo(ApprovalStatus.EXPIRED);
    assertThat(store.approvals().list(ApprovalStatus.EXPIRED, later, 10))
        .extracting(ApprovalRecord::id)
        .containsExactly("apr_old");
    assertThat(store.approvals().deny("apr_new", "carol", "not now", later)).isTrue();
    assertThat(store.approvals().get("apr_new").orElseThrow().note()).isEqualTo("not now");
  }

  @Test
  void aOneUseGrantIsTakenExactlyOnceUnderConcurrency() throws Exception {
    Store store = open();
    store.approvals().grants().issue(grant("grt_once", 1, T0));
    store.approvals().grants().issue(grant("grt_any", 0, T0));
    Instant now = T0.plusSeconds(1);
    int callers = 100;
    List<Future<Boolean>> results = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
      for (int i = 0; i < callers; i++) {
        results.add(pool.submit(() -> store.approvals().grants().use("grt_once", now)));
      }
    }
    int won = 0;
    for (Future<Boolean> f : results) {
      won += f.get() ? 1 : 0;
    }
    assertThat(won).isEqualTo(1);
    assertThat(store.approvals().grants().get("grt_once").orElseThrow().status(now))
        .isEqualTo(GrantRecord.Status.USED);
    for (int i = 0; i < 5; i++) {
      assertThat(store.approvals().grants().use("grt_any", now)).isTrue();
    }
    assertThat(store.approvals().grants().candidates("bot", "s-1", null, now))
        .extracting(GrantRecord::id)
        .containsExactly("grt_any");
    assertThat(store.approvals().grants().candidates("bot", "s-2", null, now)).isEmpty();
    assertThat(store.approvals().grants().revoke("grt_any", "erin", now)).isTrue();
    assertThat(store.approvals().grants().revoke("grt_any", "erin", now)).isFalse();
    assertThat(store.approvals().grants().use("grt_any", now)).isFalse();
    assertThat(store.approvals().grants().list(true, now, 10)).isEmpty();
    assertThat(store.approvals().grants().list(false, now, 10)).hasSize(2);
    Instant expired = T0.plus(Duration.ofMinutes(16));
    store.approvals().grants().issue(grant("grt_late", 0, T0));
    assertThat(store.approvals().grants().use("grt_late", expired)).isFalse();
  }

  @Test
  void peopleAndConsoleSessionsKeepOnlyHashesAndExpire() {
    Store store = open();
    PeopleStore people = store.people();
    PeopleStore.Person ann =
        new PeopleStore.Person(
            "ann", "pbkdf2-sha256$1$c2FsdA$aGFzaA", Set.of("approver"), T0, false);
    assertThat(people.add(ann)).isTrue();
    assertThat(people.add(ann)).as("a taken name changes nothing").isFalse();
    assertThat(people.get("ann")).contains(ann);
    assertThat(people.get("bob")).isEmpty();
    assertThat(people.setPassword("ann", "pbkdf2-sha256$2$eA$eQ")).isTrue();
    assertThat(people.get("ann").orElseThrow().passwordHash()).isEqualTo("pbkdf2-sha256$2$eA$eQ");

    PeopleStore.Session s =
        new PeopleStore.Session("sha256:ab", "ann", "csrf-1", T0, T0.plus(Duration.ofHours(8)));
    people.openSession(s);
    assertThat(people.session("sha256:ab", T0.plusSeconds(60))).contains(s);
    assertThat(people.session("sha256:ab", T0.plus(Duration.ofHours(9)))).isEmpty();
    assertThat(people.purgeSessions(T0.plus(Duration.ofHours(9)))).isEqualTo(1);

    people.openSession(s);
    assertThat(people.setDisabled("ann", true)).isTrue();
    assertThat(people.get("ann").orElseThrow().disabled()).isTrue();
    assertThat(people.session("sha256:ab", T0)).as("disabling ends sessions").isEmpty();
    people.openSession(s);
    people.closeSession("sha256:ab");
    assertThat(people.session("sha256:ab", T0)).isEmpty();
    assertThat(people.list()).extracting(PeopleStore.Person::name).containsExactly("ann");
  }

  @Test
  void removingAPersonOrClosingTheirSessionsEndsOnlyTheirSessions() {
    Store store = open();
    PeopleStore people = store.people();
    String hash = "pbkdf2-sha256$1$c2FsdA$aGFzaA";
    assertThat(people.add(new PeopleStore.Person("ann", hash, Set.of("approver"), T0, false)))
        .isTrue();
    assertThat(
            people.add(new PeopleStore.Person("bob", hash, Set.of("admin", "auditor"), T0, false)))
        .isTrue();
    Instant until = T0.plus(Duration.ofHours(8));
    people.openSession(new PeopleStore.Session("sha256:a1", "ann", "c1", T0, until));
    people.openSession(new PeopleStore.Session("sha256:a2", "ann", "c2", T0, until));
    people.openSession(new PeopleStore.Session("sha256:b1", "bob", "c3", T0, until));

    assertThat(people.closeSessions("ann")).isEqualTo(2);
    assertThat(people.session("sha256:a1", T0)).isEmpty();
    assertThat(people.session("sha256:a2", T0)).isEmpty();
    assertThat(people.session("sha256:b1", T0)).isPresent();
    assertThat(people.closeSessions("nobody")).isZero();

    people.openSession(new PeopleStore.Session("sha256:a3", "ann", "c4", T0, until));
    assertThat(people.remove("ann")).isTrue();
    assertThat(people.get("ann")).isEmpty();
    assertThat(people.session("sha256:a3", T0)).as("removing ends sessions").isEmpty();
    assertThat(people.session("sha256:b1", T0)).isPresent();
    assertThat(people.remove("ann")).as("nobody left to remove").isFalse();
    assertThat(people.list()).extracting(PeopleStore.Person::name).containsExactly("bob");
    assertThat(people.get("bob").orElseThrow().roles())
        .containsExactlyInAnyOrder("admin", "auditor");
  }

  static RequestRecord request(String rid, String decisionId, String tool, Instant at) {
    return new RequestRecord(
        "bot",
        rid,
        tool,
        "s-1",
        "alice@acme.example",
        "sha256:" + "ab".repeat(32),
        decisionId,
        null,
        at,
        at.plus(Duration.ofDays(1)));
  }

  @Test
  void aRequestIdIsReservedOnceCompletedByItsHolderAndReplacedOnlyWhenOverOrStale() {
    RequestStore requests = open().requests();
    Instant stale = T0.minus(Duration.ofMinutes(1));
    RequestRecord first = request("r1", "dec_1", "email.send", T0);
    assertThat(requests.reserve(first, T0, stale)).isEmpty();
    assertThat(requests.get("bot", "r1")).contains(first);
    RequestRecord held =
        requests.reserve(request("r1", "dec_2", "email.send", T0), T0, stale).orElseThrow();
    assertThat(held).isEqualTo(first);
    assertThat(held.pending()).isTrue();
    assertThat(requests.reserve(request("r1", "dec_3", "other.tool", T0), T0, stale))
        .as("another action gets the entry that holds the key")
        .contains(first);
    assertThat(requests.complete("bot", "r1", "dec_2", "{\"x\":2}"))
        .as("only the holder completes")
        .isFalse();
    assertThat(requests.complete("bot", "r1", "dec_1", "{\"x\":1}")).isTrue();
    assertThat(requests.complete("bot", "r1", "dec_1", "{\"x\":9}")).as("once").isFalse();
    RequestRecord decided =
        requests.reserve(request("r1", "dec_4", "email.send", T0), T0, stale).orElseThrow();
    assertThat(decided).isEqualTo(first.decided("{\"x\":1}"));
    requests.release("bot", "r1", "dec_1");
    assertThat(requests.get("bot", "r1")).as("a decided entry is never released").isPresent();
    // another agent's key is its own
    assertThat(
            requests.reserve(
                new RequestRecord(
                    "other-bot",
                    "r1",
                    "t",
                    null,
                    null,
                    "sha256:00",
                    "dec_5",
                    null,
                    T0,
                    T0.plusSeconds(60)),
                T0,
                stale))
        .isEmpty();

    // Past its window an entry is replaced, and swept.
    Instant later = T0.plus(Duration.ofDays(1));
    RequestRecord next = request("r1", "dec_6", "other.tool", later);
    assertThat(requests.reserve(next, later, later.minus(Duration.ofMinutes(1)))).isEmpty();
    assertThat(requests.get("bot", "r1")).contains(next);
    assertThat(requests.sweep(later)).as("other-bot's entry ended").isEqualTo(1);
    assertThat(requests.sweep(later.plus(Duration.ofDays(1)))).isEqualTo(1);
    assertThat(requests.get("bot", "r1")).isEmpty();

    // A pending entry is released by its holder only, and taken over once stale.
    RequestRecord pending = request("r2", "dec_7", "email.send", T0);
    assertThat(requests.reserve(pending, T0, stale)).isEmpty();
    requests.release("bot", "r2", "dec_8");
    assertThat(requests.get("bot", "r2")).contains(pending);
    Instant minuteOn = T0.plus(Duration.ofSeconds(61));
    RequestRecord takeover = request("r2", "dec_9", "email.send", minuteOn);
    assertThat(requests.reserve(takeover, minuteOn, minuteOn.minus(Duration.ofMinutes(1))))
        .isEmpty();
    assertThat(requests.complete("bot", "r2", "dec_7", "{}"))
        .as("the stopped attempt can no longer complete")
        .isFalse();
    requests.release("bot", "r2", "dec_9");
    assertThat(requests.get("bot", "r2")).isEmpty();
  }

  @Test
  void ofTwentyConcurrentReservationsExactlyOneWins() throws Exception {
    Store store = open();
    java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
    List<Optional<RequestRecord>> results =
        inParallel(
            20,
            () ->
                store
                    .requests()
                    .reserve(
                        request("r-race", "dec_" + n.incrementAndGet(), "email.send", T0),
                        T0,
                        T0.minus(Duration.ofMinutes(1))));
    assertThat(results.stream().filter(Optional::isEmpty).count()).isEqualTo(1);
    String winner = store.requests().get("bot", "r-race").orElseThrow().decisionId();
    assertThat(results.stream().flatMap(Optional::stream))
        .hasSize(19)
        .allSatisfy(r -> assertThat(r.decisionId()).isEqualTo(winner));
  }

  @Test
  void approvalsAreRecordedOneAtATimeAndTheSecondIssuesTheGrant() throws Exception {
    Store store = open();
    store.approvals().create(approval("apr_4e", T0, Duration.ofMinutes(15)));
    Instant at = T0.plusSeconds(5);
    ApprovalRecord.Approval carol =
        new ApprovalRecord.Approval(
            "carol",
            at,
            "looks right",
            Map.of("subject", "session", "uses", 3L, "ttlSeconds", 900L));
    // Of ten first approvals racing, exactly one is recorded.
    java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
    List<Boolean> firsts =
        inParallel(
            10,
            () ->
                store
                    .approvals()
                    .addApproval(
                        "apr_4e",
                        List.of(),
                        n.incrementAndGet() == 1
                            ? carol
                            : new ApprovalRecord.Approval("p" + n.get(), at, null, null),
                        null,
                        at));
    assertThat(firsts.stream().filter(b -> b).count()).isEqualTo(1);
    ApprovalRecord partly = store.approvals().get("apr_4e").orElseThrow();
    assertThat(partly.status()).isEqualTo(ApprovalStatus.PENDING);
    assertThat(partly.approvals()).hasSize(1);
    assertThat(partly.decidedBy()).isNull();
    ApprovalRecord.Approval first = partly.approvals().getFirst();
    assertThat(store.approvals().approve("apr_4e", "erin", null, grant("grt_x", 1, at), at))
        .as("a single approval cannot skip the recorded one")
        .isFalse();

    ApprovalRecord.Approval dave =
        new ApprovalRecord.Approval("dave", at.plusSeconds(1), "ok", null);
    List<Boolean> seconds =
        inParallel(
            10,
            () ->
                store
                    .approvals()
                    .addApproval(
                        "apr_4e",
                        List.of(first),
                        dave,
                        grant("grt_" + n.incrementAndGet(), 3, at),
                        at.plusSeconds(1)));
    assertThat(seconds.stream().filter(b -> b).count()).isEqualTo(1);
    ApprovalRecord done = store.approvals().get("apr_4e").orElseThrow();
    assertThat(done.status()).isEqualTo(ApprovalStatus.APPROVED);
    assertThat(done.decidedBy()).isEqualTo("dave");
    assertThat(done.approvals()).containsExactly(first, dave);
    assertThat(store.approvals().grants().list(false, at, 100))
        .as("one grant, the winner's")
        .extracting(GrantRecord::id)
        .containsExactly(done.grant());
  }

  private static dev.tollgate.api.store.ToolPinRecord pin(String fingerprint, boolean firstUse) {
    return new dev.tollgate.api.store.ToolPinRecord(
        "desk",
        "files",
        "read_file",
        fingerprint,
        "{\n  \"name\" : \"read_file\"\n}",
        firstUse
            ? dev.tollgate.api.store.ToolPinRecord.Status.ACCEPTED
            : dev.tollgate.api.store.ToolPinRecord.Status.PENDING,
        firstUse ? List.of() : List.of("instructions to the model"),
        T0,
        firstUse ? dev.tollgate.api.store.ToolPinRecord.FIRST_USE : null,
        firstUse ? T0 : null);
  }

  @Test
  void aToolIsPinnedAtFirstUseAndAChangeWaitsUntilAccepted() {
    Store store = open();
    var pins = store.toolPins();
    long v0 = pins.version();
    var first = pins.sight(pin("sha256:aa", true));
    assertThat(first.added()).isTrue();
    assertThat(first.accepted().fingerprint()).isEqualTo("sha256:aa");
    assertThat(pins.sight(pin("sha256:aa", true)).added()).isFalse();
    var changed = pins.sight(pin("sha256:bb", true));
    assertThat(changed.added()).isTrue();
    assertThat(changed.pin().status())
        .isEqualTo(dev.tollgate.api.store.ToolPinRecord.Status.PENDING);
    assertThat(changed.accepted().fingerprint()).isEqualTo("sha256:aa");
    assertThat(pins.version()).isGreaterThan(v0);
    assertThat(pins.accept("desk", "files", "read_file", "sha256:zz", "ann", T0)).isEmpty();
    var accepted = pins.accept("desk", "files", "read_file", "sha256:bb", "ann", T0.plusSeconds(5));
    assertThat(accepted.orElseThrow().decidedBy()).isEqualTo("ann");
    long before = pins.version();
    assertThat(
            pins.accept("desk", "files", "read_file", "sha256:bb", "bob", T0.plusSeconds(9))
                .orElseThrow()
                .decidedBy())
        .as("accepting the accepted definition again changes nothing")
        .isEqualTo("ann");
    assertThat(pins.version()).isEqualTo(before);
    store.close();
    List<dev.tollgate.api.store.ToolPinRecord> all = open().toolPins().list();
    assertThat(all)
        .extracting(p -> p.fingerprint() + " " + p.status().wireName() + " " + p.decidedBy())
        .containsExactly("sha256:aa superseded first-use", "sha256:bb accepted ann");
    assertThat(all.get(0).definition()).isEqualTo("{\n  \"name\" : \"read_file\"\n}");
    var flagged = open().toolPins().sight(pin("sha256:cc", false));
    assertThat(flagged.pin().concerns()).containsExactly("instructions to the model");
    assertThat(flagged.accepted().fingerprint()).isEqualTo("sha256:bb");
  }

  @Test
  void twoServersSeeingTwoDefinitionsAtOncePinOnlyOne() throws Exception {
    Store a = open();
    Store b = open();
    java.util.concurrent.atomic.AtomicInteger next =
        new java.util.concurrent.atomic.AtomicInteger();
    inParallel(
        4,
        () -> {
          int i = next.getAndIncrement();
          return (i % 2 == 0 ? a : b).toolPins().sight(pin("sha256:" + i, true));
        });
    assertThat(a.toolPins().list())
        .hasSize(4)
        .filteredOn(p -> p.status() == dev.tollgate.api.store.ToolPinRecord.Status.ACCEPTED)
        .hasSize(1);
  }
}
