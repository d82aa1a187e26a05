package dev.tollgate.store.jdbc;

import dev.tollgate.api.store.ApprovalStore;
import dev.tollgate.api.store.AuditLog;
import dev.tollgate.api.store.CounterLog;
import dev.tollgate.api.store.CredentialStore;
import dev.tollgate.api.store.PauseStore;
import dev.tollgate.api.store.PeopleStore;
import dev.tollgate.api.store.RequestStore;
import dev.tollgate.api.store.SessionStore;
import dev.tollgate.api.store.Store;
import dev.tollgate.api.store.StoreUnavailableException;
import dev.tollgate.api.store.ToolPinStore;

/**
 * The store on SQLite (embedded, WAL, {@code synchronous=FULL}) or PostgreSQL, with its schema
 * migrated at open. Every call that cannot reach the store, or takes longer than the configured
 * deadline, throws {@link StoreUnavailableException}; when the database answers again, calls work
 * again without reopening.
 */
public final class JdbcStore implements Store {

  private final Db db;
  private final JdbcAuditLog audit;
  private final JdbcSessionStore sessions;
  private final JdbcCredentialStore credentials;
  private final JdbcApprovalStore approvals;
  private final JdbcPeopleStore people;
  private final JdbcRequestStore requests;
  private final CounterLog counters;
  private final PauseStore pauses;
  private final ToolPinStore toolPins;

  private JdbcStore(Db db) {
    this.db = db;
    this.audit = new JdbcAuditLog(db);
    this.sessions = new JdbcSessionStore(db);
    this.credentials = new JdbcCredentialStore(db);
    this.approvals = new JdbcApprovalStore(db);
    this.people = new JdbcPeopleStore(db);
    this.requests = new JdbcRequestStore(db);
    this.pauses = new JdbcPauseStore(db);
    this.toolPins = new JdbcToolPinStore(db);
    this.counters = db.dialect == Db.Dialect.POSTGRESQL ? new JdbcCounterLog(db) : null;
  }

  /**
   * Opens the store and brings its schema up to date.
   *
   * @throws StoreUnavailableException if the database cannot be reached within the deadline
   */
  public static JdbcStore open(StoreConfig config) {
    Db db = new Db(config);
    try {
      Migrations.apply(db);
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
    return new JdbcStore(db);
  }

  /** For faults injected in tests. */
  Db db() {
    return db;
  }

  /** History group commit so far: batches, steps, nanoseconds in write transactions. */
  long[] historyStats() {
    return sessions.stats();
  }

  /** Group commit so far: batches, entries, nanoseconds in write transactions. */
  long[] auditStats() {
    return audit.stats();
  }

  @Override
  public AuditLog audit() {
    return audit;
  }

  @Override
  public SessionStore sessions() {
    return sessions;
  }

  @Override
  public CredentialStore credentials() {
    return credentials;
  }

  @Override
  public ApprovalStore approvals() {
    return approvals;
  }

  @Override
  public PeopleStore people() {
    return people;
  }

  @Override
  public RequestStore requests() {
    return requests;
  }

  @Override
  public PauseStore pauses() {
    return pauses;
  }

  @Override
  public ToolPinStore toolPins() {
    return toolPins;
  }

  /** PostgreSQL's shared counters; on SQLite (one server per store) the engine keeps its own. */
  @Override
  public CounterLog counters() {
    return counters;
  }

  @Override
  public boolean ready() {
    return db.ready();
  }

  @Override
  public Readiness readiness() {
    try {
      return db.readiness();
    } catch (RuntimeException e) {
      return new Readiness(false, "readiness check failed: " + e.getClass().getSimpleName());
    }
  }

  @Override
  public String kind() {
    return db.dialect == Db.Dialect.SQLITE ? "sqlite" : "postgresql";
  }

  @Override
  public void close() {
    sessions.close();
    audit.close();
    db.close();
  }
}
