package dev.tollgate.engine;

import dev.tollgate.api.Action;
import dev.tollgate.api.ApprovalRef;
import dev.tollgate.api.ApprovalStatus;
import dev.tollgate.api.Reason;
import dev.tollgate.api.store.ApprovalRecord;
import dev.tollgate.api.store.ApprovalStore;
import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.api.store.AuditLog;
import dev.tollgate.api.store.GrantRecord;
import dev.tollgate.api.store.GrantStore;
import dev.tollgate.engine.internal.bundle.Durations;
import dev.tollgate.engine.internal.bundle.Redaction;
import dev.tollgate.engine.internal.decide.Constraints;
import dev.tollgate.engine.internal.decide.Evaluation;
import dev.tollgate.engine.internal.decide.Ids;
import dev.tollgate.engine.internal.decide.Inspection;
import dev.tollgate.json.ClientText;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * People's side of {@code ask}: approvals, and the temporary, scoped grants that approving issues;
 * long because every step of an approval's life (open, approve, four eyes, deny, expire, grant
 * requests, revoke) is a compare-and-set on the same record, best read side by side. The rules of
 * grants themselves (matching, issuing, scope checks) are {@link GrantRules}.
 *
 * <p>An {@code ask} decision opens an approval (or finds the one its first attempt opened). A
 * person approves it, which by default issues a grant for exactly that action (its tool and
 * argument digest, one use, {@value #EXACT_GRANT_MINUTES} minutes), or with a wider {@link Scope};
 * or denies it with a reason that goes back to the agent. Decisions consult live grants: a grant
 * lets through what an {@code ask} or the agent's profile would stop, never a policy's {@code
 * deny}. Every approval and grant event goes to the audit log and to subscribers.
 *
 * <p>A policy that asks for four eyes needs two approvals by two different people, neither of them
 * the user the agent acts for nor the agent: the first approval is recorded with its scope and
 * leaves the approval pending; the second, by someone else, agrees to that scope and issues the
 * grant. A deny by either denies. Each step is a compare-and-set on the approvals recorded so far,
 * so two people approving at the same moment on two instances make exactly one grant.
 */
public final class Approvals {

  /** How long the grant for exactly the approved action lasts, for the agent to retry it. */
  public static final int EXACT_GRANT_MINUTES = 15;

  /** The longest a grant may last: privilege expires. */
  public static final Duration MAX_GRANT_TTL = Duration.ofDays(1);

  private final ApprovalStore store;
  private final InstantSource clock;
  private final AuditLog audit;
  private final List<Consumer<Event>> listeners = new CopyOnWriteArrayList<>();

  /** Counts events, so that {@link #await} wakes on each instead of polling. */
  private final Object eventLock = new Object();

  private long eventCount;

  private final GrantRules rules = new GrantRules(new Constraints());

  Approvals(ApprovalStore store, InstantSource clock, AuditLog audit) {
    this.store = Objects.requireNonNull(store, "store");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.audit = audit;
  }

  /**
   * What an approver lets through. {@link #exact()} is exactly the approved action, once.
   *
   * @param subjectKind whose actions the grant covers, or {@code null} for the approval's session
   * @param tool a tool name or pattern that covers the approved tool
   * @param ttl how long the grant lasts (at most {@link #MAX_GRANT_TTL})
   * @param uses how many actions it lets through, or 0 for any number until it expires
   * @param constraint a CEL condition over the policy facts that every action must meet, or {@code
   *     null}
   */
  public record Scope(
      GrantRecord.SubjectKind subjectKind, String tool, Duration ttl, int uses, String constraint) {
    private static final Scope EXACT = new Scope(null, null, null, 1, null);

    /** Exactly the approved action, one use. */
    public static Scope exact() {
      return EXACT;
    }

    public boolean isExact() {
      return subjectKind == null && tool == null && ttl == null && constraint == null;
    }
  }

  /**
   * An approval or grant event.
   *
   * @param type what happened
   * @param approval the approval, or {@code null} for a grant event without one
   * @param grant the grant, or {@code null}
   * @param by the person who acted, or {@code null}
   */
  public record Event(
      Type type, ApprovalRecord approval, GrantRecord grant, String by, Instant at) {

    /**
     * What happened. Its wire name ({@code approval.opened}, ...) is what the audit record's {@code
     * detail.event} and the console's event stream carry.
     */
    public enum Type {
      APPROVAL_OPENED,
      /** Four eyes: the first of two approvals. */
      APPROVAL_PARTLY_APPROVED,
      APPROVAL_APPROVED,
      APPROVAL_DENIED,
      APPROVAL_EXPIRED,
      GRANT_ISSUED,
      GRANT_USED,
      GRANT_REVOKED;

      private final String wireName =
          name().toLowerCase(java.util.Locale.ROOT).replaceFirst("_", ".");

      /** {@code approval.opened}, {@code approval.partly_approved}, ..., {@code grant.revoked}. */
      public String wireName() {
        return wireName;
      }

      /** The kind of the audit record that records it. */
      public AuditEntry.Kind auditKind() {
        return switch (this) {
          case APPROVAL_OPENED,
              APPROVAL_PARTLY_APPROVED,
              APPROVAL_APPROVED,
              APPROVAL_DENIED,
              APPROVAL_EXPIRED ->
              AuditEntry.Kind.APPROVAL;
          case GRANT_ISSUED, GRANT_USED, GRANT_REVOKED -> AuditEntry.Kind.GRANT;
        };
      }
    }
  }

  /** A person's request that cannot be carried out; {@link #code} and {@link #status} say why. */
  public static final class ApprovalException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String code;
    private final int status;

    ApprovalException(int status, String code, String message) {
      super(message);
      this.status = status;
      this.code = code;
    }

    /**
     * {@code not_found}, {@code expired}, {@code already_decided}, {@code four_eyes}, {@code
     * four_eyes_same_approver}, {@code four_eyes_scope}, ...
     */
    public String code() {
      return code;
    }

    /** The HTTP status this maps to: 400, 403, 404 or 409. */
    public int status() {
      return status;
    }
  }

  /** Calls {@code listener} for every event from now on (on the thread that caused it). */
  public void subscribe(Consumer<Event> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Waits until a person decides the approval, it expires, or {@code timeout} passes: woken by
   * every approval event here, then reading the approval's status (one decided on another instance
   * sharing the store, or expired, is read at the end of the wait).
   *
   * @return its status then: {@link ApprovalStatus#PENDING} when no one decided in time, {@link
   *     ApprovalStatus#EXPIRED} for an approval this store does not know
   */
  public ApprovalStatus await(String id, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (true) {
      long seen;
      synchronized (eventLock) {
        seen = eventCount;
      }
      ApprovalStatus status = get(id).map(ApprovalRecord::status).orElse(ApprovalStatus.EXPIRED);
      long left = end - System.nanoTime();
      if (status != ApprovalStatus.PENDING || left <= 0) {
        return status;
      }
      synchronized (eventLock) {
        // an event since the status was read: read it again at once
        if (eventCount == seen) {
          java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(eventLock, left);
        }
      }
    }
  }

  /** An approval, with its status as of now (a pending one past its expiry reads expired). */
  public Optional<ApprovalRecord> get(String id) {
    return store.get(id).map(this::current);
  }

  /**
   * Approvals, newest first.
   *
   * @param status only those with this status now, or {@code null} for all
   */
  public List<ApprovalRecord> list(ApprovalStatus status, int limit) {
    Instant now = clock.instant();
    List<ApprovalRecord> out = new ArrayList<>();
    for (ApprovalRecord a : store.list(status, now, limit)) {
      out.add(current(a, now));
    }
    return out;
  }

  /**
   * Approves a pending approval. For four eyes, the first person's approval is recorded and leaves
   * it pending ({@code approval.partly_approved}); the second, by another person, issues the grant.
   *
   * @param approver the person approving (never an agent)
   * @param scope what the grant lets through; {@code null} for {@link Scope#exact()}, or for the
   *     second of four eyes the scope the first approver chose
   * @throws ApprovalException when it is unknown, expired, already decided, or the scope is
   *     invalid; for four eyes when the approver is the user the agent acts for or the agent (403
   *     {@code four_eyes}), approved it already (409 {@code four_eyes_same_approver}), or is the
   *     second and names another scope than the first (409 {@code four_eyes_scope})
   */
  public ApprovalRecord approve(String id, String approver, Scope scope, String note)
      throws ApprovalException {
    requirePerson(approver);
    String who = approver.strip();
    // Each round reads the approval and tries one compare-and-set on its approvals; a lost race
    // (someone else approved, denied or it expired) reads again and goes on from there. The state
    // only moves forward (no approval, one, decided), so three rounds always end it.
    for (int round = 0; round < 3; round++) {
      Instant now = clock.instant();
      ApprovalRecord a = pending(id, now);
      if (!a.fourEyes()) {
        Scope chosen = scope == null ? Scope.exact() : scope;
        GrantRecord grant = rules.issue(a, who, chosen, note, now);
        if (store.addApproval(id, a.approvals(), step(who, now, note, chosen), grant, now)) {
          return approved(id, grant, who, now);
        }
        continue;
      }
      requireFourEyes(a, who);
      if (a.approvals().isEmpty()) {
        Scope chosen = scope == null ? Scope.exact() : scope;
        rules.issue(a, who, chosen, note, now); // refuses an invalid scope now, not at the second
        ApprovalRecord.Approval mine = step(who, now, note, chosen);
        if (store.addApproval(id, a.approvals(), mine, null, now)) {
          // what this call made, the first of two approvals: not a re-read, in which a second
          // approver who came in between would already have approved it
          ApprovalRecord partly = a.withApproval(mine);
          emit(new Event(Event.Type.APPROVAL_PARTLY_APPROVED, partly, null, who, now));
          return partly;
        }
        continue;
      }
      ApprovalRecord.Approval first = a.approvals().getFirst();
      Scope agreed = GrantRules.scopeOf(first.scope());
      if (scope != null && !scope.equals(agreed)) {
        throw new ApprovalException(
            409,
            "four_eyes_scope",
            "four eyes: "
                + first.by()
                + " approved "
                + describe(agreed)
                + "; approve that same scope (or leave the scope out), or deny");
      }
      GrantRecord grant =
          rules.issue(a, first.by() + " and " + who, agreed, notes(first.note(), note), now);
      if (store.addApproval(id, a.approvals(), step(who, now, note, null), grant, now)) {
        return approved(id, grant, who, now);
      }
    }
    throw new ApprovalException(
        409, "conflict", "approval `" + id + "` kept changing while approving it: try again");
  }

  private ApprovalRecord approved(String id, GrantRecord grant, String by, Instant now) {
    ApprovalRecord done = store.get(id).orElseThrow();
    emit(new Event(Event.Type.APPROVAL_APPROVED, done, grant, by, now));
    emit(new Event(Event.Type.GRANT_ISSUED, done, grant, by, now));
    return done;
  }

  /**
   * Four eyes: neither the user the agent acts for nor the agent approves, and the two approvers
   * are two people.
   */
  private static void requireFourEyes(ApprovalRecord a, String who) throws ApprovalException {
    if (a.user() != null && a.user().strip().equalsIgnoreCase(who)) {
      throw new ApprovalException(
          403,
          "four_eyes",
          "four eyes: "
              + who
              + " is the user this agent acts for and cannot approve this request; ask two other"
              + " approvers");
    }
    if (a.agent().equalsIgnoreCase(who)) {
      throw new ApprovalException(
          403, "four_eyes", "four eyes: the agent cannot approve its own request");
    }
    for (ApprovalRecord.Approval earlier : a.approvals()) {
      if (earlier.by().strip().equalsIgnoreCase(who)) {
        throw new ApprovalException(
            409,
            "four_eyes_same_approver",
            "four eyes: "
                + who
                + " already approved this request at "
                + earlier.at()
                + "; a second, different person must approve it");
      }
    }
  }

  private static ApprovalRecord.Approval step(String by, Instant at, String note, Scope scope) {
    return new ApprovalRecord.Approval(
        by, at, note, scope == null ? null : GrantRules.scopeMap(scope));
  }

  private static String notes(String first, String second) {
    List<String> both = new ArrayList<>();
    for (String n : new String[] {first, second}) {
      if (n != null && !n.isBlank()) {
        both.add(n.strip());
      }
    }
    return both.isEmpty() ? null : String.join("; ", both);
  }

  /** A scope in words, for people. */
  public static String describe(Scope s) {
    if (s.equals(Scope.exact())) {
      return "exactly this action, once";
    }
    return "a grant for "
        + (s.subjectKind() == null ? "the session" : "this " + s.subjectKind().wireName())
        + (s.tool() == null ? "" : ", tool " + s.tool())
        + (s.ttl() == null ? "" : ", for " + s.ttl().toSeconds() + "s")
        + (s.uses() == 0 ? ", any number of uses" : ", " + s.uses() + " use(s)")
        + (s.constraint() == null ? "" : ", where " + s.constraint());
  }

  /** The scope the first of four eyes chose, which the second approver agrees to. */
  public static Scope firstScope(ApprovalRecord a) {
    return a.approvals().isEmpty()
        ? Scope.exact()
        : GrantRules.scopeOf(a.approvals().getFirst().scope());
  }

  /**
   * Denies a pending approval; {@code note} goes back to the agent.
   *
   * @throws ApprovalException when it is unknown, expired or already decided
   */
  public ApprovalRecord deny(String id, String approver, String note) throws ApprovalException {
    requirePerson(approver);
    Instant now = clock.instant();
    pending(id, now);
    String reason = note == null || note.isBlank() ? "no reason given" : note.strip();
    if (!store.deny(id, approver, reason, now)) {
      throw notPending(store.get(id).orElseThrow(), now);
    }
    ApprovalRecord done = store.get(id).orElseThrow();
    emit(new Event(Event.Type.APPROVAL_DENIED, done, null, approver, now));
    return done;
  }

  /**
   * Opens an approval for a grant ahead of time: an agent asks to use {@code tool} (a name or
   * pattern) for a while; the same people and flow decide.
   *
   * @param session the session the grant would be for, or {@code null} for the agent as a whole
   * @throws ApprovalException when the tool pattern, constraint, duration or uses are invalid
   */
  public ApprovalRecord requestGrant(
      String agent,
      String session,
      String user,
      String tool,
      String constraint,
      Duration ttl,
      int uses,
      String reason)
      throws ApprovalException {
    Instant now = clock.instant();
    rules.validTool(tool);
    rules.validConstraint(constraint);
    Duration life =
        ttl == null ? Duration.ofMinutes(EXACT_GRANT_MINUTES) : GrantRules.validTtl(ttl);
    if (uses < 0) {
      throw new ApprovalException(400, "invalid_scope", "uses must be 0 (unlimited) or more");
    }
    Map<String, Object> request = new LinkedHashMap<>();
    request.put("ttlSeconds", life.toSeconds());
    request.put("uses", (long) uses);
    if (constraint != null) {
      request.put("constraint", constraint);
    }
    request.put("reason", reason == null ? "" : reason);
    ApprovalRecord a =
        new ApprovalRecord(
            Ids.unguessable("apr_", now.toEpochMilli()),
            ApprovalStatus.PENDING,
            ApprovalRecord.Kind.GRANT,
            agent,
            user,
            session,
            tool,
            Map.of(),
            null,
            List.of(new Reason("grant-request", reason == null ? "" : reason)),
            List.of(),
            Map.of(),
            null,
            request,
            false,
            false,
            now,
            now.plus(Duration.ofMinutes(EXACT_GRANT_MINUTES)),
            null,
            null,
            null,
            null);
    store.create(a);
    emit(new Event(Event.Type.APPROVAL_OPENED, a, null, null, now));
    return a;
  }

  /** Grants, newest first. */
  public List<GrantRecord> grants(boolean activeOnly, int limit) {
    return store.grants().list(activeOnly, clock.instant(), limit);
  }

  public Optional<GrantRecord> grant(String id) {
    return store.grants().get(id);
  }

  /**
   * Revokes a grant: the next decision no longer sees it.
   *
   * @throws ApprovalException when it is unknown or already revoked
   */
  public GrantRecord revoke(String grantId, String by) throws ApprovalException {
    requirePerson(by);
    Instant now = clock.instant();
    GrantStore grants = store.grants();
    GrantRecord g =
        grants
            .get(grantId)
            .orElseThrow(
                () ->
                    new ApprovalException(
                        404,
                        "not_found",
                        "no grant `" + ClientText.shown(grantId) + "`: see the grants list"));
    if (!grants.revoke(grantId, by, now)) {
      throw new ApprovalException(
          409,
          "already_revoked",
          "grant `" + ClientText.shown(grantId) + "` was already revoked by " + g.revokedBy());
    }
    GrantRecord done = grants.get(grantId).orElseThrow();
    emit(new Event(Event.Type.GRANT_REVOKED, null, done, by, now));
    return done;
  }

  /** Marks pending approvals past their expiry as expired (each once, across instances). */
  public List<String> expire() {
    Instant now = clock.instant();
    List<String> ids = store.expire(now);
    for (String id : ids) {
      store
          .get(id)
          .ifPresent(a -> emit(new Event(Event.Type.APPROVAL_EXPIRED, a, null, null, now)));
    }
    return ids;
  }

  // ---- decide time ----

  /**
   * What consulting grants and approvals gave: the decision, or {@code null} when the evaluated
   * decision stands (a profile deny without a grant); and the events it caused ({@code grant.used},
   * {@code approval.opened}), which the decide shell records in the same audit append as the
   * decision and only then announces to subscribers ({@link #announce}).
   */
  record GateStep(dev.tollgate.api.Decision decision, List<Event> events) {}

  /**
   * The outcome for an action the policies asked about, or whose tool the profile alone refused,
   * once grants and approvals are consulted: a grant lets it through; otherwise an ask reuses the
   * approval its first attempt opened, stays denied while a person's deny stands, or opens a new
   * approval. Writes the grant use and the new approval to the store, but records nothing in the
   * audit: the caller appends the returned events with the decision.
   *
   * @param digest the arguments' digest, computed at most once per decision and shared
   */
  GateStep gate(
      String id,
      String agent,
      Action action,
      Evaluation evaluation,
      Inspection inspection,
      Supplier<Map<String, Object>> facts,
      Supplier<String> digest) {
    Instant now = clock.instant();
    boolean freshOnly = evaluation.asked() && evaluation.approval().fresh();
    GrantStore grants = store.grants();
    GrantRecord g = rules.use(grants, agent, action, freshOnly, facts, digest, now);
    if (g != null) {
      return new GateStep(
          dev.tollgate.api.Decision.builder(id, dev.tollgate.api.Effect.ALLOW)
              .reasons(
                  List.of(
                      new Reason(
                          "grant:" + g.id(),
                          "let through by grant "
                              + g.id()
                              + " from "
                              + g.issuer()
                              + (g.reason().isBlank() ? "" : " (" + g.reason() + ")"))))
              .findings(inspection.findings())
              .grant(g.id())
              .shadow(evaluation.shadow())
              .build(),
          List.of(new Event(Event.Type.GRANT_USED, null, g, null, now)));
    }
    if (evaluation.effect() != dev.tollgate.api.Effect.ASK) {
      return new GateStep(null, List.of());
    }
    ApprovalRecord latest =
        store.latestFor(agent, action.session(), action.tool(), digest.get()).orElse(null);
    if (latest != null) {
      ApprovalStatus status = latest.status(now);
      if (status == ApprovalStatus.PENDING) {
        return new GateStep(asked(id, evaluation, inspection, latest), List.of());
      }
      if (status == ApprovalStatus.DENIED && now.isBefore(latest.expiresAt())) {
        return new GateStep(
            dev.tollgate.api.Decision.builder(id, dev.tollgate.api.Effect.DENY)
                .reasons(
                    List.of(
                        new Reason(
                            "approval:" + latest.id(),
                            "denied by " + latest.decidedBy() + ": " + latest.note())))
                .findings(inspection.findings())
                .approval(new ApprovalRef(latest.id(), ApprovalStatus.DENIED, latest.expiresAt()))
                .shadow(evaluation.shadow())
                .build(),
            List.of());
      }
    }
    ApprovalRecord opened =
        new ApprovalRecord(
            Ids.unguessable("apr_", now.toEpochMilli()),
            ApprovalStatus.PENDING,
            ApprovalRecord.Kind.ACTION,
            agent,
            action.user(),
            action.session(),
            action.tool(),
            masked(action.args(), inspection),
            digest.get(),
            evaluation.reasons(),
            inspection.findings(),
            inspection.provenance(),
            id,
            Map.of(),
            evaluation.approval().fourEyes(),
            evaluation.approval().fresh(),
            now,
            now.plus(evaluation.approval().ttl()),
            null,
            null,
            null,
            null);
    store.create(opened);
    return new GateStep(
        asked(id, evaluation, inspection, opened),
        List.of(new Event(Event.Type.APPROVAL_OPENED, opened, null, null, now)));
  }

  /**
   * Tells subscribers of events the decide shell has recorded (after its audit append), on the
   * calling thread; a subscriber's failure changes nothing.
   */
  void announce(List<Event> events) {
    for (Event e : events) {
      notifyListeners(e);
    }
  }

  /** The arguments as a person may see them: every flagged value masked. */
  private static Map<String, Object> masked(Map<String, Object> args, Inspection inspection) {
    Map<String, Object> masked = MASK_ALL.apply(args, inspection.hits());
    return masked == null ? args : masked;
  }

  private static final Redaction MASK_ALL = new Redaction("mask", List.of());

  private static dev.tollgate.api.Decision asked(
      String id, Evaluation evaluation, Inspection inspection, ApprovalRecord a) {
    return dev.tollgate.api.Decision.builder(id, dev.tollgate.api.Effect.ASK)
        .reasons(evaluation.reasons())
        .findings(inspection.findings())
        .approval(new ApprovalRef(a.id(), ApprovalStatus.PENDING, a.expiresAt()))
        .shadow(evaluation.shadow())
        .build();
  }

  // ---- helpers ----

  private ApprovalRecord current(ApprovalRecord a) {
    return current(a, clock.instant());
  }

  private static ApprovalRecord current(ApprovalRecord a, Instant now) {
    ApprovalStatus status = a.status(now);
    return status == a.status()
        ? a
        : a.resolved(status, a.decidedBy(), a.decidedAt(), a.note(), a.grant());
  }

  private ApprovalRecord pending(String id, Instant now) throws ApprovalException {
    ApprovalRecord a =
        store
            .get(id)
            .orElseThrow(
                () ->
                    new ApprovalException(
                        404,
                        "not_found",
                        "no approval `" + ClientText.shown(id) + "`: see the approvals inbox"));
    if (a.status(now) != ApprovalStatus.PENDING) {
      throw notPending(a, now);
    }
    return a;
  }

  private static ApprovalException notPending(ApprovalRecord a, Instant now) {
    ApprovalStatus status = a.status(now);
    if (status == ApprovalStatus.EXPIRED) {
      return new ApprovalException(
          409,
          "expired",
          "approval `"
              + a.id()
              + "` expired at "
              + a.expiresAt()
              + " and counts as denied; the agent may ask again");
    }
    return new ApprovalException(
        409,
        "already_decided",
        "approval `"
            + a.id()
            + "` was already "
            + status
            + (a.decidedBy() == null ? "" : " by " + a.decidedBy()));
  }

  /** Parses {@code 15m}-style text for callers that take durations as text. */
  public static Duration duration(String text) throws ApprovalException {
    try {
      return GrantRules.validTtl(Durations.parse(text));
    } catch (IllegalArgumentException e) {
      throw new ApprovalException(400, "invalid_scope", e.getMessage() + ": " + Durations.HINT);
    }
  }

  private static void requirePerson(String who) throws ApprovalException {
    if (who == null || who.isBlank()) {
      throw new ApprovalException(400, "bad_request", "the approver's name is required");
    }
    if (who.strip().toLowerCase(Locale.ROOT).startsWith("agent:")) {
      throw new ApprovalException(403, "forbidden", "an agent cannot decide approvals");
    }
  }

  /** Records {@code e} in the audit, then tells subscribers. */
  private void emit(Event e) {
    if (audit != null) {
      audit.append(List.of(auditEntry(e)));
    }
    notifyListeners(e);
  }

  private void notifyListeners(Event e) {
    synchronized (eventLock) {
      eventCount++;
      eventLock.notifyAll();
    }
    for (Consumer<Event> l : listeners) {
      try {
        l.accept(e);
      } catch (RuntimeException ignored) {
        // A subscriber's failure (a console stream gone, a webhook queue full) never undoes or
        // delays the event itself.
      }
    }
  }

  /** The audit record of an approval or grant event. */
  static AuditEntry auditEntry(Event e) {
    ApprovalRecord a = e.approval();
    GrantRecord g = e.grant();
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("event", e.type().wireName());
    if (a != null) {
      detail.put("approval", a.id());
      detail.put("status", a.status().wireName());
      detail.put("expiresAt", a.expiresAt().toString());
      if (a.note() != null) {
        detail.put("note", a.note());
      }
      if (a.fourEyes()) {
        detail.put("approvalsNeeded", (long) a.approvalsNeeded());
        detail.put("approvedBy", a.approvals().stream().map(ApprovalRecord.Approval::by).toList());
        if (e.type() == Event.Type.APPROVAL_PARTLY_APPROVED
            && a.approvals().getFirst().scope() != null) {
          detail.put("scope", a.approvals().getFirst().scope());
        }
      }
    }
    if (g != null) {
      detail.put("grant", g.id());
      detail.put("subject", g.subjectKind().wireName() + ":" + g.subject());
      detail.put("toolPattern", g.tool());
      detail.put("uses", (long) g.uses());
      detail.put("grantExpiresAt", g.expiresAt().toString());
      if (g.constraint() != null) {
        detail.put("constraint", g.constraint());
      }
      if (g.argsDigest() != null) {
        detail.put("exact", true);
      }
    }
    if (e.by() != null) {
      detail.put("by", e.by());
    }
    return new AuditEntry(
        e.at(),
        e.type().auditKind(),
        a != null ? a.agent() : g.agent(),
        a != null ? a.user() : null,
        a != null ? a.session() : null,
        a != null ? a.tool() : g.tool(),
        null,
        a != null ? a.decision() : null,
        a != null ? a.reasons() : List.of(),
        a != null ? a.findings() : List.of(),
        a != null ? a.argsDigest() : null,
        0,
        detail);
  }
}
