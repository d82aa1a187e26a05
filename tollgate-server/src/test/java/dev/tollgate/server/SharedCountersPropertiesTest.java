package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tollgate.api.store.CounterLog;
import dev.tollgate.engine.internal.rate.Counters;
import dev.tollgate.engine.internal.rate.SharedCounters;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Counters shared through PostgreSQL's log, as two servers keep them (each its own {@link
 * SharedCounters} on its own pool), against a slow reference that keeps every event and recounts:
 * the three measures tallied in one call as a decision does, each step on either server, windows
 * asked for the first time part-way, releases of older events, and novelty; and concurrent
 * decisions on overlapping streams from both servers, which must hold their limits to the unit.
 */
class SharedCountersPropertiesTest {
  private static final AtomicInteger RUNS = new AtomicInteger();
  private static EmbeddedPostgres postgres;
  private static JdbcStore storeA;
  private static JdbcStore storeB;

  @BeforeContainer
  static void start() throws IOException {
    postgres = EmbeddedPostgres.builder().start();
    String url = postgres.getJdbcUrl("postgres", "postgres");
    storeA = JdbcStore.open(StoreConfig.postgres(url, "postgres", ""));
    storeB = JdbcStore.open(StoreConfig.postgres(url, "postgres", ""));
  }

  @AfterContainer
  static void stop() throws IOException {
    storeB.close();
    storeA.close();
    postgres.close();
  }

  /** One step on one server: maybe append, measure over a window, maybe release, remember. */
  record Op(
      boolean append,
      long advance,
      double amount,
      long[] values,
      long window,
      boolean release,
      boolean remember,
      boolean onB) {}

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Op> op =
        Combinators.combine(
                Arbitraries.of(true, true, false),
                Arbitraries.longs().between(0, 30_000),
                Arbitraries.integers().between(-5_000, 50_000).map(i -> i / 100.0),
                Arbitraries.longs().between(1, 6).array(long[].class).ofMaxSize(3),
                Arbitraries.of(1_000L, 10_000L, 60_000L, 600_000L, 6_000_000L),
                Arbitraries.of(false, false, false, true),
                Arbitraries.of(false, true),
                Arbitraries.of(false, true))
            .as(Op::new);
    return op.list().ofMaxSize(40);
  }

  private record Ref(long id, long at, double amount, long[] values) {}

  @Property(tries = 60)
  void measuresOnEitherServerAgreeWithAReferenceThatKeepsEverything(@ForAll("ops") List<Op> ops) {
    Counters a = new SharedCounters(storeA.counters());
    Counters b = new SharedCounters(storeB.counters());
    String run = "run-" + RUNS.incrementAndGet() + "-";
    List<Ref> reference = new ArrayList<>();
    Map<Long, Long> seen = new HashMap<>();
    long now = 1_000_000;
    long id = 0;
    for (Op op : ops) {
      now += op.advance();
      Counters counters = op.onB() ? b : a;
      List<Counters.Count> counts = new ArrayList<>();
      for (Counters.Measure m : Counters.Measure.values()) {
        Counters.Event add =
            op.append() ? Counters.Event.of(id + 1, now, op.amount(), op.values()) : null;
        // a decision that only reads measures just the window its policy reads: the stream's
        // longer window (the bundle's) must still be whole when a later decision measures it
        long[] windows =
            op.append() ? new long[] {op.window(), 6_000_000L} : new long[] {op.window()};
        counts.add(new Counters.Count(run + m, m, add, windows, 6_000_000L));
      }
      CounterLog.Lookup lookup =
          new CounterLog.Lookup(run + "seen", op.values(), now - op.window());
      Counters.Measured got =
          counters.tally(counts, op.values().length == 0 ? List.of() : List.of(lookup), now);
      List<Ref> events = new ArrayList<>(reference);
      if (op.append()) {
        events.add(new Ref(id + 1, now, op.amount(), op.values()));
      }
      for (int i = 0; i < counts.size(); i++) {
        Counters.Measure m = counts.get(i).measure();
        assertThat(got.counts()[i][0])
            .as("%s over %d ms", m, op.window())
            .isCloseTo(expected(events, m, now, op.window()), within(1e-6));
        if (got.counts()[i].length > 1) {
          assertThat(got.counts()[i][1])
              .as("%s over 6000000 ms", m)
              .isCloseTo(expected(events, m, now, 6_000_000), within(1e-6));
        }
      }
      if (op.values().length > 0) {
        // a target's stored time may lag its latest remembering by up to a minute (it is not
        // written again sooner): new by the reference is new, known for a minute longer is known
        boolean unseen = false;
        boolean surelySeen = true;
        for (long v : op.values()) {
          Long last = seen.get(v);
          unseen |= last == null || last < now - op.window();
          surelySeen &= last != null && last - 60_000 >= now - op.window();
        }
        if (unseen) {
          assertThat(got.unseen()[0]).as("novelty of a target new by the reference").isTrue();
        } else if (surelySeen) {
          assertThat(got.unseen()[0]).as("novelty of a target surely known").isFalse();
        }
      }
      if (op.append()) {
        id++;
        reference.add(new Ref(id, now, op.amount(), op.values()));
      }
      if (op.remember() && op.values().length > 0) {
        counters.remember(List.of(new CounterLog.Seen(run + "seen", op.values())), now);
        for (long v : op.values()) {
          seen.merge(v, now, Math::max);
        }
      }
      if (op.release() && !reference.isEmpty()) {
        // a decision that was not allowed takes its event back: the newest, or an older one
        Ref gone = reference.remove((int) Math.abs(op.amount() * 100) % reference.size());
        List<CounterLog.Appended> out = new ArrayList<>();
        for (Counters.Measure m : Counters.Measure.values()) {
          out.add(new CounterLog.Appended(run + m, gone.id()));
        }
        counters.release(out, now);
      }
    }
  }

  /**
   * A server whose first look at a stream reads only a short window must still see, later, the
   * other server's older events in the stream's longest window (once a fail-open: the short read
   * moved it past them for good).
   */
  @net.jqwik.api.Example
  void aShortReadDoesNotHideOlderEventsFromALongerWindowLater() {
    Counters a = new SharedCounters(storeA.counters());
    Counters b = new SharedCounters(storeB.counters());
    String stream = "short-read-" + RUNS.incrementAndGet();
    long day = 86_400_000L;
    for (long at : new long[] {1_000_000, 1_190_000}) {
      a.tally(
          List.of(
              new Counters.Count(
                  stream,
                  Counters.Measure.COUNT,
                  Counters.Event.of(at, at, 0, new long[0]),
                  new long[] {60_000, day},
                  day)),
          List.of(),
          at);
    }
    Counters.Measured shortRead =
        b.tally(
            List.of(
                new Counters.Count(stream, Counters.Measure.COUNT, null, new long[] {60_000}, day)),
            List.of(),
            1_200_000);
    assertThat(shortRead.counts()[0][0]).isEqualTo(1);
    Counters.Measured longer =
        b.tally(
            List.of(
                new Counters.Count(
                    stream,
                    Counters.Measure.COUNT,
                    Counters.Event.of(2, 1_210_000, 0, new long[0]),
                    new long[] {60_000, day},
                    day)),
            List.of(),
            1_210_000);
    assertThat(longer.counts()[0][1]).as("all three events in the day").isEqualTo(3);
  }

  private static double expected(List<Ref> events, Counters.Measure m, long now, long window) {
    double total = 0;
    Set<Long> distinct = new HashSet<>();
    for (Ref e : events) {
      if (e.at() < now - window) {
        continue;
      }
      total += m == Counters.Measure.SUM ? e.amount() : 1;
      for (long v : e.values()) {
        distinct.add(v);
      }
    }
    return m == Counters.Measure.DISTINCT ? distinct.size() : total;
  }

  /**
   * Decisions from two servers, each appending to the same two streams but naming them in either
   * order: none waits on another in a cycle, and each stream's limit holds to the unit.
   */
  @Property(tries = 5)
  void overlappingBurstsFromTwoServersHoldTheirLimits(@ForAll("limits") int limit)
      throws Exception {
    Counters a = new SharedCounters(storeA.counters());
    Counters b = new SharedCounters(storeB.counters());
    String run = "burst-" + RUNS.incrementAndGet() + "-";
    AtomicInteger allowed = new AtomicInteger();
    AtomicLong ids = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      boolean flip = i % 2 == 0;
      Counters counters = i % 3 == 0 ? b : a;
      done.add(
          pool.submit(
              () -> {
                go.await();
                long id = ids.incrementAndGet();
                Counters.Event e = Counters.Event.of(id, 5_000, 1, new long[] {id});
                Counters.Count count =
                    new Counters.Count(
                        run + "a", Counters.Measure.COUNT, e, new long[] {60_000}, 60_000);
                Counters.Count hosts =
                    new Counters.Count(
                        run + "b", Counters.Measure.DISTINCT, e, new long[] {60_000}, 60_000);
                Counters.Measured m =
                    counters.tally(
                        flip ? List.of(count, hosts) : List.of(hosts, count), List.of(), 5_000);
                if (m.counts()[0][0] > limit || m.counts()[1][0] > limit) {
                  counters.release(
                      List.of(
                          new CounterLog.Appended(run + "a", id),
                          new CounterLog.Appended(run + "b", id)),
                      5_000);
                } else {
                  allowed.incrementAndGet();
                }
                return null;
              }));
    }
    go.countDown();
    for (Future<?> f : done) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertThat(allowed.get()).isEqualTo(limit);
    for (Counters counters : List.of(a, b, new SharedCounters(storeA.counters()))) {
      Counters.Measured after =
          counters.tally(
              List.of(
                  new Counters.Count(
                      run + "a", Counters.Measure.COUNT, null, new long[] {60_000}, 60_000),
                  new Counters.Count(
                      run + "b", Counters.Measure.DISTINCT, null, new long[] {60_000}, 60_000)),
              List.of(),
              5_000);
      assertThat(after.counts()[0][0]).isEqualTo(limit);
      assertThat(after.counts()[1][0]).isEqualTo(limit);
    }
  }

  @Provide
  Arbitrary<Integer> limits() {
    return Arbitraries.integers().between(1, 20);
  }
}
