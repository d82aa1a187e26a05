package dev.tollgate.api.store;

/**
 * All the state Tollgate keeps, behind one object: the embedded SQLite store or PostgreSQL.
 * Thread-safe. {@link #close} releases connections; the store is unusable afterwards.
 */
public interface Store extends AutoCloseable {
  AuditLog audit();

  SessionStore sessions();

  CredentialStore credentials();

  /** Approvals, and through {@link ApprovalStore#grants()} the grants they issue. */
  ApprovalStore approvals();

  /** People who use the console, and their sessions. */
  PeopleStore people();

  /** Calls by request id, which make a retried decide idempotent. */
  RequestStore requests();

  /** The kill switch's pauses and quarantined sessions. */
  PauseStore pauses();

  /** The MCP tool definitions gateways have seen and pinned. */
  ToolPinStore toolPins();

  /**
   * The log of rate counters and novelty fingerprints, when the store shares them between the
   * servers on it (PostgreSQL); {@code null} when each engine keeps its own in memory (the embedded
   * store).
   */
  default CounterLog counters() {
    return null;
  }

  /** Whether the store answers now (a cheap round trip within its deadline). */
  boolean ready();

  /**
   * Whether the store can take what decisions need now (reads and durable writes), and if not, why,
   * in words an operator can act on ("the disk holding /var/lib/tollgate has 12 MiB left"). The
   * default asks {@link #ready()} only; stores that know more (recent write failures, free space)
   * say more. Never throws.
   */
  default Readiness readiness() {
    boolean ready;
    try {
      ready = ready();
    } catch (RuntimeException e) {
      ready = false;
    }
    return new Readiness(ready, ready ? "ok" : "the store does not answer");
  }

  /** The outcome of {@link #readiness()}. */
  record Readiness(boolean ready, String detail) {}

  /** The kind of store, for logs and metrics: {@code sqlite} or {@code postgresql}. */
  String kind();

  @Override
  void close();
}
