package dev.tollgate.api.store;

import java.time.Instant;
import java.util.Optional;

/**
 * Calls by request id, shared by every Tollgate instance on the store: what makes a retried decide
 * idempotent. An entry is keyed by agent and request id and lives until its window ends.
 *
 * <p>What every implementation must guarantee:
 *
 * <ul>
 *   <li>{@link #reserve} is atomic: of any number of callers racing for one key, on any number of
 *       instances, exactly one gets the reservation; every other is given the entry that holds the
 *       key.
 *   <li>{@link #complete} and {@link #release} change an entry only while it is still pending under
 *       the caller's decision id, so an attempt whose reservation was taken over can neither
 *       overwrite nor remove its successor's.
 *   <li>Every change is durable when the method returns. Any failure to reach the store is a {@link
 *       StoreUnavailableException}; callers deny rather than decide twice.
 * </ul>
 *
 * An in-memory implementation may forget its oldest entries beyond a bound; a later retry of a
 * forgotten call is then decided anew.
 */
public interface RequestStore {

  /**
   * Reserves {@code request}'s agent and request id for the caller, with {@code request} pending
   * (its decision {@code null}). An entry whose window has ended at {@code now}, or that is still
   * pending and was reserved before {@code staleBefore} (the instance deciding it presumably
   * stopped), counts as absent and is replaced.
   *
   * @return empty when this call reserved the key: the caller decides, then {@link #complete}s or
   *     {@link #release}s it; otherwise the live entry that holds the key, pending or decided
   */
  Optional<RequestRecord> reserve(RequestRecord request, Instant now, Instant staleBefore);

  /**
   * Stores the decision of a reservation: only while the entry is pending under {@code decisionId}.
   *
   * @return false, changing nothing, when the entry is decided, gone or held by another attempt
   */
  boolean complete(String agent, String requestId, String decisionId, String decision);

  /**
   * Removes a reservation whose attempt failed before deciding, so that a retry decides anew: only
   * while the entry is pending under {@code decisionId}.
   */
  void release(String agent, String requestId, String decisionId);

  /** The entry for this agent and request id, live or not, if the store still has it. */
  Optional<RequestRecord> get(String agent, String requestId);

  /** Removes every entry whose window ended at {@code now}; returns how many. */
  int sweep(Instant now);
}
