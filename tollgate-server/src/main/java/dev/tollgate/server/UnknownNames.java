package dev.tollgate.server;

import java.time.Duration;
import java.time.Instant;

/**
 * The server-wide budget of failed sign-ins under names that match no one: a token bucket of {@code
 * burst} tries that refills one try every {@code refill}. The per-address throttle stops one place
 * from spraying names; this stops many places at once (an attacker with a botnet), so that made-up
 * names cannot fill the audit and the store without bound.
 *
 * <p>Thread-safe; time is the caller's.
 */
final class UnknownNames {
  private final int burst;
  private final Duration refill;
  private final Duration auditEvery;

  /** Tries left, and when the bucket was last topped up. */
  private double tokens;

  private Instant updated;

  /** When a refusal was last audited, and the refusals since then. */
  private Instant lastAudited;

  private long refusedSinceAudit;

  /**
   * @param burst tries available at once
   * @param refill how long one more try takes to come back
   * @param auditEvery at most one audit record of refusals per this period
   */
  UnknownNames(int burst, Duration refill, Duration auditEvery) {
    if (burst < 1 || refill.isNegative() || refill.isZero()) {
      throw new IllegalArgumentException("burst must be at least 1 and refill positive");
    }
    this.burst = burst;
    this.refill = refill;
    this.auditEvery = auditEvery;
    this.tokens = burst;
  }

  /** Takes one try at {@code now}: zero when taken, else how long until one is back. */
  synchronized Duration take(Instant now) {
    Duration wait = waitAt(now);
    if (wait.isZero()) {
      tokens -= 1;
    }
    return wait;
  }

  /** How long until a try is back at {@code now}, zero when one is left; takes nothing. */
  synchronized Duration waitAt(Instant now) {
    topUp(now);
    if (tokens >= 1) {
      return Duration.ZERO;
    }
    long nanos = (long) Math.ceil((1 - tokens) * refill.toNanos());
    return Duration.ofNanos(Math.max(1, nanos));
  }

  /**
   * Counts a refusal; the number of refusals to audit now (those since the last audited one), or
   * zero when one was audited less than {@code auditEvery} ago: a flood is one record a period, not
   * one record a try, which is what the budget bounds.
   */
  synchronized long refused(Instant now) {
    refusedSinceAudit++;
    if (lastAudited != null && now.isBefore(lastAudited.plus(auditEvery))) {
      return 0;
    }
    lastAudited = now;
    long n = refusedSinceAudit;
    refusedSinceAudit = 0;
    return n;
  }

  private void topUp(Instant now) {
    if (updated != null && now.isAfter(updated)) {
      double gained = (double) Duration.between(updated, now).toNanos() / refill.toNanos();
      tokens = Math.min(burst, tokens + gained);
    }
    if (updated == null || now.isAfter(updated)) {
      updated = now;
    }
  }
}
