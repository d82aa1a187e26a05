package dev.tollgate.engine.runner;

import java.time.Instant;
import java.time.InstantSource;

/**
 * The clock of a replay: the system's until a step says when it happened ({@code at}), then that
 * time until a later step says otherwise. So windows and rates are judged on a recorded session as
 * they were live, and a trace without {@code at} replays as before.
 */
final class ReplayClock implements InstantSource {
  private volatile Instant at;

  void set(Instant at) {
    if (at != null) {
      this.at = at;
    }
  }

  @Override
  public Instant instant() {
    Instant a = at;
    return a == null ? Instant.now() : a;
  }

  /**
   * An ISO 8601 time with a zone ({@code 2026-12-04T09:30:00Z}, {@code 2026-12-04T10:30:00+01:00}).
   *
   * @throws IllegalArgumentException saying how to write it
   */
  static Instant parse(String text) {
    try {
      return java.time.OffsetDateTime.parse(text).toInstant();
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException(problem(text));
    }
  }

  static String problem(String text) {
    return "`at` must be an ISO 8601 time with a zone, such as \"2026-12-04T09:30:00Z\", not \""
        + text
        + "\"";
  }
}
