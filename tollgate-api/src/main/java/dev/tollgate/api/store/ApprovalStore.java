package dev.tollgate.api.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Approvals and the grants they issue, shared by every Tollgate instance on the store. Every change
 * is durable when the method returns. Deciding an approval is a compare-and-set: of two people
 * approving at once, or an approval and its expiry, exactly one wins. Any failure to reach the
 * store is a {@link StoreUnavailableException}.
 */
public interface ApprovalStore {

  void create(ApprovalRecord approval);

  Optional<ApprovalRecord> get(String id);

  /**
   * The newest approval for this exact action (agent, session, tool and argument digest), in any
   * status: a retried action finds the approval its first attempt opened. Only its state is needed
   * (id, status, expiry, who decided and why): a store may leave the body out (arguments, reasons,
   * findings, provenance, request empty; four eyes and fresh false), since this is read on every
   * repeated ask; {@link #get} returns the whole record.
   */
  Optional<ApprovalRecord> latestFor(String agent, String session, String tool, String argsDigest);

  /**
   * Approvals, newest first.
   *
   * @param status only those with this status as of {@code now} ({@link ApprovalRecord#status(
   *     Instant)}: a pending approval past its expiry is {@code expired}, not {@code pending}), or
   *     {@code null} for all
   */
  List<ApprovalRecord> list(String status, Instant now, int limit);

  /**
   * Approves a pending approval that has not expired at {@code now} and, in the same transaction,
   * issues {@code grant}.
   *
   * @return false, changing nothing, when the approval is not pending or has expired
   */
  boolean approve(String id, String by, String note, GrantRecord grant, Instant now);

  /**
   * Denies a pending approval that has not expired at {@code now}.
   *
   * @return false, changing nothing, when the approval is not pending or has expired
   */
  boolean deny(String id, String by, String note, Instant now);

  /** Marks every pending approval whose expiry has passed as expired; returns their ids. */
  List<String> expire(Instant now);

  /** The grants. */
  GrantStore grants();
}
