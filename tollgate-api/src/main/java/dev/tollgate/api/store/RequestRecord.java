package dev.tollgate.api.store;

import java.time.Instant;
import java.util.Objects;

/**
 * One call of an agent named by its request id: the action it named and, once made, its decision.
 * This is what makes a retried call idempotent: a retry with the same agent and request id gets
 * this decision back rather than a new one.
 *
 * @param agent the agent whose call it is
 * @param requestId the id the agent gave the call
 * @param tool the action's tool
 * @param session the action's session, or {@code null}
 * @param user the action's user, or {@code null}
 * @param argsDigest {@code sha256:<hex>} of the action's canonical arguments
 * @param decisionId the id of the decision being made (while pending) or made
 * @param decision the decision, as JSON text the engine wrote and alone reads (the store keeps it
 *     as is); it holds masked findings and never an argument value in clear. {@code null} while the
 *     call is still being decided
 * @param created when the call was reserved
 * @param expiresAt the end of the window: after it the request id names nothing, and a call with it
 *     is decided anew
 */
public record RequestRecord(
    String agent,
    String requestId,
    String tool,
    String session,
    String user,
    String argsDigest,
    String decisionId,
    String decision,
    Instant created,
    Instant expiresAt) {

  public RequestRecord {
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(tool, "tool");
    Objects.requireNonNull(argsDigest, "argsDigest");
    Objects.requireNonNull(decisionId, "decisionId");
    Objects.requireNonNull(created, "created");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }

  /** Whether the call is still being decided. */
  public boolean pending() {
    return decision == null;
  }

  /** Whether {@code other} names the same action: tool, session, user and arguments. */
  public boolean sameAction(RequestRecord other) {
    return tool.equals(other.tool)
        && Objects.equals(session, other.session)
        && Objects.equals(user, other.user)
        && argsDigest.equals(other.argsDigest);
  }

  /** This entry with its decision made. */
  public RequestRecord decided(String decision) {
    return new RequestRecord(
        agent,
        requestId,
        tool,
        session,
        user,
        argsDigest,
        decisionId,
        Objects.requireNonNull(decision, "decision"),
        created,
        expiresAt);
  }
}
