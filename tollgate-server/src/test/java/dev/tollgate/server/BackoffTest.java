package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The backoff's check-and-count under tries that overlap. */
class BackoffTest {
  private static final Instant NOW = Instant.parse("2026-12-01T09:00:00Z");

  /**
   * A success ends its own try and clears the failures, but the other tries still in flight keep
   * their reservations: a success in the middle of a burst must not open the free tries again.
   */
  @Test
  void aSuccessKeepsTheOtherTriesInFlightCounted() {
    Backoff backoff = new Backoff(2);
    assertThat(backoff.begin("proxy", NOW)).isZero();
    assertThat(backoff.begin("proxy", NOW)).isZero();
    assertThat(backoff.begin("proxy", NOW)).as("both free tries are in flight").isPositive();

    backoff.succeeded("proxy");

    assertThat(backoff.begin("proxy", NOW)).as("the success's slot").isZero();
    assertThat(backoff.begin("proxy", NOW))
        .as("the other try is still in flight")
        .isEqualTo(Duration.ofSeconds(1));
  }
}
