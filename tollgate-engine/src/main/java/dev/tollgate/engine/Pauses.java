package dev.tollgate.engine;

import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.api.store.AuditLog;
import dev.tollgate.api.store.PauseRecord;
import dev.tollgate.api.store.PauseStore;
import dev.tollgate.api.store.StoreUnavailableException;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The kill switch: an admin pauses an agent, a user's sessions, one session or everything, and
 * every decision it covers is a deny until it is resumed; a policy with {@code quarantine: true}
 * pauses its session pending a person, who resumes or ends it. Every change is audited (kind {@code
 * pause}).
 *
 * <p>Each engine reads the store's pauses again when its copy is older than half a second (one
 * cheap version read when nothing changed), so a pause made on one server holds on every server
 * sharing the store within a second. When the pauses cannot be read for longer than that, every
 * decision is a deny that says so: the switch fails closed.
 */
public final class Pauses {
  static final long FRESH_NANOS = 500_000_000L;
  static final long STALE_NANOS = 1_000_000_000L;

  private final PauseStore store;
  private final AuditLog audit;
  private final InstantSource clock;
  private final ReentrantLock refreshing = new ReentrantLock();
  private volatile Snapshot snapshot = new Snapshot(Long.MIN_VALUE, List.of(), Long.MIN_VALUE);

  private record Snapshot(long version, List<PauseRecord> pauses, long readNanos) {}

  Pauses(PauseStore store, AuditLog audit, InstantSource clock) {
    this.store = store;
    this.audit = audit;
    this.clock = clock;
  }

  /** A pause or resume that names no valid subject. */
  public static final class PauseException extends Exception {
    private static final long serialVersionUID = 1L;

    PauseException(String message) {
      super(message);
    }
  }

  /**
   * Pauses every decision of {@code scope}: {@code ALL} (no subject), {@code AGENT} (its name),
   * {@code USER} (the user), or {@code SESSION} (the agent and its session id).
   *
   * @param by the person pausing, for the audit
   * @throws PauseException when the subject is missing or not valid for the scope
   */
  public PauseRecord pause(
      PauseRecord.Scope scope, String agent, String user, String session, String reason, String by)
      throws PauseException {
    PauseRecord p =
        new PauseRecord(
            scope, subject(scope, agent, user, session), reason, by, clock.instant(), false);
    store.put(p);
    audited(p, "paused", by);
    refreshNow();
    return p;
  }

  /**
   * Lifts the pause of {@code scope} and its subject (a quarantined or ended session is resumed
   * too).
   *
   * @return false when there was none
   */
  public boolean resume(
      PauseRecord.Scope scope, String agent, String user, String session, String by)
      throws PauseException {
    String subject = subject(scope, agent, user, session);
    boolean removed = store.remove(scope, subject);
    if (removed) {
      audited(new PauseRecord(scope, subject, "", by, clock.instant(), false), "resumed", by);
      refreshNow();
    }
    return removed;
  }

  /** Ends a session for good: it stays paused, marked ended, with the reason. */
  public PauseRecord end(String agent, String session, String reason, String by)
      throws PauseException {
    PauseRecord p =
        new PauseRecord(
            PauseRecord.Scope.SESSION,
            subject(PauseRecord.Scope.SESSION, agent, null, session),
            reason,
            by,
            clock.instant(),
            true);
    store.put(p);
    audited(p, "ended", by);
    refreshNow();
    return p;
  }

  /** Every pause in force, read from the store now. */
  public List<PauseRecord> list() {
    return store.list();
  }

  /** Quarantines a session: a policy asked for it. */
  void quarantine(String sessionKey, String policy, String reason) {
    PauseRecord p =
        new PauseRecord(
            PauseRecord.Scope.SESSION,
            sessionKey,
            "quarantined by policy `" + policy + "`: " + reason,
            "policy:" + policy,
            clock.instant(),
            false);
    store.put(p);
    audited(p, "quarantined", "policy:" + policy);
    refreshNow();
  }

  /**
   * The pause that covers a decision of {@code agent} in the session stored as {@code sessionKey},
   * for the session's user or the user the action names (each may be {@code null}: a paused user is
   * denied whichever of the two names them), or {@code null} when none does.
   *
   * @throws StoreUnavailableException when the pauses could not be read for over a second
   */
  PauseRecord covering(String agent, String sessionUser, String actionUser, String sessionKey) {
    List<PauseRecord> pauses = current().pauses();
    for (int i = 0; i < pauses.size(); i++) {
      PauseRecord p = pauses.get(i);
      boolean covers =
          switch (p.scope()) {
            case ALL -> true;
            case AGENT -> p.subject().equals(agent);
            case USER -> p.subject().equals(sessionUser) || p.subject().equals(actionUser);
            case SESSION -> sessionKey != null && p.subject().equals(sessionKey);
          };
      if (covers) {
        return p;
      }
    }
    return null;
  }

  private Snapshot current() {
    Snapshot s = snapshot;
    long now = System.nanoTime();
    if (s.readNanos() != Long.MIN_VALUE && now - s.readNanos() < FRESH_NANOS) {
      return s;
    }
    boolean stale = s.readNanos() == Long.MIN_VALUE || now - s.readNanos() >= STALE_NANOS;
    if (stale) {
      refreshing.lock(); // past a second, every decision waits for a fresh read
    } else if (!refreshing.tryLock()) {
      return s; // another thread is reading them; this copy is still under a second old
    }
    try {
      s = snapshot;
      if (s.readNanos() != Long.MIN_VALUE && System.nanoTime() - s.readNanos() < FRESH_NANOS) {
        return s;
      }
      try {
        return refresh(s);
      } catch (RuntimeException e) {
        if (stale || System.nanoTime() - s.readNanos() >= STALE_NANOS) {
          throw new StoreUnavailableException(
              "the kill switch's pauses could not be read for over a second ("
                  + e.getMessage()
                  + ")",
              e);
        }
        return s;
      }
    } finally {
      refreshing.unlock();
    }
  }

  private Snapshot refresh(Snapshot s) {
    long read = System.nanoTime();
    long version = store.version();
    List<PauseRecord> pauses = version == s.version() ? s.pauses() : List.copyOf(store.list());
    Snapshot next = new Snapshot(version, pauses, read);
    snapshot = next;
    return next;
  }

  /** After a change on this engine: its own decisions see it at once. */
  private void refreshNow() {
    refreshing.lock();
    try {
      refresh(new Snapshot(Long.MIN_VALUE, List.of(), Long.MIN_VALUE));
    } catch (RuntimeException e) {
      snapshot = new Snapshot(Long.MIN_VALUE, List.of(), Long.MIN_VALUE);
    } finally {
      refreshing.unlock();
    }
  }

  private void audited(PauseRecord p, String event, String by) {
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("event", event);
    detail.put("scope", p.scope().wireName());
    detail.put("subject", p.subject());
    if (!p.reason().isEmpty()) {
      detail.put("reason", p.reason());
    }
    detail.put("by", by == null ? "" : by);
    String agent = null;
    String session = null;
    if (p.scope() == PauseRecord.Scope.AGENT) {
      agent = p.subject();
    } else if (p.scope() == PauseRecord.Scope.SESSION) {
      int slash = p.subject().indexOf('/');
      agent = p.subject().substring(0, slash);
      session = p.subject().substring(slash + 1);
    }
    audit.append(
        List.of(
            AuditEntry.event(
                clock.instant(),
                AuditEntry.Kind.PAUSE,
                agent,
                p.scope() == PauseRecord.Scope.USER ? p.subject() : null,
                session,
                null,
                detail)));
  }

  private static String subject(PauseRecord.Scope scope, String agent, String user, String session)
      throws PauseException {
    return switch (scope) {
      case ALL -> "*";
      case AGENT -> {
        if (agent == null || agent.isBlank()) {
          throw new PauseException("pausing an agent needs its name (`agent`)");
        }
        yield agent;
      }
      case USER -> {
        if (user == null || user.isBlank()) {
          throw new PauseException("pausing a user's sessions needs the user (`user`)");
        }
        yield user;
      }
      case SESSION -> {
        if (agent == null || agent.isBlank() || session == null) {
          throw new PauseException(
              "pausing a session needs its agent (`agent`) and session id (`session`): session"
                  + " ids are per agent");
        }
        String problem = Tollgate.sessionIdProblem(session);
        if (problem != null) {
          throw new PauseException(problem);
        }
        yield Tollgate.sessionKey(agent, session);
      }
    };
  }
}
