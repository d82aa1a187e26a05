package dev.tollgate.mcp;

import dev.tollgate.api.ApprovalStatus;
import java.time.Duration;

/**
 * How the gateway waits for a person to decide an approval it opened: the engine's approvals in
 * process, or the sidecar's long poll.
 */
@FunctionalInterface
public interface ApprovalWait {

  /** No one to wait for: an asked call is answered at once with its approval's id. */
  ApprovalWait NONE = (id, timeout) -> ApprovalStatus.PENDING;

  /**
   * Waits until the approval is decided or {@code timeout} passes.
   *
   * @return its status then: {@link ApprovalStatus#PENDING} when no one decided in time
   */
  ApprovalStatus await(String approvalId, Duration timeout) throws InterruptedException;
}
