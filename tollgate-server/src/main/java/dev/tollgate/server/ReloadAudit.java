package dev.tollgate.server;

import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.api.store.AuditLog;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * The audit records of reloads, which must never vanish: a reload changes (or refuses to change)
 * what the gate enforces, and it happens whether or not the store can take its record. Thread-safe.
 *
 * <p>How: a record is appended at once when the store takes it. When the store cannot, the record
 * waits here, in order, and {@link #flush} (called by the server every second and before every
 * later reload record) appends everything waiting in one batch once the store is back, ahead of any
 * later reload record. A waiting record keeps the time its reload happened and gains {@code
 * "delayed": true}. While records wait, a reload that repeats the last waiting one (the watcher
 * retrying a held deploy every poll) is counted on it ({@code repeated}, {@code lastAt}) rather
 * than queued again. At most {@code capacity} records wait: past that the oldest is dropped, never
 * silently: the dropped records are counted by outcome, logged, shown in {@code /metrics} and
 * {@code /ready}, and summed up in a record of their own ({@code outcome: dropped}) written ahead
 * of the rest.
 */
final class ReloadAudit {
  private static final System.Logger LOG = System.getLogger("dev.tollgate.server.reload");

  private final AuditLog audit;
  private final int capacity;
  private final IntConsumer written;
  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();

  /** Dropped since the last summary was written: outcome to count, and the time span. */
  private final Map<String, Integer> droppedOutcomes = new TreeMap<>();

  private Instant droppedFrom;
  private Instant droppedTo;
  private long droppedTotal;

  /** A record waiting for the store, with the repeats counted on it. */
  private static final class Waiting {
    final AuditEntry entry;
    int repeated = 1;
    Instant lastAt;

    Waiting(AuditEntry entry) {
      this.entry = entry;
      this.lastAt = entry.time();
    }
  }

  /**
   * @param capacity how many records may wait for the store
   * @param written told how many waiting records were written, each time some are
   */
  ReloadAudit(AuditLog audit, int capacity, IntConsumer written) {
    if (capacity < 1) {
      throw new IllegalArgumentException("the capacity must be at least 1");
    }
    this.audit = audit;
    this.capacity = capacity;
    this.written = written;
  }

  /**
   * Appends a reload's record, after every record still waiting; when the store cannot take it, the
   * record waits.
   *
   * @return whether the record is in the audit now
   */
  boolean record(AuditEntry entry) {
    lock.lock();
    try {
      flushLocked();
      if (waiting.isEmpty() && droppedOutcomes.isEmpty()) {
        try {
          audit.append(List.of(entry));
          return true;
        } catch (RuntimeException e) {
          LOG.log(
              System.Logger.Level.WARNING,
              "the audit cannot take the reload record ({0}); it waits for the store",
              e.getMessage());
        }
      }
      enqueue(entry);
      return false;
    } finally {
      lock.unlock();
    }
  }

  /** Appends the records waiting, if the store takes them now; never throws. */
  void flush() {
    lock.lock();
    try {
      flushLocked();
    } finally {
      lock.unlock();
    }
  }

  /** Records waiting for the store. */
  int waiting() {
    lock.lock();
    try {
      return waiting.size() + (droppedOutcomes.isEmpty() ? 0 : 1);
    } finally {
      lock.unlock();
    }
  }

  /** Records dropped because too many waited, since the server started. */
  long dropped() {
    lock.lock();
    try {
      return droppedTotal;
    } finally {
      lock.unlock();
    }
  }

  /** Says what is lost when the server stops with records still waiting. */
  void close() {
    flush();
    lock.lock();
    try {
      if (!waiting.isEmpty() || !droppedOutcomes.isEmpty()) {
        LOG.log(
            System.Logger.Level.ERROR,
            "stopping with {0} reload records the audit never took: {1}",
            waiting.size(),
            waiting.stream().map(w -> w.entry.detail().toString()).toList());
      }
    } finally {
      lock.unlock();
    }
  }

  private void flushLocked() {
    if (waiting.isEmpty() && droppedOutcomes.isEmpty()) {
      return;
    }
    List<AuditEntry> batch = new ArrayList<>();
    if (!droppedOutcomes.isEmpty()) {
      batch.add(droppedSummary());
    }
    for (Waiting w : waiting) {
      batch.add(delayed(w));
    }
    try {
      // One append: the store writes all of them or none (AuditLog's contract), so nothing is
      // written twice and their order holds.
      audit.append(batch);
    } catch (RuntimeException e) {
      return;
    }
    waiting.clear();
    droppedOutcomes.clear();
    droppedFrom = null;
    droppedTo = null;
    LOG.log(
        System.Logger.Level.INFO,
        "the audit took the {0} reload records that waited for the store",
        batch.size());
    written.accept(batch.size());
  }

  private void enqueue(AuditEntry entry) {
    Waiting last = waiting.peekLast();
    if (last != null && sameReload(last.entry, entry)) {
      last.repeated++;
      last.lastAt = entry.time();
      return;
    }
    if (waiting.size() == capacity) {
      Waiting oldest = waiting.removeFirst();
      String outcome = String.valueOf(oldest.entry.detail().get("outcome"));
      droppedOutcomes.merge(outcome, oldest.repeated, Integer::sum);
      droppedFrom = droppedFrom == null ? oldest.entry.time() : droppedFrom;
      droppedTo = oldest.lastAt;
      droppedTotal += oldest.repeated;
      LOG.log(
          System.Logger.Level.ERROR,
          "{0} reload records wait for the store, the most kept: dropped the oldest ({1} at {2});"
              + " {3} dropped since the server started",
          capacity,
          outcome,
          oldest.entry.time(),
          droppedTotal);
    }
    waiting.addLast(new Waiting(entry));
  }

  /** Whether two reload records say the same: same outcome, detail and bundle. */
  private static boolean sameReload(AuditEntry a, AuditEntry b) {
    return a.detail().equals(b.detail());
  }

  private static AuditEntry delayed(Waiting w) {
    Map<String, Object> detail = new LinkedHashMap<>(w.entry.detail());
    detail.put("delayed", true);
    if (w.repeated > 1) {
      detail.put("repeated", w.repeated);
      detail.put("lastAt", w.lastAt.toString());
    }
    return reload(w.entry.time(), detail);
  }

  private AuditEntry droppedSummary() {
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("outcome", "dropped");
    detail.put("dropped", droppedOutcomes.values().stream().mapToInt(Integer::intValue).sum());
    detail.put("outcomes", new LinkedHashMap<>(droppedOutcomes));
    detail.put("from", droppedFrom.toString());
    detail.put("to", droppedTo.toString());
    detail.put(
        "why",
        "more than " + capacity + " reload records waited for the store; the oldest were dropped");
    // Dated when the first dropped reload happened: where the gap in the reload records begins.
    return reload(droppedFrom, detail);
  }

  /** A reload record: no agent, user, session, tool or effect, only its detail. */
  private static AuditEntry reload(Instant time, Map<String, Object> detail) {
    return AuditEntry.event(time, AuditEntry.Kind.RELOAD, null, null, null, null, detail);
  }
}
