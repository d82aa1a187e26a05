package dev.tollgate.api.store;

import dev.tollgate.api.ApprovalStatus;
import dev.tollgate.api.Finding;
import dev.tollgate.api.Reason;
import dev.tollgate.api.internal.WireNames;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A question to a person: may this action (or, for a grant request, this kind of action) go ahead?
 *
 * @param id unguessable id, {@code apr_...}
 * @param status the status as stored; use {@link #status(Instant)} for the status at a given time
 * @param kind what opened it
 * @param agent the agent whose action it is
 * @param user the user the agent acts for, or {@code null}
 * @param session the session, or {@code null}
 * @param tool the tool (for a grant request: the tool name or pattern asked for)
 * @param args the action's arguments, with flagged values masked; empty for a grant request
 * @param argsDigest {@code sha256:<hex>} of the canonical (unmasked) arguments, or {@code null}
 * @param reasons why it was asked (policies and messages), or the agent's reason for a request
 * @param findings sensitive data found in the arguments, masked
 * @param provenance for each control argument, where its value came from (may be empty)
 * @param decision the id of the decision that opened it, or {@code null}
 * @param request for a grant request: what was asked ({@code constraint}, {@code ttlSeconds},
 *     {@code uses}, {@code reason}); empty otherwise
 * @param fourEyes whether two different people must approve it, neither of them the user the agent
 *     acts for nor the agent
 * @param fresh whether only a grant for exactly this action may follow (no wider scope)
 * @param created when it was opened
 * @param expiresAt when it counts as denied if nobody decided
 * @param decidedBy who approved or denied it, or {@code null}
 * @param decidedAt when, or {@code null}
 * @param note the approver's reason (given back to the agent on a deny), or {@code null}
 * @param grant the grant issued on approval, or {@code null}
 * @param approvals the people's approvals so far, oldest first: one once approved, or for four eyes
 *     the first of two while it is still pending
 */
public record ApprovalRecord(
    String id,
    ApprovalStatus status,
    Kind kind,
    String agent,
    String user,
    String session,
    String tool,
    Map<String, Object> args,
    String argsDigest,
    List<Reason> reasons,
    List<Finding> findings,
    Map<String, Object> provenance,
    String decision,
    Map<String, Object> request,
    boolean fourEyes,
    boolean fresh,
    Instant created,
    Instant expiresAt,
    String decidedBy,
    Instant decidedAt,
    String note,
    String grant,
    List<Approval> approvals) {

  /**
   * What opened an approval. On the wire (JSON, the store's {@code kind} column) each kind is its
   * lower-case name: {@code action}, {@code grant}.
   */
  public enum Kind {
    /** An {@code ask} decision opened it, for exactly that action. */
    ACTION,
    /** An agent asked for a grant ahead of time. */
    GRANT;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    private static final WireNames<Kind> WIRE_NAMES =
        new WireNames<>("approval kind", values(), Kind::wireName);

    /** The lower-case name used in JSON and the store. */
    public String wireName() {
      return wireName;
    }

    /**
     * Parses {@code action} or {@code grant}.
     *
     * @throws IllegalArgumentException naming the accepted values, for anything else
     */
    public static Kind parse(String text) {
      return WIRE_NAMES.parse(text);
    }
  }

  /**
   * One person's approval.
   *
   * @param by who approved
   * @param at when
   * @param note why, or {@code null}
   * @param scope what the approver let through ({@code subject}, {@code tool}, {@code ttlSeconds},
   *     {@code uses}, {@code constraint}: JSON values), or {@code null} for exactly the approved
   *     action once; for four eyes the second approver agrees to the first one's
   */
  public record Approval(String by, Instant at, String note, Map<String, Object> scope) {
    public Approval {
      Objects.requireNonNull(by, "by");
      Objects.requireNonNull(at, "at");
    }
  }

  public ApprovalRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(tool, "tool");
    Objects.requireNonNull(created, "created");
    Objects.requireNonNull(expiresAt, "expiresAt");
    args = args == null ? Map.of() : args;
    reasons = List.copyOf(reasons);
    findings = List.copyOf(findings);
    provenance = provenance == null ? Map.of() : provenance;
    request = request == null ? Map.of() : request;
    approvals = approvals == null ? List.of() : List.copyOf(approvals);
  }

  /** An approval that nobody has approved yet. */
  public ApprovalRecord(
      String id,
      ApprovalStatus status,
      Kind kind,
      String agent,
      String user,
      String session,
      String tool,
      Map<String, Object> args,
      String argsDigest,
      List<Reason> reasons,
      List<Finding> findings,
      Map<String, Object> provenance,
      String decision,
      Map<String, Object> request,
      boolean fourEyes,
      boolean fresh,
      Instant created,
      Instant expiresAt,
      String decidedBy,
      Instant decidedAt,
      String note,
      String grant) {
    this(
        id,
        status,
        kind,
        agent,
        user,
        session,
        tool,
        args,
        argsDigest,
        reasons,
        findings,
        provenance,
        decision,
        request,
        fourEyes,
        fresh,
        created,
        expiresAt,
        decidedBy,
        decidedAt,
        note,
        grant,
        List.of());
  }

  /** How many people must approve it: two for four eyes, else one. */
  public int approvalsNeeded() {
    return fourEyes ? 2 : 1;
  }

  /** The same approval with another status and outcome (who decided, when, why, which grant). */
  public ApprovalRecord resolved(
      ApprovalStatus status, String decidedBy, Instant decidedAt, String note, String grant) {
    return new ApprovalRecord(
        id,
        status,
        kind,
        agent,
        user,
        session,
        tool,
        args,
        argsDigest,
        reasons,
        findings,
        provenance,
        decision,
        request,
        fourEyes,
        fresh,
        created,
        expiresAt,
        decidedBy,
        decidedAt,
        note,
        grant,
        approvals);
  }

  /** The same approval with one more person's approval recorded. */
  public ApprovalRecord withApproval(Approval approval) {
    List<Approval> more = new java.util.ArrayList<>(approvals);
    more.add(Objects.requireNonNull(approval, "approval"));
    return new ApprovalRecord(
        id,
        status,
        kind,
        agent,
        user,
        session,
        tool,
        args,
        argsDigest,
        reasons,
        findings,
        provenance,
        decision,
        request,
        fourEyes,
        fresh,
        created,
        expiresAt,
        decidedBy,
        decidedAt,
        note,
        grant,
        more);
  }

  /** The status at {@code now}: a pending approval past its expiry counts as expired. */
  public ApprovalStatus status(Instant now) {
    return status == ApprovalStatus.PENDING && !now.isBefore(expiresAt)
        ? ApprovalStatus.EXPIRED
        : status;
  }
}
