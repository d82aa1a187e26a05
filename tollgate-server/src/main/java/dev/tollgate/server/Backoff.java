package dev.tollgate.server;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down password guessing, per name: after {@link #FREE_FAILURES} failures for a name, each
 * further try must wait twice as long as the one before (1 s, 2 s, 4 s, ... up to 15 minutes); a
 * success clears the name. Names are compared ignoring case and surrounding blanks.
 *
 * <p>The server's one backoff: {@link People} puts the console's sign-in and password change
 * through it, so that both count against the same name. Agent tokens need none (256 random bits
 * cannot be guessed). Kept in memory, per instance; thread-safe; time is the caller's.
 */
public final class Backoff {
  public static final int FREE_FAILURES = 3;
  public static final Duration MAX_WAIT = Duration.ofMinutes(15);
  private static final int MAX_NAMES = 10_000;

  private record Failures(int count, Instant last) {}

  private final Map<String, Failures> failures = new ConcurrentHashMap<>();

  /** How long the name must still wait before its next try at {@code now}, or zero. */
  public Duration wait(String name, Instant now) {
    Failures f = failures.get(key(name));
    if (f == null || f.count() < FREE_FAILURES) {
      return Duration.ZERO;
    }
    int doublings = Math.min(20, f.count() - FREE_FAILURES);
    Duration lock = Duration.ofSeconds(1L << doublings);
    if (lock.compareTo(MAX_WAIT) > 0) {
      lock = MAX_WAIT;
    }
    Duration left = Duration.between(now, f.last().plus(lock));
    return left.isNegative() ? Duration.ZERO : left;
  }

  /** Counts a failure for the name at {@code now}. */
  public void failed(String name, Instant now) {
    if (failures.size() > MAX_NAMES) {
      // Forget names whose last failure is older than the longest wait, and everything if that
      // is not enough: memory stays bounded whatever names are tried.
      failures.values().removeIf(f -> f.last().plus(MAX_WAIT).isBefore(now));
      if (failures.size() > MAX_NAMES) {
        failures.clear();
      }
    }
    failures.merge(
        key(name), new Failures(1, now), (old, one) -> new Failures(old.count() + 1, now));
  }

  /** Clears the name's failures. */
  public void succeeded(String name) {
    failures.remove(key(name));
  }

  private static String key(String name) {
    return name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
  }
}
