package dev.tollgate.api.store;

import dev.tollgate.api.internal.WireNames;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * A pause: every decision it covers is a deny until a person resumes it (the kill switch), or a
 * session a policy quarantined, pending a person.
 *
 * @param scope what it covers
 * @param subject whom: {@code *} for {@link Scope#ALL}, the agent's name, the user, or for a
 *     session the store's key {@code agent/session-id}
 * @param reason why, as the person or policy wrote it (shown to agents in the deny)
 * @param by who paused: a person's name, or {@code policy:<name>} for a quarantine
 * @param at when
 * @param ended for a session: ended by a person, for good (a paused one can be resumed)
 */
public record PauseRecord(
    Scope scope, String subject, String reason, String by, Instant at, boolean ended) {

  /** What a pause covers. */
  public enum Scope {
    /** Every decision of every agent. */
    ALL,
    /** Every decision of one agent. */
    AGENT,
    /** Every decision made for one user, with any agent. */
    USER,
    /** Every decision in one session. */
    SESSION;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    private static final WireNames<Scope> WIRE_NAMES =
        new WireNames<>("pause scope", values(), Scope::wireName);

    public String wireName() {
      return wireName;
    }

    /**
     * Parses a scope's lower-case name.
     *
     * @throws IllegalArgumentException naming the accepted values, for anything else
     */
    public static Scope parse(String text) {
      return WIRE_NAMES.parse(text);
    }
  }

  public PauseRecord {
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(at, "at");
    reason = reason == null ? "" : reason;
    by = by == null ? "" : by;
  }
}
