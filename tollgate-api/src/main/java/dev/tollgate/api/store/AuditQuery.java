package dev.tollgate.api.store;

import dev.tollgate.api.Effect;
import java.time.Instant;

/**
 * A search over the audit log; {@code null} fields do not filter.
 *
 * @param decision only the records of this decision id
 * @param afterSeq only records after this position (0 for all)
 * @param limit at most this many records, oldest first
 */
public record AuditQuery(
    String agent,
    String session,
    String tool,
    Effect effect,
    AuditEntry.Kind kind,
    String decision,
    Instant from,
    Instant to,
    long afterSeq,
    int limit) {

  /** Everything after {@code afterSeq}, up to {@code limit} records. */
  public static AuditQuery after(long afterSeq, int limit) {
    return new AuditQuery(null, null, null, null, null, null, null, null, afterSeq, limit);
  }

  /** The decision record with this id, if the log has one. */
  public static AuditQuery decision(String id) {
    return new AuditQuery(null, null, null, null, AuditEntry.Kind.DECISION, id, null, null, 0, 1);
  }
}
