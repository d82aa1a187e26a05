package dev.tollgate.engine.internal.rate;

import dev.tollgate.api.store.CounterLog;
import java.util.List;

/**
 * Where a decision's counters are appended to and measured: {@link MemoryCounters} in this process,
 * or {@link SharedCounters} over a store's {@link CounterLog}. A decision makes one {@link #tally}
 * call for every counter and novelty question its policies ask, and at most one {@link #release} or
 * {@link #remember} call when it settles.
 *
 * <p>INVARIANT: {@link #tally} appends and measures atomically per stream, so that concurrent
 * decisions each see every event appended before theirs: a limit holds to the unit however the
 * decisions interleave.
 */
public interface Counters {

  /** What a {@link Count} measures over a window. */
  enum Measure {
    COUNT,
    SUM,
    DISTINCT
  }

  /**
   * One counted action.
   *
   * @param id unique among the events of a stream, to release it by
   * @param at epoch milliseconds
   * @param micros the amount {@code sum} adds, in millionths, the unit sums are kept in so that
   *     they stay exact however many events enter and leave a window (0 for other measures)
   * @param values the fingerprints of the targets {@code distinct} counts (empty otherwise)
   */
  record Event(long id, long at, long micros, long[] values) {
    /** An event of this amount, clamped to a quarter of the range of a {@code long} millionths. */
    public static Event of(long id, long at, double amount, long[] values) {
      double m = Math.rint(amount * 1e6);
      long micros =
          m >= Long.MAX_VALUE / 4
              ? Long.MAX_VALUE / 4
              : m <= -Long.MAX_VALUE / 4 ? -Long.MAX_VALUE / 4 : (long) m;
      return new Event(id, at, micros, values);
    }
  }

  /**
   * Appends {@code add} to {@code stream} (unless {@code null}), then measures the stream over each
   * window. A stream always has the same measure.
   *
   * @param windows window lengths in milliseconds
   * @param retention the longest window any policy of the bundle measures on the stream, whether or
   *     not this decision reads it: the stream's events are kept, and read, that far back
   */
  record Count(String stream, Measure measure, Event add, long[] windows, long retention) {}

  /**
   * What one {@link #tally} call found.
   *
   * @param counts per {@link Count}, one measure per window, in the order given
   * @param unseen per lookup, in the order given
   */
  record Measured(double[][] counts, boolean[] unseen) {}

  /**
   * Appends and measures every count, and answers every lookup. A count's measure covers the
   * stream's events at or after {@code now} minus the window. An event stamped after {@code now}
   * counts: a concurrent decision whose clock read a moment later appended it first.
   */
  Measured tally(List<Count> counts, List<CounterLog.Lookup> lookups, long now);

  /** Takes appended events out again: their action was not allowed after all. */
  void release(List<CounterLog.Appended> events, long now);

  /** Remembers that each subject acted on its targets at {@code now}. */
  void remember(List<CounterLog.Seen> seen, long now);
}
