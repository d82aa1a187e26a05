package dev.tollgate.server;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down password guessing, per key (a name, or a client address): after {@code free} failures
 * for a key, each further try must wait twice as long as the one before (1 s, 2 s, 4 s, ... up to
 * 15 minutes); a success clears the key's failures, and so does a day without a failure ({@link
 * #FORGET_AFTER}). Keys are compared ignoring case and surrounding blanks.
 *
 * <p>Checking and counting are one step: {@link #begin} reserves a try, and tries in flight count
 * as failures until they end ({@link #failed}, {@link #succeeded} or {@link #abandoned}), so that
 * parallel tries cannot get more passwords checked than the free ones.
 *
 * <p>The server's one backoff: {@link People} puts the console's sign-in and password change
 * through it, so that both count against the same name. Agent tokens need none (256 random bits
 * cannot be guessed). Kept in memory, per instance; thread-safe; time is the caller's.
 */
public final class Backoff {
  /** Failures per name before the first wait. */
  public static final int FREE_FAILURES = 3;

  public static final Duration MAX_WAIT = Duration.ofMinutes(15);

  /**
   * A key whose last failure is this old starts afresh: yesterday's typos do not make today's first
   * one wait. A guesser gains a few free tries a day per key, against one every 15 minutes at the
   * longest wait.
   */
  public static final Duration FORGET_AFTER = Duration.ofDays(1);

  private static final int MAX_KEYS = 10_000;

  /** Failures counted, tries in flight, and the time of the last failure (or null). */
  private record Failures(int count, int inFlight, Instant last) {
    int pending() {
      return count + inFlight;
    }
  }

  private final int free;
  private final Map<String, Failures> failures = new ConcurrentHashMap<>();

  /** A backoff with {@link #FREE_FAILURES} free failures per key. */
  public Backoff() {
    this(FREE_FAILURES);
  }

  /** A backoff with {@code free} free failures per key. */
  public Backoff(int free) {
    if (free < 1) {
      throw new IllegalArgumentException("free must be at least 1");
    }
    this.free = free;
  }

  /** How long the key must still wait before its next try at {@code now}, or zero. */
  public Duration wait(String key, Instant now) {
    return waitFor(failures.get(key(key)), now);
  }

  /**
   * Reserves a try for the key at {@code now}: zero when the try may go ahead (and is now in
   * flight), else how long to wait (and nothing is reserved).
   */
  public Duration begin(String key, Instant now) {
    Duration[] wait = {Duration.ZERO};
    trim(now);
    failures.compute(
        key(key),
        (k, stored) -> {
          Failures f = forgotten(stored, now) ? new Failures(0, stored.inFlight, null) : stored;
          Duration w = waitFor(f, now);
          if (!w.isZero()) {
            wait[0] = w;
            return stored;
          }
          return f == null
              ? new Failures(0, 1, null)
              : new Failures(f.count, f.inFlight + 1, f.last);
        });
    return wait[0];
  }

  /** Counts a failure for the key at {@code now}, ending a try {@link #begin} reserved. */
  public void failed(String key, Instant now) {
    trim(now);
    failures.compute(
        key(key),
        (k, f) ->
            f == null
                ? new Failures(1, 0, now)
                : new Failures(
                    forgotten(f, now) ? 1 : f.count + 1, Math.max(0, f.inFlight - 1), now));
  }

  /**
   * Clears the key's failures, ending a try {@link #begin} reserved. Other tries still in flight
   * keep their reservations: a success must not let a burst of parallel tries past the free ones.
   */
  public void succeeded(String key) {
    failures.computeIfPresent(
        key(key), (k, f) -> f.inFlight <= 1 ? null : new Failures(0, f.inFlight - 1, null));
  }

  /** Whether the key's failures are old enough to be forgotten. */
  private static boolean forgotten(Failures f, Instant now) {
    return f != null && f.last != null && !now.isBefore(f.last.plus(FORGET_AFTER));
  }

  /** Ends a reserved try that neither failed nor succeeded (the store failed, say). */
  public void abandoned(String key) {
    failures.computeIfPresent(
        key(key),
        (k, f) ->
            f.count == 0 && f.inFlight <= 1
                ? null
                : new Failures(f.count, Math.max(0, f.inFlight - 1), f.last));
  }

  private Duration waitFor(Failures f, Instant now) {
    if (f == null || f.pending() < free) {
      return Duration.ZERO;
    }
    if (f.last == null || f.count < free) {
      // Only tries in flight fill the free ones: wait for them to end.
      return Duration.ofSeconds(1);
    }
    int doublings = Math.min(20, f.pending() - free);
    Duration lock = Duration.ofSeconds(1L << doublings);
    if (lock.compareTo(MAX_WAIT) > 0) {
      lock = MAX_WAIT;
    }
    Duration left = Duration.between(now, f.last.plus(lock));
    return left.isNegative() || left.isZero() ? Duration.ZERO : left;
  }

  /**
   * Keeps memory bounded whatever keys are tried: forgets keys whose last failure is older than the
   * longest wait and that have nothing in flight, and everything idle if that is not enough.
   */
  private void trim(Instant now) {
    if (failures.size() <= MAX_KEYS) {
      return;
    }
    failures
        .values()
        .removeIf(f -> f.inFlight == 0 && (f.last == null || f.last.plus(MAX_WAIT).isBefore(now)));
    if (failures.size() > MAX_KEYS) {
      failures.values().removeIf(f -> f.inFlight == 0);
    }
  }

  private static String key(String key) {
    return key == null ? "" : key.strip().toLowerCase(Locale.ROOT);
  }
}
