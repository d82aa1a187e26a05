package dev.tollgate.store.jdbc.audit;

import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.api.store.AuditLog;
import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.api.store.AuditRecord;
import dev.tollgate.api.store.Checkpoint;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Checks an audit log: every record's hash, every link, the positions, the signed checkpoints and,
 * for a log kept in this module's tables, every stored column. Reports the first bad record and
 * why.
 *
 * <p>Everything is checked as stored: a record's hash over its entry's stored text, a checkpoint's
 * signature over its stored time text, so that no other spelling of the same content passes. The
 * columns that repeat the entry for searches ({@link AuditColumn}) must equal what the entry says,
 * and the head row, where the writer chains the next record on, must be the last record.
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
    /** The log ends before the last signed checkpoint, or before the record its head names. */
    TRUNCATED,
    /**
     * A stored column says something else than what it repeats: a column of {@code audit} than the
     * record's hashed entry, or the head row ({@code audit_head}) than the last record.
     */
    COLUMN_MISMATCH
  }

  /**
   * The outcome.
   *
   * @param ok whether the log is intact
   * @param problem what is wrong, or {@code null}
   * @param seq the position of the first bad record (for {@link Problem#TRUNCATED}, the first
   *     missing one), or 0
   * @param message what is wrong, for people; stored text in it is quoted with control characters
   *     escaped, and never the entry's content
   * @param records how many records were checked
   * @param checkpoints how many checkpoints were checked
   */
  public record Result(
      boolean ok, Problem problem, long seq, String message, long records, int checkpoints) {}

  /** How much of a stored value a message shows, in code points. */
  private static final int SHOWN = 80;

  private AuditVerifier() {}

  /**
   * Verifies a whole log as its store keeps it: a log kept in this module's tables (an {@link
   * AuditTables}) table by table, column by column, as {@link #verify(AuditTables, PublicKey)}; any
   * other log as it returns its records and checkpoints.
   */
  public static Result verify(AuditLog log, PublicKey publicKey) {
    if (log instanceof AuditTables tables) {
      return verify(tables, publicKey);
    }
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
    List<Link> links = new ArrayList<>(records.size());
    for (AuditRecord r : records) {
      links.add(new Link(r.seq(), AuditChain.canonicalEntry(r.entry()), r.prevHash(), r.hash()));
    }
    List<Signed> signed = new ArrayList<>(checkpoints.size());
    for (Checkpoint cp : checkpoints) {
      signed.add(Signed.of(cp));
    }
    return result(chainAndCheckpoints(links, signed, publicKey), links.size(), signed.size());
  }

  /**
   * Verifies the audit tables as stored, read in one snapshot: each record's hash over its stored
   * entry text, links and positions; each column of {@link AuditColumn} against the record's entry;
   * each checkpoint's signature over its stored columns; and the head row against the last record.
   *
   * @throws dev.tollgate.api.store.StoreUnavailableException when the store cannot be reached
   */
  public static Result verify(AuditTables tables, PublicKey publicKey) {
    AuditTables.Contents contents = tables.read();
    List<Link> links = new ArrayList<>(contents.records().size());
    for (AuditTables.RecordRow row : contents.records()) {
      links.add(new Link(row.seq(), row.entry(), row.prevHash(), row.hash()));
    }
    List<Signed> signed = new ArrayList<>(contents.checkpoints().size());
    for (AuditTables.CheckpointRow row : contents.checkpoints()) {
      signed.add(new Signed(row.seq(), row.hash(), row.time(), row.keyId(), row.signature()));
    }
    Found best = chainAndCheckpoints(links, signed, publicKey);
    for (AuditTables.RecordRow row : contents.records()) {
      if (best != null && row.seq() >= best.seq) {
        break;
      }
      best = earlier(best, columns(row));
    }
    best = earlier(best, head(contents.heads(), links));
    return result(best, links.size(), signed.size());
  }

  private static Result result(Found found, int records, int checkpoints) {
    if (found == null) {
      return new Result(
          true,
          null,
          0,
          records + " records intact, " + checkpoints + " checkpoints valid",
          records,
          checkpoints);
    }
    return new Result(false, found.problem, found.seq, found.message, records, checkpoints);
  }

  /** The chain's problem or a checkpoint's, whichever concerns the earlier record. */
  private static Found chainAndCheckpoints(
      List<Link> links, List<Signed> checkpoints, PublicKey key) {
    Found best = chain(links);
    Positions positions = new Positions(links);
    for (Signed cp : checkpoints) {
      best = earlier(best, checkpoint(cp, positions, key));
    }
    return best;
  }

  /** {@code found} if it concerns an earlier record than {@code best}; on a tie, {@code best}. */
  private static Found earlier(Found best, Found found) {
    return found != null && (best == null || found.seq < best.seq) ? found : best;
  }

  /** A record as hashed: its position, its entry's canonical text, its links. */
  private record Link(long seq, String entry, String prevHash, String hash) {

    /** Whether its hash is the hash of its content at position {@code at}. */
    boolean hashesAt(long at) {
      return AuditChain.hashCanonical(at, entry, prevHash).equals(hash);
    }
  }

  /** A checkpoint as signed: its time as text. */
  private record Signed(long seq, String hash, String time, String keyId, String signature) {

    static Signed of(Checkpoint cp) {
      String time;
      try {
        time = AuditChain.time(cp.time());
      } catch (IllegalArgumentException outOfRange) {
        time = String.valueOf(cp.time()); // never signed: the signature check fails
      }
      return new Signed(cp.seq(), cp.hash(), time, cp.keyId(), cp.signature());
    }
  }

  /** Where the record's columns disagree with its hashed entry, if they do. */
  private static Found columns(AuditTables.RecordRow row) {
    List<String> expected = new ArrayList<>(AuditColumn.ALL.size());
    try {
      AuditEntry entry = AuditChain.parseEntry(row.entry());
      for (AuditColumn column : AuditColumn.ALL) {
        expected.add(column.of(entry));
      }
    } catch (RuntimeException unreadable) {
      // The parser's message may quote the entry: it is not repeated.
      return new Found(
          Problem.MODIFIED,
          row.seq(),
          "record " + row.seq() + " was modified: its entry is not a readable audit entry");
    }
    for (AuditColumn column : AuditColumn.ALL) {
      String stored = row.column(column);
      String says = expected.get(column.ordinal());
      if (!Objects.equals(stored, says)) {
        return new Found(
            Problem.COLUMN_MISMATCH,
            row.seq(),
            "column "
                + column.column()
                + " is "
                + quote(stored)
                + " but the hashed entry says "
                + quote(says));
      }
    }
    return null;
  }

  /** Where the head row disagrees with the last record, if it does. */
  private static Found head(List<AuditTables.HeadRow> heads, List<Link> links) {
    long last = links.isEmpty() ? 0 : links.getLast().seq();
    String lastHash = links.isEmpty() ? AuditChain.GENESIS : links.getLast().hash();
    if (heads.size() != 1 || heads.getFirst().id() != 1) {
      return new Found(
          Problem.COLUMN_MISMATCH,
          last,
          "audit_head holds "
              + heads.size()
              + (heads.size() == 1 ? " row with id " + heads.getFirst().id() : " rows")
              + " where one row with id 1 belongs");
    }
    AuditTables.HeadRow head = heads.getFirst();
    if (head.seq() > last) {
      return new Found(
          Problem.TRUNCATED,
          last + 1,
          "the log ends at record "
              + last
              + " but audit_head says it reaches record "
              + head.seq()
              + ": records "
              + (last + 1)
              + ".."
              + head.seq()
              + " were removed, or the head was changed");
    }
    if (head.seq() < last) {
      return new Found(
          Problem.COLUMN_MISMATCH,
          last,
          "column seq of audit_head is " + head.seq() + " but the log ends at record " + last);
    }
    if (!lastHash.equals(head.hash())) {
      return new Found(
          Problem.COLUMN_MISMATCH,
          last,
          "column hash of audit_head is "
              + quote(head.hash())
              + " but record "
              + last
              + " has hash "
              + quote(lastHash)
              + ": the head was changed, or record "
              + last
              + " was rewritten");
    }
    return null;
  }

  /**
   * Stored text for people: quoted, with quotes, backslashes and every control, format or separator
   * character escaped (nothing in it can steer a terminal), and at most {@value #SHOWN} code points
   * of it.
   */
  private static String quote(String value) {
    if (value == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder(Math.min(value.length(), SHOWN) + 2).append('"');
    int shown = 0;
    int i = 0;
    while (i < value.length() && shown < SHOWN) {
      int cp = value.codePointAt(i);
      i += Character.charCount(cp);
      shown++;
      switch (Character.getType(cp)) {
        case Character.CONTROL,
            Character.FORMAT,
            Character.SURROGATE,
            Character.LINE_SEPARATOR,
            Character.PARAGRAPH_SEPARATOR,
            Character.UNASSIGNED -> {
          for (char c : Character.toChars(cp)) {
            out.append(String.format("\\u%04x", (int) c));
          }
        }
        default -> {
          if (cp == '"' || cp == '\\') {
            out.append('\\');
          }
          out.appendCodePoint(cp);
        }
      }
    }
    out.append('"');
    if (i < value.length()) {
      out.append("... (").append(value.codePointCount(0, value.length())).append(" characters)");
    }
    return out.toString();
  }

  private record Found(Problem problem, long seq, String message) {}

  private static Found checkpoint(Signed cp, Positions records, PublicKey key) {
    if (!AuditSigner.verify(cp.seq(), cp.hash(), cp.time(), cp.keyId(), cp.signature(), key)) {
      return new Found(
          Problem.BAD_SIGNATURE,
          cp.seq(),
          "the checkpoint at record "
              + cp.seq()
              + " has no valid signature of key "
              + quote(cp.keyId()));
    }
    long last = records.last();
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
    Link at = records.find(cp.seq());
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
              + quote(at.hash())
              + " but the checkpoint signed "
              + quote(cp.hash())
              + ": the log was rewritten at or before record "
              + cp.seq());
    }
    return null;
  }

  /** The records, found by position: where they should be, else through an index made once. */
  private static final class Positions {
    private final List<Link> links;
    private Map<Long, Link> index;

    Positions(List<Link> links) {
      this.links = links;
    }

    long last() {
      return links.isEmpty() ? 0 : links.getLast().seq();
    }

    Link find(long seq) {
      long i = seq - 1;
      if (i >= 0 && i < links.size() && links.get((int) i).seq() == seq) {
        return links.get((int) i);
      }
      if (index == null) {
        index = new HashMap<>();
        for (Link r : links) {
          index.putIfAbsent(r.seq(), r);
        }
      }
      return index.get(seq);
    }
  }

  private static Found chain(List<Link> records) {
    String prevHash = AuditChain.GENESIS;
    long expected = 1;
    for (int i = 0; i < records.size(); i++) {
      Link r = records.get(i);
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
      if (!r.hashesAt(r.seq())) {
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
  private static Found broken(List<Link> records, int i) {
    Link r = records.get(i);
    long original = originalSeq(r, records.size());
    if (original > r.seq()) {
      // A later record now sits here. If the one that belongs here sits further on, they were
      // swapped; otherwise records were deleted and the rest renumbered.
      for (int j = i + 1; j < records.size(); j++) {
        if (records.get(j).hashesAt(r.seq())) {
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
      if (records.get(i + 1).hashesAt(r.seq())) {
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
  private static long originalSeq(Link r, int count) {
    long max = Math.max(count, r.seq()) + count + 1;
    for (long s = 1; s <= max; s++) {
      if (s != r.seq() && r.hashesAt(s)) {
        return s;
      }
    }
    return 0;
  }
}
