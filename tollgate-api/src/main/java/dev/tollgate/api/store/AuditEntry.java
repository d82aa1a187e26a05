package dev.tollgate.api.store;

import dev.tollgate.api.Effect;
import dev.tollgate.api.Finding;
import dev.tollgate.api.Reason;
import dev.tollgate.api.internal.WireNames;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One event to audit, before the log gives it a place in the chain. Holds no sensitive value in
 * clear: findings carry masked excerpts and the arguments only as a digest.
 *
 * @param time when it happened
 * @param kind what happened
 * @param agent the agent, or {@code null} (for example an unauthenticated request)
 * @param user the user, or {@code null}
 * @param session the session id, or {@code null}
 * @param tool the tool, or {@code null}
 * @param effect what was decided, for decisions (and retries), else {@code null}
 * @param decision the decision id, or {@code null}
 * @param reasons the reasons (policy and message), possibly empty
 * @param findings masked findings, possibly empty
 * @param argsDigest {@code sha256:<hex>} of the canonical arguments, or {@code null}
 * @param latencyMicros how long the decision took, or 0
 * @param detail kind-specific facts (JSON values), possibly empty
 */
public record AuditEntry(
    Instant time,
    Kind kind,
    String agent,
    String user,
    String session,
    String tool,
    Effect effect,
    String decision,
    List<Reason> reasons,
    List<Finding> findings,
    String argsDigest,
    long latencyMicros,
    Map<String, Object> detail) {

  /**
   * What an audit record is about. Its lower-case name is what the canonical encoding (and so the
   * hash chain), the store's {@code kind} column and {@code audit} filters hold: {@code decision},
   * {@code retry}, ... Records already written keep their hashes because the names never change; a
   * new kind is a new constant, and a reader that does not know it fails with a clear error.
   */
  public enum Kind {
    /** A decision. */
    DECISION,
    /** A decision given again to a retry with its request id. */
    RETRY,
    /** A request refused before a decision (unreadable, unauthenticated, unknown session, ...). */
    REJECTED,
    /** A session opened. */
    SESSION,
    /** A tool result observed. */
    OBSERVE,
    /** A policy bundle (re)loaded, or a reload refused. */
    RELOAD,
    /** An approval event (opened, approved, denied, expired). */
    APPROVAL,
    /** A grant event (issued, used, revoked). */
    GRANT,
    /** A person's sign-in, or a change to the people who use the console. */
    PERSON,
    /** An agent credential added or revoked. */
    CREDENTIAL,
    /** A pause (the kill switch) set or lifted, or a session quarantined, resumed or ended. */
    PAUSE,
    /**
     * An MCP tool's definition pinned at first use, found changed or flagged (hidden and blocked),
     * or accepted by a person.
     */
    TOOL;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    private static final WireNames<Kind> WIRE_NAMES =
        new WireNames<>("audit kind", values(), Kind::wireName);

    /** The lower-case name used in the canonical encoding, the store and filters. */
    public String wireName() {
      return wireName;
    }

    /**
     * Parses a kind's lower-case name.
     *
     * @throws IllegalArgumentException naming the accepted values, for anything else
     */
    public static Kind parse(String text) {
      return WIRE_NAMES.parse(text);
    }
  }

  public AuditEntry {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(kind, "kind");
    reasons = List.copyOf(reasons);
    findings = List.copyOf(findings);
    detail = detail == null ? Map.of() : Map.copyOf(detail);
  }

  /**
   * An entry for an event that is not a decision (a session opened, a reload, a sign-in, a
   * credential added, ...): who it concerns and its detail, with no effect, decision, reasons,
   * findings, arguments digest or latency.
   *
   * @param agent the agent, or {@code null}
   * @param user the user, or {@code null}
   * @param session the session id, or {@code null}
   * @param tool the tool, or {@code null}
   * @param detail kind-specific facts (JSON values), possibly empty
   */
  public static AuditEntry event(
      Instant time,
      Kind kind,
      String agent,
      String user,
      String session,
      String tool,
      Map<String, Object> detail) {
    return new AuditEntry(
        time, kind, agent, user, session, tool, null, null, List.of(), List.of(), null, 0, detail);
  }
}
