package dev.tollgate.api.store;

import dev.tollgate.api.Finding;
import dev.tollgate.api.Reason;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One event to audit, before the log gives it a place in the chain. Holds no sensitive value in
 * clear: findings carry masked excerpts and the arguments only as a digest.
 *
 * @param time when it happened
 * @param kind {@code decision}, {@code retry} (a decision given again to a retry with its request
 *     id), {@code rejected}, {@code session}, {@code observe}, {@code reload}, {@code approval},
 *     {@code grant} or {@code person} (console sign-ins and people changes)
 * @param agent the agent, or {@code null} (for example an unauthenticated request)
 * @param user the user, or {@code null}
 * @param session the session id, or {@code null}
 * @param tool the tool, or {@code null}
 * @param effect {@code allow}, {@code ask} or {@code deny} for decisions, else {@code null}
 * @param decision the decision id, or {@code null}
 * @param reasons the reasons (policy and message), possibly empty
 * @param findings masked findings, possibly empty
 * @param argsDigest {@code sha256:<hex>} of the canonical arguments, or {@code null}
 * @param latencyMicros how long the decision took, or 0
 * @param detail kind-specific facts (JSON values), possibly empty
 */
public record AuditEntry(
    Instant time,
    String kind,
    String agent,
    String user,
    String session,
    String tool,
    String effect,
    String decision,
    List<Reason> reasons,
    List<Finding> findings,
    String argsDigest,
    long latencyMicros,
    Map<String, Object> detail) {

  public AuditEntry {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(kind, "kind");
    reasons = List.copyOf(reasons);
    findings = List.copyOf(findings);
    detail = detail == null ? Map.of() : Map.copyOf(detail);
  }
}
