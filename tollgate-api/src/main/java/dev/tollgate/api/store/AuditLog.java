package dev.tollgate.api.store;

import java.util.List;
import java.util.Optional;

/**
 * The tamper-evident audit log: an append-only hash chain with signed checkpoints.
 *
 * <p>What an implementation must guarantee:
 *
 * <ul>
 *   <li>{@link #append} returns only once every given entry is durable (committed and synced);
 *       entries of one call keep their order and get consecutive positions. Concurrent callers, in
 *       this process or in other processes sharing the store, never fork the chain: each record's
 *       {@code prevHash} is the hash of the record just before it.
 *   <li>If {@code append} throws, none of its entries is in the log (no half-written batch).
 *   <li>Any failure to reach the store is a {@link StoreUnavailableException}.
 * </ul>
 */
public interface AuditLog {

  /** Appends entries durably and returns them as chained records, in order. */
  List<AuditRecord> append(List<AuditEntry> entries);

  /** Records matching the query, oldest first. */
  List<AuditRecord> search(AuditQuery query);

  /** The last record, if any. */
  Optional<AuditRecord> head();

  /** Stores a checkpoint (made by the caller, who holds the signing key). */
  void addCheckpoint(Checkpoint checkpoint);

  /** Every checkpoint, oldest first. */
  List<Checkpoint> checkpoints();

  /**
   * Entries accepted by {@link #append} and not yet durable (for the audit queue depth metric); 0
   * for an implementation that writes each call directly.
   */
  default int pending() {
    return 0;
  }
}
