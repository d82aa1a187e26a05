package dev.tollgate.store.jdbc.audit;

import java.util.List;

/**
 * The audit as its tables hold it: every column of every row, as stored, before a reader interprets
 * any of it. {@link AuditVerifier} checks this, so that no column a reader relies on escapes
 * verification: a record's entry, position and links against its hash, the columns that repeat the
 * entry ({@link AuditColumn}) against the entry, the checkpoints against their signatures, and the
 * head row against the last record.
 *
 * <p>An implementation reads all of it in one consistent snapshot (one read transaction), so that a
 * log being written to while it is read never looks tampered with; it throws {@link
 * dev.tollgate.api.store.StoreUnavailableException} when the store cannot be reached.
 */
public interface AuditTables {

  /** Every row of every audit table, read in one snapshot. */
  Contents read();

  /**
   * A row of {@code audit}.
   *
   * @param seq column {@code seq}
   * @param columns the columns of {@link AuditColumn#ALL}, in that order ({@code null} for NULL)
   * @param entry column {@code entry}: the canonical entry text, exactly as stored
   * @param prevHash column {@code prev_hash}
   * @param hash column {@code hash}
   */
  record RecordRow(long seq, List<String> columns, String entry, String prevHash, String hash) {

    /** The stored value of one of the columns that repeat the entry. */
    public String column(AuditColumn column) {
      return columns.get(column.ordinal());
    }
  }

  /**
   * A row of {@code audit_checkpoint}: {@code id} (a surrogate key nothing reads), then what the
   * checkpoint states and its signature, {@code time} as the stored text.
   */
  record CheckpointRow(
      long id, long seq, String hash, String time, String keyId, String signature) {}

  /** A row of {@code audit_head}: where the writer chains the next record on. */
  record HeadRow(long id, long seq, String hash) {}

  /**
   * The contents of the tables.
   *
   * @param records {@code audit}, by {@code seq}
   * @param checkpoints {@code audit_checkpoint}, by {@code seq}, {@code time}, {@code id}
   * @param heads {@code audit_head} (one row when intact)
   */
  record Contents(List<RecordRow> records, List<CheckpointRow> checkpoints, List<HeadRow> heads) {}
}
