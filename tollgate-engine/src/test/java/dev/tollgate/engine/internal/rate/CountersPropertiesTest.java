package dev.tollgate.engine.internal.rate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The in-process counters against a slow reference that keeps every event in a list, and a limit
 * under concurrency: however decisions interleave, no more are allowed than the limit.
 */
class CountersPropertiesTest {

  /** One operation: append an event (maybe released later), or measure. */
  record Op(
      boolean append, long advance, double amount, long[] values, long window, boolean release) {}

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Op> op =
        Combinators.combine(
                Arbitraries.of(true, true, false),
                Arbitraries.longs().between(0, 30_000),
                Arbitraries.integers().between(0, 50_000).map(i -> i / 100.0),
                Arbitraries.longs().between(1, 6).array(long[].class).ofMaxSize(3),
                Arbitraries.of(1_000L, 10_000L, 60_000L, 600_000L),
                Arbitraries.of(false, false, false, true))
            .as(Op::new);
    return op.list().ofMaxSize(60);
  }

  private record Ref(long id, long at, double amount, long[] values) {}

  @Property(tries = 300)
  void measuresAgreeWithAReferenceThatKeepsEverything(@ForAll("ops") List<Op> ops) {
    MemoryCounters counters = new MemoryCounters();
    List<Ref> reference = new ArrayList<>();
    long now = 1_000_000;
    long id = 0;
    for (Op op : ops) {
      now += op.advance();
      for (Counters.Measure m : Counters.Measure.values()) {
        // a stream per measure, so that each sees the same events
        String stream = "s-" + m;
        Counters.Event add =
            op.append() ? Counters.Event.of(id + 1, now, op.amount(), op.values()) : null;
        double got = counters.tally(stream, m, add, now, new long[] {op.window(), 600_000L}, 0)[0];
        List<Ref> seen = new ArrayList<>(reference);
        if (add != null) {
          seen.add(new Ref(add.id(), now, op.amount(), op.values()));
        }
        assertThat(got)
            .as("%s over %d ms", m, op.window())
            .isCloseTo(
                expected(seen, m, now, op.window()), org.assertj.core.api.Assertions.within(1e-6));
      }
      if (op.append()) {
        id++;
        reference.add(new Ref(id, now, op.amount(), op.values()));
      }
      if (op.release() && !reference.isEmpty()) {
        // a decision that was not allowed takes its event back: the newest, or an older one
        Ref gone = reference.remove((int) (op.amount() * 100) % reference.size());
        for (Counters.Measure m : Counters.Measure.values()) {
          counters.release("s-" + m, gone.id());
        }
      }
    }
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

  @Property(tries = 20)
  void aLimitHoldsToTheUnitUnderConcurrentDecisions(
      @ForAll @IntRange(min = 1, max = 20) int limit,
      @ForAll @IntRange(min = 1, max = 60) int attempts)
      throws InterruptedException {
    MemoryCounters counters = new MemoryCounters();
    AtomicInteger allowed = new AtomicInteger();
    AtomicLong ids = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch start = new CountDownLatch(1);
    for (int i = 0; i < attempts; i++) {
      pool.submit(
          () -> {
            start.await();
            long id = ids.incrementAndGet();
            double n =
                counters
                    .tally(
                        "burst",
                        Counters.Measure.COUNT,
                        Counters.Event.of(id, 5_000, 0, new long[0]),
                        5_000,
                        new long[] {60_000},
                        0)[0];
            if (n > limit) {
              counters.release("burst", id);
            } else {
              allowed.incrementAndGet();
            }
            return null;
          });
    }
    start.countDown();
    pool.shutdown();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    assertThat(allowed.get()).isEqualTo(Math.min(limit, attempts));
    assertThat(
            counters.tally("burst", Counters.Measure.COUNT, null, 5_000, new long[] {60_000}, 0)[0])
        .isEqualTo(Math.min(limit, attempts));
  }
}
