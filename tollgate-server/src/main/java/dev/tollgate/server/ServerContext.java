package dev.tollgate.server;

import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.api.store.Store;
import dev.tollgate.engine.Tollgate;
import java.time.InstantSource;
import java.util.Map;

/**
 * What the server's parts share: the engine that decides, the store behind it, the clock, the
 * metrics, and how request bodies are read. One per server, made by {@link TollgateServer}.
 */
record ServerContext(
    Tollgate engine, Store store, InstantSource clock, Metrics metrics, Bodies bodies) {

  /** An audit entry for an event that is not a decision (no effect, reasons or arguments). */
  AuditEntry event(
      AuditEntry.Kind kind,
      String agent,
      String user,
      String session,
      String tool,
      Map<String, Object> detail) {
    return AuditEntry.event(clock.instant(), kind, agent, user, session, tool, detail);
  }
}
