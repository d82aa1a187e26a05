package dev.tollgate.server.console;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down guessing: after {@link #FREE_FAILURES} failed sign-ins for a name, each further try
 * waits twice as long as the one before (1 s, 2 s, 4 s, ... up to 15 minutes). A success clears the
 * name. Kept per instance, in memory.
 */
final class SignIns {
  static final int FREE_FAILURES = 3;
  static final Duration MAX_WAIT = Duration.ofMinutes(15);
  private static final int MAX_NAMES = 10_000;

  private record Failures(int count, Instant last) {}

  private final Map<String, Failures> failures = new ConcurrentHashMap<>();

  /** How long the name must still wait before the next try, or zero. */
  Duration wait(String name, Instant now) {
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

  void failed(String name, Instant now) {
    if (failures.size() > MAX_NAMES) {
      failures.clear();
    }
    failures.merge(
        key(name), new Failures(1, now), (old, one) -> new Failures(old.count() + 1, now));
  }

  void succeeded(String name) {
    failures.remove(key(name));
  }

  private static String key(String name) {
    return name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
  }
}
