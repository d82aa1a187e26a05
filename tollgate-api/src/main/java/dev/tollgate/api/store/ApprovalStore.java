package dev.tollgate.api.store;

import dev.tollgate.api.ApprovalStatus;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Approvals and the grants they issue, shared by every Tollgate instance on the store. Every change
 * is durable when the method returns. Deciding an approval, and recording one person's approval of
 * it, are compare-and-sets: of two people approving at once, or an approval and its expiry, exactly
 * one wins, on any number of instances. Any failure to reach the store is a {@link
 * StoreUnavailableException}.
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
  List<ApprovalRecord> list(ApprovalStatus status, Instant now, int limit);

  /**
   * Approves a pending approval that nobody has approved yet and that has not expired at {@code
   * now}, recording {@code by}'s approval, and in the same transaction issues {@code grant}.
   *
   * @return false, changing nothing, when the approval is not pending, has expired or holds an
   *     approval already
   */
  default boolean approve(String id, String by, String note, GrantRecord grant, Instant now) {
    return addApproval(id, List.of(), new ApprovalRecord.Approval(by, now, note, null), grant, now);
  }

  /**
   * Records one person's approval of a pending approval that has not expired at {@code now}, as a
   * compare-and-set on the approvals recorded so far: only while it holds exactly {@code seen}
   * (approvals are only ever appended while pending, so their number names the state). With a
   * {@code grant}, the approval is also approved by {@code approval.by()} (with its note) and the
   * grant issued, in the same transaction; without, it stays pending with one more approval (four
   * eyes: the first of two).
   *
   * @param seen the approvals the caller read; the stored ones become {@code seen} and {@code
   *     approval}
   * @return false, changing nothing, when the approval is not pending, has expired or no longer
   *     holds {@code seen.size()} approvals
   */
  boolean addApproval(
      String id,
      List<ApprovalRecord.Approval> seen,
      ApprovalRecord.Approval approval,
      GrantRecord grant,
      Instant now);

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
