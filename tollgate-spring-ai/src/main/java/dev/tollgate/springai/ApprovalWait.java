package dev.tollgate.springai;

import dev.tollgate.api.ApprovalStatus;
import java.time.Duration;

/**
 * How a gated tool waits for a person to decide the approval an {@code ask} opened: the engine's
 * approvals in process, or the sidecar's long poll ({@code GET /v1/approvals/{id}?wait=...}). The
 * Spring Boot starter provides both; this interface keeps the decorator free of either.
 */
@FunctionalInterface
public interface ApprovalWait {

  /** No one to wait for: an asked call is answered at once with its approval's id. */
  ApprovalWait NONE = (id, timeout) -> ApprovalStatus.PENDING;

  /**
   * Waits until the approval is decided or {@code timeout} passes.
   *
   * @return its status then: {@link ApprovalStatus#PENDING} when no one decided in time
   * @throws InterruptedException when the waiting thread is interrupted (the call is then refused)
   */
  ApprovalStatus await(String approvalId, Duration timeout) throws InterruptedException;
}
