package dev.tollgate.engine.internal.memory;

import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.api.store.AuditLog;
import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.api.store.AuditRecord;
import dev.tollgate.api.store.Checkpoint;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The embedded engine's default audit log: the last {@link #capacity} records in memory, numbered
 * from 1 without gaps, the oldest forgotten first. Not durable and not chained: {@code prevHash}
 * and {@code hash} are {@code null} (a durable, verifiable chain is the JDBC store's). Thread-safe.
 */
public final class MemoryAuditLog implements AuditLog {
  /** Records kept by default. */
  public static final int DEFAULT_CAPACITY = 10_000;

  private final int capacity;
  private final ArrayDeque<AuditRecord> records = new ArrayDeque<>(); // guarded by this
  private final List<Checkpoint> checkpoints = new ArrayList<>(); // guarded by this
  private long seq; // guarded by this

  public MemoryAuditLog(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1");
    }
    this.capacity = capacity;
  }

  public MemoryAuditLog() {
    this(DEFAULT_CAPACITY);
  }

  @Override
  public synchronized List<AuditRecord> append(List<AuditEntry> entries) {
    List<AuditRecord> out = new ArrayList<>(entries.size());
    for (AuditEntry e : entries) {
      AuditRecord r = new AuditRecord(++seq, e, null, null);
      records.addLast(r);
      if (records.size() > capacity) {
        records.removeFirst();
      }
      out.add(r);
    }
    return out;
  }

  @Override
  public synchronized List<AuditRecord> search(AuditQuery q) {
    List<AuditRecord> out = new ArrayList<>();
    for (AuditRecord r : records) {
      if (out.size() >= q.limit()) {
        break;
      }
      if (r.seq() > q.afterSeq() && matches(r.entry(), q)) {
        out.add(r);
      }
    }
    return out;
  }

  private static boolean matches(AuditEntry e, AuditQuery q) {
    return is(q.agent(), e.agent())
        && is(q.session(), e.session())
        && is(q.tool(), e.tool())
        && is(q.effect(), e.effect())
        && is(q.kind(), e.kind())
        && is(q.decision(), e.decision())
        && (q.from() == null || !e.time().isBefore(q.from()))
        && (q.to() == null || e.time().isBefore(q.to()));
  }

  private static boolean is(Object wanted, Object value) {
    return wanted == null || wanted.equals(value);
  }

  @Override
  public synchronized Optional<AuditRecord> head() {
    return Optional.ofNullable(records.peekLast());
  }

  @Override
  public synchronized void addCheckpoint(Checkpoint checkpoint) {
    checkpoints.add(checkpoint);
  }

  @Override
  public synchronized List<Checkpoint> checkpoints() {
    return List.copyOf(checkpoints);
  }
}
