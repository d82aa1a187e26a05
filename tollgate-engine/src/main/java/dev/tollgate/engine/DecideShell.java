package dev.tollgate.engine;

import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.api.store.AuditLog;
import dev.tollgate.api.store.PauseRecord;
import dev.tollgate.api.store.RequestRecord;
import dev.tollgate.api.store.SessionRecord;
import dev.tollgate.api.store.SessionStore;
import dev.tollgate.api.store.StoreUnavailableException;
import dev.tollgate.engine.internal.bundle.CompiledBundle;
import dev.tollgate.engine.internal.cel.RateValues;
import dev.tollgate.engine.internal.decide.AuditEntries;
import dev.tollgate.engine.internal.decide.DecideInput;
import dev.tollgate.engine.internal.decide.Decider;
import dev.tollgate.engine.internal.decide.Evaluation;
import dev.tollgate.engine.internal.decide.Evaluator;
import dev.tollgate.engine.internal.decide.Ids;
import dev.tollgate.engine.internal.decide.Judge;
import dev.tollgate.engine.internal.decide.SessionView;
import dev.tollgate.engine.internal.decide.Verdict;
import dev.tollgate.engine.internal.flow.FlowIndex;
import dev.tollgate.engine.internal.flow.FlowIndexes;
import dev.tollgate.engine.internal.rate.Tallies;
import dev.tollgate.engine.internal.rate.Tally;
import dev.tollgate.engine.internal.scan.ScanLimitException;
import dev.tollgate.json.ApiJson;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

/**
 * The one decide path that every way in (library, server, gateway) goes through, in this order:
 *
 * <ol>
 *   <li>pure checks of the agent, the action, the session id and the request id ({@link
 *       Outcome.Refused}, no I/O);
 *   <li>the request id, when there is one: reserved, or the earlier attempt's decision replayed;
 *   <li>the session, read once, and what it has read (the flow index); the kill switch (a paused
 *       subject is denied here, {@link Outcome.Paused}); the rate counters, with this action
 *       appended to those it belongs to ({@code Tallies});
 *   <li>the pure decision ({@link Decider}: no I/O, no clock, no state; the one exception is the
 *       optional judge, asked with its own deadline only when a policy reads {@code judge});
 *   <li>grants and approvals, for an ask or a profile's deny;
 *   <li>one audit append holding the events of step 5 ({@code grant.used}, {@code approval.opened})
 *       and the decision record: one durable write, all or nothing;
 *   <li>the counters settled (an allowed or asked action stays counted, a denied one is taken
 *       back), the session's history step and the memory ledger, only once the record is durable;
 *   <li>the request id completed with the decision.
 * </ol>
 *
 * <p>{@link #run} is the one place where an error becomes a deny. A failure before step 6 is a deny
 * recorded (best effort) as a {@code decision} record; a failure of step 6 is a deny that is not
 * recorded and adds no history; a failure after step 6 overrides a recorded decision: the caller
 * gets a deny, recorded (best effort) with {@code detail.supersedes} naming the first. A grant used
 * in step 5 stays used when step 6 fails: the caller gets a deny, so the action does not run, and
 * an exact grant (one use) is spent; the approver can approve again.
 *
 * <p>Explaining runs steps 1, 3, 4 and 7 (the history step, so that a replayed trace's later steps
 * see it, and the memory ledger) and records nothing in the audit, uses no grant and opens no
 * approval.
 */
final class DecideShell {
  private final Tollgate tollgate;
  private final SessionStore sessions;
  private final FlowIndexes flows;
  private final Approvals approvals;
  private final Requests requests;
  private final AuditLog audit;
  private final InstantSource clock;
  private final int maxHistory;
  private final Judge judge;
  private final Tallies tallies;

  DecideShell(
      Tollgate tollgate,
      SessionStore sessions,
      FlowIndexes flows,
      Approvals approvals,
      Requests requests,
      AuditLog audit,
      InstantSource clock,
      int maxHistory,
      Judge judge,
      Tallies tallies) {
    this.tallies = tallies;
    this.tollgate = tollgate;
    this.sessions = sessions;
    this.flows = flows;
    this.approvals = approvals;
    this.requests = requests;
    this.audit = audit;
    this.clock = clock;
    this.judge = judge;
    this.maxHistory = maxHistory;
  }

  /** What one run ended with, and for an explanation every policy it considered. */
  record Run(Outcome outcome, List<PolicyOutcome> considered) {
    Run(Outcome outcome) {
      this(outcome, List.of());
    }
  }

  /** How far a run got: what a failure means depends on it. */
  private enum Stage {
    DECIDING,
    REQUEST_ID,
    RECORDING,
    RECORDED
  }

  /** One run's state: what a failure needs to know to answer and record it. */
  private static final class Call {
    final String id;
    final String agent;
    final Action action;
    final boolean explain;
    final String trace;
    final long start = System.nanoTime();
    Stage stage = Stage.DECIDING;
    RequestRecord held;
    Tally tally = Tally.NONE;
    private String digest;

    Call(String id, String agent, Action action, boolean explain, String trace) {
      this.id = id;
      this.agent = agent;
      this.action = action;
      this.explain = explain;
      this.trace = trace;
    }

    /** The arguments' digest, computed once per run and shared by request ids, grants and audit. */
    String digest() {
      if (digest == null) {
        digest = ApiJson.digest(action.args());
      }
      return digest;
    }

    long micros() {
      return (System.nanoTime() - start) / 1000;
    }
  }

  /**
   * Decides for real: grants, approvals, audit and request ids included. Never throws.
   *
   * @param trace the id of the trace the decision is reported in, for its audit record, or {@code
   *     null}
   */
  Outcome decide(String agent, Action action, String trace) {
    return run(agent, action, false, trace).outcome();
  }

  /** A dry run that also reports every considered policy. Never throws. */
  Run explain(String agent, Action action) {
    return run(agent, action, true, null);
  }

  private Run run(String agent, Action action, boolean explain, String trace) {
    Call c = new Call(Ids.next("dec_", clock.millis()), agent, action, explain, trace);
    // INVARIANT: never allows on error. Every failure below becomes a deny that says so.
    try {
      return steps(c);
    } catch (RuntimeException | StackOverflowError | LinkageError e) {
      return new Run(failed(c, e));
    }
  }

  private Run steps(Call c) {
    Action action = c.action;
    String agent = c.agent;
    Outcome.Refused refused = checks(c);
    if (refused != null) {
      return new Run(refuse(c, refused));
    }
    if (!c.explain && action.requestId() != null) {
      c.stage = Stage.REQUEST_ID;
      Requests.Reservation r = requests.reserve(c.id, agent, action, c::digest);
      if (r.done() != null) {
        return new Run(settled(c, r.done()));
      }
      c.held = r.held();
      c.stage = Stage.DECIDING;
    }

    // 3. The session, read once; policies judge the user's words whole when this instance opened
    // the session, while what a person sees (an approval's facts, which are stored) is the masked
    // text of the store.
    SessionRecord session = null;
    SessionView view = SessionView.NONE;
    SessionView shown = SessionView.NONE;
    FlowIndex flow = null;
    if (action.session() != null) {
      session = sessions.get(Tollgate.sessionKey(agent, action.session())).orElse(null);
      if (session == null || !session.agent().equals(agent)) {
        return new Run(
            refuse(
                c,
                refusal(
                    c,
                    Outcome.Refusal.UNKNOWN_SESSION,
                    "/session",
                    "unknown session `"
                        + action.session()
                        + "`: open the session before deciding its actions")));
      }
      shown =
          SessionView.of(
              action.session(),
              session.agent(),
              session.user(),
              session.request(),
              session.task(),
              session.labels(),
              session.history());
      Tollgate.Seen seen = tollgate.seen(session, shown);
      view = seen.view();
      flow = flows.of(seen.indexed(), sessions);
    }

    // 3a. The kill switch: a paused agent, user, session or everything is denied, nothing counted.
    PauseRecord pause =
        tollgate
            .pauses()
            .covering(
                agent,
                session != null ? session.user() : null,
                action.user(),
                session == null ? null : session.id());
    if (pause != null) {
      return new Run(paused(c, pause, session));
    }

    // 3b. The rate counters: this action appended, atomically with reading them (see Tallies).
    CompiledBundle compiled = tollgate.compiled();
    Instant now = clock.instant();
    c.tally =
        tallies.tally(
            compiled,
            agent,
            action,
            compiled.catalog().lookup(action.tool()),
            session == null ? null : session.id(),
            now);

    // 4. The pure decision.
    Verdict verdict;
    try {
      verdict =
          Decider.decide(
              new DecideInput(
                  compiled,
                  agent,
                  action,
                  view,
                  flow,
                  now,
                  c.explain,
                  judge,
                  c.tally == Tally.NONE ? RateValues.NONE : c.tally));
    } catch (ScanLimitException e) {
      return new Run(
          failClosed(
              c,
              c.id,
              Outcome.Failure.SCAN_LIMIT,
              "the arguments are too large to scan ("
                  + e.getMessage()
                  + "); denied to fail closed"));
    }
    Evaluation evaluation = verdict.evaluation();

    // 5. Grants and approvals; explain is a dry run of the policies and consults neither.
    Approvals.GateStep gate = null;
    if (!c.explain && (evaluation.effect() == Effect.ASK || evaluation.profileDenied())) {
      SessionView seen = shown;
      gate =
          approvals.gate(
              c.id,
              agent,
              action,
              evaluation,
              verdict.inspection(),
              () ->
                  Evaluator.facts(agent, action, verdict.tool(), seen, verdict.inspection(), judge),
              c::digest);
    }
    boolean gated = gate != null && gate.decision() != null;
    Decision decision =
        gated
            ? gate.decision()
            : Decision.builder(c.id, evaluation.effect())
                .args(verdict.redactedArgs())
                .reasons(evaluation.reasons())
                .findings(verdict.inspection().findings())
                .shadow(evaluation.shadow())
                .build();
    List<Approvals.Event> events = gate == null ? List.of() : gate.events();

    // 6. One audit append: the events and the decision, durable together.
    if (!c.explain) {
      c.stage = Stage.RECORDING;
      List<AuditEntry> entries = new ArrayList<>(events.size() + 1);
      for (Approvals.Event e : events) {
        entries.add(Approvals.auditEntry(e));
      }
      entries.add(record(c, decision, null));
      audit.append(entries);
      c.stage = Stage.RECORDED;
      approvals.announce(events);
    }

    // 7. The counters kept (allowed or asked) or taken back (denied); a quarantining policy's
    // session paused; history and the memory ledger, now that the record is durable.
    tallies.settle(c.tally, decision.effect(), now);
    if (session != null && !decision.allowed() && !compiled.quarantining().isEmpty()) {
      for (dev.tollgate.api.Reason r : decision.reasons()) {
        if (compiled.quarantines(r.policy())) {
          tollgate.pauses().quarantine(session.id(), r.policy(), r.message());
          break;
        }
      }
    }
    if (session != null) {
      sessions.appendHistory(session.id(), action.tool(), decision.effect(), maxHistory);
    }
    tollgate.memoryWrite(agent, action, verdict, c.id, !c.explain && decision.allowed());
    if (session != null) {
      // explained too: a replayed trace observes its reads' results under their explained ids
      tollgate.decidedRead(agent, action, verdict.tool(), view.request(), c.id);
    }

    // 8. The request id's decision, for its retries.
    if (c.held != null) {
      Outcome lost = requests.complete(c.held, decision, gated ? null : verdict.redaction());
      c.held = null;
      if (lost != null) {
        return new Run(supersede(c, lost.decision(), Outcome.Failure.REQUEST_TAKEN_OVER));
      }
    }
    return new Run(new Outcome.Decided(decision), evaluation.outcomes());
  }

  /**
   * A decision the kill switch denies: recorded as a decision (and a history step), with the
   * request id let go, so that a retry once the pause is lifted decides afresh.
   */
  private Outcome paused(Call c, PauseRecord pause, SessionRecord session) {
    release(c);
    String whom =
        switch (pause.scope()) {
          case ALL -> "every agent is paused";
          case AGENT -> "agent `" + pause.subject() + "` is paused";
          case USER -> "the sessions of this user are paused";
          case SESSION ->
              pause.ended()
                  ? "this session was ended"
                  : pause.by().startsWith("policy:")
                      ? "this session is quarantined"
                      : "this session is paused";
        };
    Decision deny =
        Decision.deny(
            c.id,
            Tollgate.INTERNAL,
            whom
                + (pause.reason().isEmpty() ? "" : " (" + pause.reason() + ")")
                + (pause.ended() ? "" : "; every decision is denied until a person resumes it"));
    if (!c.explain) {
      c.stage = Stage.RECORDING;
      audit.append(List.of(record(c, deny, null)));
      c.stage = Stage.RECORDED;
    }
    if (session != null) {
      sessions.appendHistory(session.id(), c.action.tool(), deny.effect(), maxHistory);
    }
    return new Outcome.Paused(deny, pause);
  }

  /** Step 1: what is wrong with the call before any I/O, or {@code null}. */
  private static Outcome.Refused checks(Call c) {
    if (c.agent == null || c.agent.isBlank()) {
      return refusal(
          c,
          Outcome.Refusal.NO_AGENT,
          null,
          "no agent identity: every decision needs the calling agent's name");
    }
    if (c.action == null) {
      return refusal(c, Outcome.Refusal.NO_ACTION, null, "no action to decide");
    }
    if (c.action.session() != null) {
      String problem = Tollgate.sessionIdProblem(c.action.session());
      if (problem != null) {
        return refusal(c, Outcome.Refusal.INVALID_SESSION_ID, "/session", problem);
      }
    }
    if (!c.explain && c.action.requestId() != null) {
      String problem = Requests.problem(c.action.requestId());
      if (problem != null) {
        return refusal(c, Outcome.Refusal.INVALID_REQUEST_ID, "/requestId", problem);
      }
    }
    return null;
  }

  private static Outcome.Refused refusal(
      Call c, Outcome.Refusal refusal, String field, String message) {
    return new Outcome.Refused(Decision.deny(c.id, Tollgate.INTERNAL, message), refusal, field);
  }

  /**
   * A refusal: recorded (best effort: the caller's mistake is answered even when the audit is down)
   * as kind {@code rejected}, and the request id, if held, let go so that a corrected retry
   * decides.
   */
  private Outcome refuse(Call c, Outcome.Refused refused) {
    release(c);
    if (!c.explain) {
      Action a = c.action;
      String session =
          a == null || a.session() == null || Tollgate.sessionIdProblem(a.session()) != null
              ? null
              : a.session();
      recordQuietly(
          AuditEntries.refused(
              clock.instant(),
              c.agent,
              a == null ? null : a.user(),
              session,
              a == null ? null : a.tool(),
              c.id,
              refused.refusal().code(),
              refused.field()));
    }
    return refused;
  }

  /** An outcome the request id settled without deciding: replayed, refused or failed closed. */
  private Outcome settled(Call c, Outcome done) {
    return switch (done) {
      case Outcome.Replayed replayed -> {
        // A replay was recorded when it was decided: its record here says it was given again. A
        // retry that cannot be recorded is not answered with the decision either.
        c.stage = Stage.RECORDING;
        audit.append(
            List.of(
                AuditEntries.retry(
                    clock.instant(),
                    c.agent,
                    c.action,
                    replayed.decision(),
                    c.digest(),
                    c.micros())));
        yield replayed;
      }
      case Outcome.Refused r -> refuse(c, r);
      case Outcome.FailedClosed f -> {
        recordQuietly(record(c, f.decision(), null));
        yield f;
      }
      case Outcome.Decided d -> d;
      case Outcome.Paused p -> p; // never held by a request id: a paused call lets it go
    };
  }

  /** The audit record of the run's decision {@code d}. */
  private AuditEntry record(Call c, Decision d, String supersedes) {
    return AuditEntries.decision(
        clock.instant(), c.agent, c.action, d, c.digest(), c.micros(), supersedes, c.trace);
  }

  /** A deny for a run that could not decide, recorded (best effort) unless recording failed. */
  private Outcome failClosed(Call c, String id, Outcome.Failure failure, String message) {
    release(c);
    Decision deny = Decision.deny(id, Tollgate.INTERNAL, message);
    if (!c.explain && c.action != null) {
      try {
        recordQuietly(record(c, deny, null));
      } catch (RuntimeException e) {
        // the digest itself failed: the deny still goes out
      }
    }
    return new Outcome.FailedClosed(deny, failure);
  }

  /**
   * A deny that overrides a decision already recorded (history, memory ledger or request id failed
   * after the record was durable): recorded, best effort, with {@code detail.supersedes}.
   */
  private Outcome supersede(Call c, Decision deny, Outcome.Failure failure) {
    release(c);
    try {
      recordQuietly(record(c, deny, c.id));
    } catch (RuntimeException e) {
      // the digest itself failed: the deny still goes out
    }
    return new Outcome.FailedClosed(deny, failure);
  }

  /** What an error at {@code c.stage} answers. Never throws. */
  private Outcome failed(Call c, Throwable e) {
    boolean store = e instanceof StoreUnavailableException;
    String error =
        e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    return switch (c.stage) {
      case REQUEST_ID ->
          store
              ? failClosed(
                  c,
                  c.id,
                  Outcome.Failure.STORE_UNAVAILABLE,
                  "store unavailable ("
                      + e.getMessage()
                      + "): the request id could not be checked; denied to fail closed")
              : failClosed(
                  c,
                  c.id,
                  Outcome.Failure.INTERNAL_ERROR,
                  "internal error while checking the request id ("
                      + error
                      + "); denied to fail closed");
      case DECIDING ->
          failClosed(
              c,
              c.id,
              store ? Outcome.Failure.STORE_UNAVAILABLE : Outcome.Failure.INTERNAL_ERROR,
              store
                  ? "store unavailable (" + e.getMessage() + "); denied to fail closed"
                  : "internal error while deciding (" + error + "); denied to fail closed");
      case RECORDING -> {
        // Not recorded, so not given: the deny is not recorded either (the audit is what failed),
        // and no history step is added.
        release(c);
        yield new Outcome.FailedClosed(
            Decision.deny(
                c.id,
                Tollgate.INTERNAL,
                store
                    ? "store unavailable: the decision could not be recorded in the audit ("
                        + e.getMessage()
                        + "); denied to fail closed"
                    : "internal error while recording the decision ("
                        + error
                        + "); denied to fail closed"),
            store ? Outcome.Failure.AUDIT_UNAVAILABLE : Outcome.Failure.INTERNAL_ERROR);
      }
      case RECORDED ->
          supersede(
              c,
              Decision.deny(
                  Ids.next("dec_", clock.millis()),
                  Tollgate.INTERNAL,
                  (store
                          ? "store unavailable (" + e.getMessage() + ")"
                          : "internal error (" + error + ")")
                      + " after decision "
                      + c.id
                      + " was recorded: it is withdrawn; denied to fail closed"),
              store ? Outcome.Failure.STORE_UNAVAILABLE : Outcome.Failure.INTERNAL_ERROR);
    };
  }

  private void release(Call c) {
    try {
      tallies.settle(c.tally, Effect.DENY, clock.instant());
    } catch (RuntimeException e) {
      // counters that cannot be reached keep the action counted: the safe side of a limit
    }
    if (c.held != null) {
      RequestRecord held = c.held;
      c.held = null;
      requests.release(held);
    }
  }

  /** Appends a record when the audit works; a failure is swallowed (the answer still goes out). */
  private void recordQuietly(AuditEntry entry) {
    try {
      audit.append(List.of(entry));
    } catch (RuntimeException e) {
      // The audit is down: the store's own metrics and readiness show it.
    }
  }
}
