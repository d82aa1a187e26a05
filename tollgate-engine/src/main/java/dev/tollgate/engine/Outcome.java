package dev.tollgate.engine;

import dev.tollgate.api.Decision;
import dev.tollgate.api.store.PauseRecord;
import java.util.Objects;

/**
 * How one decide ended, for the ways in (server, client, gateway, integrations) that answer each
 * case in their own way: a switch over the variants, never a comparison of reason strings. Every
 * variant carries the decision to give the caller; every variant but {@link Decided} and {@link
 * Replayed} carries a deny from {@link Tollgate#INTERNAL}.
 */
public sealed interface Outcome
    permits Outcome.Decided,
        Outcome.Replayed,
        Outcome.Paused,
        Outcome.Refused,
        Outcome.FailedClosed {

  /** The decision to give the caller. */
  Decision decision();

  /** Decided now by the policies, grants and approvals. */
  record Decided(Decision decision) implements Outcome {
    public Decided {
      Objects.requireNonNull(decision, "decision");
    }
  }

  /**
   * The first attempt's decision for this agent and request id, given again: nothing was evaluated,
   * used, opened or recorded in the session for it.
   */
  record Replayed(Decision decision) implements Outcome {
    public Replayed {
      Objects.requireNonNull(decision, "decision");
    }
  }

  /**
   * Denied by the kill switch: an admin paused the agent, the user, the session or everything, or a
   * policy quarantined the session. Recorded like any decision; nothing was evaluated or counted.
   * INVARIANT: never allows.
   */
  record Paused(Decision decision, PauseRecord pause) implements Outcome {
    public Paused {
      Objects.requireNonNull(decision, "decision");
      Objects.requireNonNull(pause, "pause");
      if (decision.allowed()) {
        throw new IllegalArgumentException("a paused outcome never allows");
      }
    }
  }

  /**
   * The call was refused before anything was decided: a client's mistake, not a policy outcome. The
   * decision is a deny from {@link Tollgate#INTERNAL} whose message says what to fix.
   *
   * @param field the JSON pointer of the offending part of the action ({@code /session}, {@code
   *     /requestId}), or {@code null}
   */
  record Refused(Decision decision, Refusal refusal, String field) implements Outcome {
    public Refused {
      Objects.requireNonNull(decision, "decision");
      Objects.requireNonNull(refusal, "refusal");
    }

    /** What the reason says: the message to show the caller. */
    public String message() {
      return decision.reasons().getFirst().message();
    }
  }

  /** Tollgate could not decide. The decision is a deny that says why. INVARIANT: never allows. */
  record FailedClosed(Decision decision, Failure failure) implements Outcome {
    public FailedClosed {
      Objects.requireNonNull(decision, "decision");
      Objects.requireNonNull(failure, "failure");
      if (decision.allowed()) {
        throw new IllegalArgumentException("a failed-closed outcome never allows");
      }
    }
  }

  /** Why a call was refused. */
  enum Refusal {
    /** The action names a session that does not exist or belongs to another agent. */
    UNKNOWN_SESSION,
    /** The session id is not a valid one ({@link Tollgate#sessionIdProblem}). */
    INVALID_SESSION_ID,
    /** The request id already names a different action. */
    REQUEST_ID_REUSED,
    /** The request id is not 1 to 128 printable ASCII characters. */
    INVALID_REQUEST_ID,
    /** No agent identity was given. */
    NO_AGENT,
    /** No action was given. */
    NO_ACTION;

    /** The error code the ways in answer with (the audit record's {@code detail.code}). */
    public String code() {
      return switch (this) {
        case UNKNOWN_SESSION -> "unknown_session";
        case INVALID_SESSION_ID -> "invalid_session_id";
        case REQUEST_ID_REUSED -> "request_id_reused";
        case INVALID_REQUEST_ID -> "invalid_request_id";
        case NO_AGENT -> "no_agent";
        case NO_ACTION -> "no_action";
      };
    }
  }

  /** Why Tollgate could not decide. */
  enum Failure {
    /** The store (sessions, grants, approvals, request ids) could not be reached. */
    STORE_UNAVAILABLE,
    /** The decision could not be recorded in the audit log. */
    AUDIT_UNAVAILABLE,
    /** The arguments are too large to scan. */
    SCAN_LIMIT,
    /** An earlier attempt with the same request id is still deciding. */
    REQUEST_PENDING,
    /** A later attempt took this request id over while this one was still deciding. */
    REQUEST_TAKEN_OVER,
    /** Anything else: a bug or a resource error. */
    INTERNAL_ERROR
  }
}
