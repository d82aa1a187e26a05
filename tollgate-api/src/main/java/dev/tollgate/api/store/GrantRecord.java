package dev.tollgate.api.store;

import dev.tollgate.api.internal.WireNames;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * A temporary, scoped privilege: it lets through actions that an {@code ask} or the agent's profile
 * would otherwise stop (never a {@code deny}), until it expires, runs out of uses or is revoked.
 *
 * @param id unguessable id, {@code grt_...}
 * @param subjectKind whose actions it covers: an agent's, a session's or a user's
 * @param subject the agent name, session id or user name
 * @param agent the agent it was issued for (every grant is bound to one agent)
 * @param tool a tool name or pattern ({@code email.*})
 * @param argsDigest when set, only an action whose canonical arguments have this digest matches (a
 *     grant for exactly one action)
 * @param constraint a CEL condition over the same facts as policies, or {@code null}
 * @param expiresAt when it stops applying
 * @param uses how many uses it was issued with, or 0 for any number until it expires
 * @param usesLeft uses left (meaningless when {@code uses} is 0)
 * @param issuer who approved it
 * @param reason why, in the issuer's words (may be empty)
 * @param approval the approval it came from, or {@code null}
 * @param created when it was issued
 * @param revoked when it was revoked, or {@code null}
 * @param revokedBy who revoked it, or {@code null}
 */
public record GrantRecord(
    String id,
    SubjectKind subjectKind,
    String subject,
    String agent,
    String tool,
    String argsDigest,
    String constraint,
    Instant expiresAt,
    int uses,
    int usesLeft,
    String issuer,
    String reason,
    String approval,
    Instant created,
    Instant revoked,
    String revokedBy) {

  /**
   * Whose actions a grant covers. On the wire (JSON, the store's {@code subject_kind} column, audit
   * details) each is its lower-case name: {@code agent}, {@code session}, {@code user}.
   */
  public enum SubjectKind {
    AGENT,
    SESSION,
    USER;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    private static final WireNames<SubjectKind> WIRE_NAMES =
        new WireNames<>("grant subject", values(), SubjectKind::wireName);

    /** The lower-case name used in JSON, the store and the audit. */
    public String wireName() {
      return wireName;
    }

    /**
     * Parses {@code agent}, {@code session} or {@code user}.
     *
     * @throws IllegalArgumentException naming the accepted values, for anything else
     */
    public static SubjectKind parse(String text) {
      return WIRE_NAMES.parse(text);
    }
  }

  /**
   * Where a grant stands at a given time (computed, never stored). Its lower-case name is what JSON
   * and the console show: {@code active}, {@code used}, {@code expired}, {@code revoked}.
   */
  public enum Status {
    ACTIVE,
    USED,
    EXPIRED,
    REVOKED;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    /** The lower-case name used in JSON and the console. */
    public String wireName() {
      return wireName;
    }
  }

  public GrantRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(subjectKind, "subjectKind");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(tool, "tool");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(created, "created");
    reason = reason == null ? "" : reason;
    if (uses < 0 || usesLeft < 0) {
      throw new IllegalArgumentException("uses must not be negative");
    }
  }

  /** Whether it can let an action through at {@code now}. */
  public boolean live(Instant now) {
    return revoked == null && now.isBefore(expiresAt) && (uses == 0 || usesLeft > 0);
  }

  /** Whether its subject is this agent, this session or this user. */
  public boolean covers(String agent, String session, String user) {
    return switch (subjectKind) {
      case AGENT -> subject.equals(agent);
      case SESSION -> subject.equals(session);
      case USER -> subject.equals(user);
    };
  }

  /** Where it stands at {@code now}. */
  public Status status(Instant now) {
    if (revoked != null) {
      return Status.REVOKED;
    }
    if (uses > 0 && usesLeft == 0) {
      return Status.USED;
    }
    return now.isBefore(expiresAt) ? Status.ACTIVE : Status.EXPIRED;
  }
}
