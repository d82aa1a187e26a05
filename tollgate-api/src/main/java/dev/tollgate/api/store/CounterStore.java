package dev.tollgate.api.store;

/**
 * Where rate counters and novelty fingerprints live: in process for the embedded store, in the
 * database for a store that several servers share. Values are keyed fingerprints, never clear text.
 *
 * <p>INVARIANT: {@link #tally} appends and measures atomically per stream, so that concurrent
 * decisions each see every event appended before theirs: a limit holds to the unit however the
 * decisions interleave.
 */
public interface CounterStore {

  /** What {@link #tally} measures over a window. */
  enum Measure {
    COUNT,
    SUM,
    DISTINCT
  }

  /**
   * One counted action.
   *
   * @param id unique among the events of a stream, to {@link #release} it by
   * @param at epoch milliseconds
   * @param amount the amount {@code sum} adds (0 for other measures)
   * @param values the fingerprints of the targets {@code distinct} counts (empty otherwise)
   */
  record Event(long id, long at, double amount, long[] values) {}

  /**
   * Appends {@code add} to {@code stream} (unless {@code null}), then measures the stream's events
   * at or after {@code now} minus each window, dropping events older than the longest window. An
   * event stamped after {@code now} counts: a concurrent decision whose clock read a moment later
   * appended it first.
   *
   * @param windows window lengths in milliseconds
   * @return one measure per window, in {@code windows} order
   */
  double[] tally(String stream, Measure measure, Event add, long now, long[] windows);

  /**
   * Removes an appended event: its action was not allowed after all. Unknown ids change nothing.
   */
  void release(String stream, long id);

  /**
   * Whether some of these fingerprints are targets {@code subject} did not act on at or after
   * {@code since}.
   */
  boolean anyUnseen(String subject, long[] fingerprints, long since);

  /** Remembers that {@code subject} acted on these targets at {@code now}. */
  void remember(String subject, long[] fingerprints, long now);
}
