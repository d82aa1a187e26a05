package dev.tollgate.server;

import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.api.store.AuditLog;
import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.api.store.AuditRecord;
import dev.tollgate.api.store.Checkpoint;
import java.util.List;
import java.util.Optional;

/**
 * The store's audit log as the engine uses it in the server: each append is timed for the {@code
 * tollgate_store_seconds} metric, now that the engine, not the server, appends decisions.
 */
final class TimedAuditLog implements AuditLog {
  private final AuditLog log;
  private final Metrics metrics;

  TimedAuditLog(AuditLog log, Metrics metrics) {
    this.log = log;
    this.metrics = metrics;
  }

  @Override
  public List<AuditRecord> append(List<AuditEntry> entries) {
    long start = System.nanoTime();
    List<AuditRecord> out = log.append(entries);
    metrics.store(System.nanoTime() - start);
    return out;
  }

  @Override
  public List<AuditRecord> search(AuditQuery query) {
    return log.search(query);
  }

  @Override
  public Optional<AuditRecord> head() {
    return log.head();
  }

  @Override
  public void addCheckpoint(Checkpoint checkpoint) {
    log.addCheckpoint(checkpoint);
  }

  @Override
  public List<Checkpoint> checkpoints() {
    return log.checkpoints();
  }

  @Override
  public int pending() {
    return log.pending();
  }
}
