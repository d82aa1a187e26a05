package dev.tollgate.store.jdbc.audit;

import dev.tollgate.api.store.AuditLog;
import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.api.store.AuditRecord;
import dev.tollgate.api.store.Checkpoint;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks an audit log: every record's hash, every link, the positions, and the signed checkpoints.
 * Reports the first bad record and why.
 */
public final class AuditVerifier {

  /** What is wrong. */
  public enum Problem {
    /** A record's content no longer matches its hash, or it was rewritten with a fresh hash. */
    MODIFIED,
    /** Records are missing (a gap in positions, or later records renumbered to close it). */
    DELETED,
    /** A record was added inside the chain (a duplicate position, or later ones renumbered). */
    INSERTED,
    /** Records are out of their order. */
    REORDERED,
    /** A checkpoint's signature is not valid for the key. */
    BAD_SIGNATURE,
    /** The record at a signed checkpoint's position has another hash: the chain was rewritten. */
    CHECKPOINT_MISMATCH,
    /** The log ends before the last signed checkpoint. */
    TRUNCATED
  }

  /**
   * The outcome.
   *
   * @param ok whether the log is intact
   * @param problem what is wrong, or {@code null}
   * @param seq the position of the first bad record (for {@link Problem#TRUNCATED}, the first
   *     missing one), or 0
   * @param message what is wrong, for people
   * @param records how many records were checked
   * @param checkpoints how many checkpoints were checked
   */
  public record Result(
      boolean ok, Problem problem, long seq, String message, long records, int checkpoints) {}

  private AuditVerifier() {}

  /** Verifies a whole log as its store returns it (every record, read page by page). */
  public static Result verify(AuditLog log, PublicKey publicKey) {
    List<Checkpoint> checkpoints = log.checkpoints();
    List<AuditRecord> records = new ArrayList<>();
    while (true) {
      long after = records.isEmpty() ? 0 : records.getLast().seq();
      List<AuditRecord> page = log.search(AuditQuery.after(after, 10_000));
      if (page.isEmpty()) {
        return verify(records, checkpoints, publicKey);
      }
      records.addAll(page);
    }
  }

  /**
   * Verifies records (in the order the store returns them: by position) against checkpoints signed
   * with the key matching {@code publicKey}.
   */
  public static Result verify(
      List<AuditRecord> records, List<Checkpoint> checkpoints, PublicKey publicKey) {
    Found chain = chain(records);
    Found best = chain;
    for (Checkpoint cp : checkpoints) {
      Found f = checkpoint(cp, records, publicKey);
      if (f != null && (best == null || f.seq < best.seq)) {
        best = f;
      }
    }
    if (best == null) {
      return new Result(
          true,
          null,
          0,
          records.size() + " records intact, " + checkpoints.size() + " checkpoints valid",
          records.size(),
          checkpoints.size());
    }
    return new Result(
        false, best.problem, best.seq, best.message, records.size(), checkpoints.size());
  }

  private record Found(Problem problem, long seq, String message) {}

  private static Found checkpoint(Checkpoint cp, List<AuditRecord> records, PublicKey key) {
    if (!AuditSigner.verify(cp, key)) {
      return new Found(
          Problem.BAD_SIGNATURE,
          cp.seq(),
          "the checkpoint at record " + cp.seq() + " has no valid signature of key " + cp.keyId());
    }
    long last = records.isEmpty() ? 0 : records.getLast().seq();
    if (cp.seq() > last) {
      return new Found(
          Problem.TRUNCATED,
          last + 1,
          "the log ends at record "
              + last
              + " but a checkpoint signed on "
              + cp.time()
              + " covers up to record "
              + cp.seq()
              + ": records "
              + (last + 1)
              + ".."
              + cp.seq()
              + " were removed");
    }
    AuditRecord at = find(records, cp.seq());
    if (at == null) {
      return null; // a gap: the chain check names it
    }
    if (!at.hash().equals(cp.hash())) {
      return new Found(
          Problem.CHECKPOINT_MISMATCH,
          cp.seq(),
          "record "
              + cp.seq()
              + " has hash "
              + at.hash()
              + " but the checkpoint signed "
              + cp.hash()
              + ": the log was rewritten at or before record "
              + cp.seq());
    }
    return null;
  }

  private static AuditRecord find(List<AuditRecord> records, long seq) {
    int i = (int) Math.min(Integer.MAX_VALUE, seq - 1);
    if (i >= 0 && i < records.size() && records.get(i).seq() == seq) {
      return records.get(i);
    }
    for (AuditRecord r : records) {
      if (r.seq() == seq) {
        return r;
      }
    }
    return null;
  }

  private static Found chain(List<AuditRecord> records) {
    String prevHash = AuditChain.GENESIS;
    long expected = 1;
    for (int i = 0; i < records.size(); i++) {
      AuditRecord r = records.get(i);
      if (r.seq() > expected) {
        for (int j = i + 1; j < records.size(); j++) {
          if (records.get(j).seq() == expected) {
            return new Found(
                Problem.REORDERED,
                expected,
                "record " + r.seq() + " comes before record " + expected);
          }
        }
        return new Found(
            Problem.DELETED,
            expected,
            expected == r.seq() - 1
                ? "record " + expected + " is missing"
                : "records " + expected + ".." + (r.seq() - 1) + " are missing");
      }
      if (r.seq() == expected - 1) {
        return new Found(Problem.INSERTED, r.seq(), "there are two records at position " + r.seq());
      }
      if (r.seq() < expected) {
        return new Found(
            Problem.REORDERED,
            r.seq(),
            "record " + r.seq() + " comes after record " + (expected - 1));
      }
      if (!AuditChain.intact(r)) {
        return broken(records, i);
      }
      if (!r.prevHash().equals(prevHash)) {
        long bad = r.seq() - 1;
        return new Found(
            Problem.MODIFIED,
            bad,
            "record "
                + bad
                + " was rewritten: its hash is not the one record "
                + r.seq()
                + " links to");
      }
      prevHash = r.hash();
      expected++;
    }
    return null;
  }

  /** Record {@code i} does not match its own hash: was it moved, or changed? */
  private static Found broken(List<AuditRecord> records, int i) {
    AuditRecord r = records.get(i);
    long original = originalSeq(r, records.size());
    if (original > r.seq()) {
      // A later record now sits here. If the one that belongs here sits further on, they were
      // swapped; otherwise records were deleted and the rest renumbered.
      for (int j = i + 1; j < records.size(); j++) {
        AuditRecord later = records.get(j);
        if (AuditChain.hash(r.seq(), later.entry(), later.prevHash()).equals(later.hash())) {
          return new Found(
              Problem.REORDERED,
              r.seq(),
              "record "
                  + r.seq()
                  + " is the original record "
                  + original
                  + ": records were reordered");
        }
      }
      return new Found(
          Problem.DELETED,
          r.seq(),
          "record "
              + r.seq()
              + " is the original record "
              + original
              + ": "
              + (original - r.seq())
              + " record(s) before it were deleted and the rest renumbered");
    }
    if (original > 0 && original < r.seq()) {
      return new Found(
          Problem.INSERTED,
          original,
          "record "
              + r.seq()
              + " is the original record "
              + original
              + ": records were inserted from position "
              + original);
    }
    if (i + 1 < records.size()) {
      AuditRecord next = records.get(i + 1);
      if (AuditChain.hash(r.seq(), next.entry(), next.prevHash()).equals(next.hash())) {
        return new Found(
            Problem.INSERTED,
            r.seq(),
            "record " + r.seq() + " was inserted: the original record " + r.seq() + " follows it");
      }
    }
    return new Found(
        Problem.MODIFIED, r.seq(), "record " + r.seq() + " was modified: its hash does not match");
  }

  /** The position a record's hash was computed for, if another than its own; else 0. */
  private static long originalSeq(AuditRecord r, int count) {
    long max = Math.max(count, r.seq()) + count + 1;
    for (long s = 1; s <= max; s++) {
      if (s != r.seq() && AuditChain.hash(s, r.entry(), r.prevHash()).equals(r.hash())) {
        return s;
      }
    }
    return 0;
  }
}
