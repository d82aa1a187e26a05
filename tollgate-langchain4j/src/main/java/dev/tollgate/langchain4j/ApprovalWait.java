package dev.tollgate.langchain4j;

import dev.tollgate.api.ApprovalStatus;
import java.net.URI;
import java.time.Duration;

/**
 * How a gated tool call waits for a person to decide the approval its {@code ask} opened: in
 * process, the engine's {@code Approvals} (their events, then the record's status); remote, the
 * sidecar's long poll ({@link #sidecar}).
 *
 * <p>Implementations are thread-safe and return by {@code timeout} (give or take a poll).
 */
@FunctionalInterface
public interface ApprovalWait {

  /** No one to wait for: an asked call is answered at once with its approval's id. */
  ApprovalWait NONE = (id, timeout) -> ApprovalStatus.PENDING;

  /**
   * Waits until the approval is decided or {@code timeout} passes.
   *
   * @return its status then: {@link ApprovalStatus#PENDING} when no one decided in time
   * @throws InterruptedException when the waiting thread is interrupted
   */
  ApprovalStatus await(String approvalId, Duration timeout) throws InterruptedException;

  /**
   * Waits through the sidecar's {@code GET /v1/approvals/{id}?wait=...} with the agent's token (the
   * same one its {@code TollgateClient} uses): an agent may read its own approvals only.
   *
   * @param base the server's address, for example {@code http://127.0.0.1:8181}
   * @param token the agent's bearer token; never logged nor put in an exception
   */
  static ApprovalWait sidecar(URI base, String token) {
    // the agent's name only labels the client; the server takes the agent from the token
    return dev.tollgate.client.TollgateClient.connect(base, "approvals", token)::awaitApproval;
  }
}
