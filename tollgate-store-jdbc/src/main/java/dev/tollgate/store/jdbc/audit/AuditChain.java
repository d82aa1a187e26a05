package dev.tollgate.store.jdbc.audit;

import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.api.store.AuditRecord;
import dev.tollgate.api.store.Checkpoint;
import dev.tollgate.json.AuditCanonical;
import java.time.Instant;

/**
 * The audit hash chain as the store uses it: the canonical encoding of a record, its hash and what
 * a checkpoint signs. The encoding itself lives in {@link AuditCanonical} (tollgate-json), so that
 * every audit log, in the store or in memory, chains the same bytes; this class names it for the
 * store's readers, writers and verifier.
 */
public final class AuditChain {

  /** The {@code prevHash} of the first record. */
  public static final String GENESIS = AuditCanonical.GENESIS;

  private AuditChain() {}

  /** The fixed-format UTC text of an instant, as used in the canonical encoding. */
  public static String time(Instant instant) {
    return AuditCanonical.time(instant);
  }

  /** An instant read back from its stored text ({@link AuditCanonical#parseTime}). */
  public static Instant parseTime(String text) {
    return AuditCanonical.parseTime(text);
  }

  /** The record {@code seq} would be, with this entry after a record whose hash is {@code prev}. */
  public static AuditRecord link(long seq, AuditEntry entry, String prevHash) {
    return AuditCanonical.link(seq, entry, prevHash);
  }

  /**
   * {@code sha256:<hex>} over the canonical encoding of {@code seq}, {@code entry}, {@code prev}.
   */
  public static String hash(long seq, AuditEntry entry, String prevHash) {
    return AuditCanonical.hash(seq, entry, prevHash);
  }

  /** Whether a record's hash is the hash of its own content. */
  public static boolean intact(AuditRecord record) {
    return AuditCanonical.intact(record);
  }

  /** The canonical encoding of a record, as hashed. */
  public static String canonicalRecord(long seq, AuditEntry entry, String prevHash) {
    return AuditCanonical.canonicalRecord(seq, entry, prevHash);
  }

  /** The hash of a record whose entry is already canonically encoded. */
  public static String hashCanonical(long seq, String canonicalEntry, String prevHash) {
    return AuditCanonical.hashCanonical(seq, canonicalEntry, prevHash);
  }

  /** The canonical encoding of an entry alone (how the store keeps it). */
  public static String canonicalEntry(AuditEntry entry) {
    return AuditCanonical.canonicalEntry(entry);
  }

  /** The canonical encoding of what a checkpoint signs: {@code seq}, {@code hash}, {@code time}. */
  public static String canonicalCheckpoint(Checkpoint checkpoint) {
    return AuditCanonical.canonicalCheckpoint(checkpoint);
  }

  /** What a checkpoint signs, with its time as text (as stored): any other text is not signed. */
  static String canonicalCheckpoint(long seq, String hash, String time) {
    return AuditCanonical.canonicalCheckpoint(seq, hash, time);
  }

  /** Reads back an entry written by {@link #canonicalEntry}. */
  public static AuditEntry parseEntry(String canonicalEntry) {
    return AuditCanonical.parseEntry(canonicalEntry);
  }

  /** {@code sha256:} and the lowercase hex SHA-256 of the UTF-8 bytes of {@code text}. */
  public static String sha256(String text) {
    return AuditCanonical.sha256(text);
  }

  /** {@code sha256:} and the lowercase hex SHA-256 of {@code bytes}. */
  public static String sha256(byte[] bytes) {
    return AuditCanonical.sha256(bytes);
  }
}
