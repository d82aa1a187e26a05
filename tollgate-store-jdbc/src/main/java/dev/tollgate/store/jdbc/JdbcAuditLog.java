package dev.tollgate.store.jdbc;

import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.api.store.AuditLog;
import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.api.store.AuditRecord;
import dev.tollgate.api.store.Checkpoint;
import dev.tollgate.api.store.StoreUnavailableException;
import dev.tollgate.store.jdbc.audit.AuditChain;
import dev.tollgate.store.jdbc.audit.AuditColumn;
import dev.tollgate.store.jdbc.audit.AuditTables;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The audit log with group commit ({@link GroupCommit}): concurrent callers' entries are chained
 * onto the head in one transaction, in the order they were queued (on PostgreSQL the head row is
 * locked, so instances sharing the database never fork the chain), and each caller is answered only
 * once that transaction committed. A failed batch fails every caller in it and leaves none of its
 * entries in the log; a caller whose deadline passes while its entries are still queued withdraws
 * them ({@link StoreUnavailableException}).
 *
 * <p>A record is its canonical entry text, position and links (what the hash covers) plus the
 * columns of {@link AuditColumn}, copies of entry fields for the indexes. Searches use those
 * columns to find candidates but answer from the entry: a row whose columns were changed under its
 * entry is never returned for a filter its entry does not match ({@link AuditTables} lets verify
 * name it).
 */
final class JdbcAuditLog implements AuditLog, AuditTables, AutoCloseable {

  private static final int MAX_BATCH = 1000;
  private static final int READ_PAGE = 10_000;

  /** The columns of {@code audit}: position, the entry's copies, the entry, the links. */
  private static final String COLUMNS =
      "seq, "
          + String.join(", ", AuditColumn.ALL.stream().map(AuditColumn::column).toList())
          + ", entry, prev_hash, hash";

  private static final String PLACEHOLDERS = "?, ".repeat(AuditColumn.ALL.size() + 3) + "?";

  private final Db db;
  private final GroupCommit<Appended, List<AuditRecord>> commits;

  /** One caller's entries and their canonical text, encoded before queueing (off the writer). */
  private record Appended(List<AuditEntry> entries, List<String> canonical) {}

  JdbcAuditLog(Db db) {
    this.db = db;
    this.commits =
        new GroupCommit<>(
            db, "tollgate-audit-writer", MAX_BATCH, a -> a.entries().size(), this::chain);
  }

  @Override
  public List<AuditRecord> append(List<AuditEntry> entries) {
    if (entries.isEmpty()) {
      return List.of();
    }
    List<AuditEntry> copy = List.copyOf(entries);
    List<String> canonical = new ArrayList<>(copy.size());
    for (AuditEntry e : copy) {
      canonical.add(AuditChain.canonicalEntry(e));
    }
    return commits.submit(new Appended(copy, canonical));
  }

  /** The chain's head: the newest record's sequence number and hash. */
  private record Head(long seq, String hash) {}

  /**
   * Chains a batch onto the head in queue order, in the writer's transaction: on PostgreSQL the
   * head row is locked, so instances sharing the database never fork the chain.
   */
  private List<List<AuditRecord>> chain(Connection c, List<Appended> batch) throws SQLException {
    Head head =
        db.statement(
            c,
            "SELECT seq, hash FROM audit_head WHERE id = 1" + db.forUpdate(),
            p -> {
              try (ResultSet rs = p.executeQuery()) {
                if (!rs.next()) {
                  throw new SQLException("the audit_head row is missing");
                }
                return new Head(rs.getLong(1), rs.getString(2));
              }
            });
    // Chain the batch first, then write it: the hashes need no database.
    long seq = head.seq();
    String prev = head.hash();
    List<List<AuditRecord>> out = new ArrayList<>(batch.size());
    List<AuditRecord> chained = new ArrayList<>();
    List<String> canonical = new ArrayList<>();
    for (Appended p : batch) {
      List<AuditRecord> records = new ArrayList<>(p.entries().size());
      for (int i = 0; i < p.entries().size(); i++) {
        seq++;
        String hash = AuditChain.hashCanonical(seq, p.canonical().get(i), prev);
        AuditRecord r = new AuditRecord(seq, p.entries().get(i), prev, hash);
        records.add(r);
        chained.add(r);
        canonical.add(p.canonical().get(i));
        prev = hash;
      }
      out.add(List.copyOf(records));
    }
    db.statement(
        c,
        "INSERT INTO audit (" + COLUMNS + ") VALUES (" + PLACEHOLDERS + ")",
        insert -> {
          for (int i = 0; i < chained.size(); i++) {
            AuditRecord r = chained.get(i);
            AuditEntry e = r.entry();
            int p = 1;
            insert.setLong(p++, r.seq());
            for (AuditColumn column : AuditColumn.ALL) {
              insert.setString(p++, column.of(e));
            }
            insert.setString(p++, canonical.get(i));
            insert.setString(p++, r.prevHash());
            insert.setString(p, r.hash());
            insert.addBatch();
          }
          return insert.executeBatch();
        });
    Head last = new Head(seq, prev);
    db.statement(
        c,
        "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1",
        update -> {
          update.setLong(1, last.seq());
          update.setString(2, last.hash());
          return update.executeUpdate();
        });
    return out;
  }

  @Override
  public List<AuditRecord> search(AuditQuery q) {
    StringBuilder sql =
        new StringBuilder("SELECT seq, entry, prev_hash, hash FROM audit WHERE seq > ?");
    List<Object> args = new ArrayList<>();
    args.add(q.afterSeq());
    List<Predicate<AuditEntry>> matches = new ArrayList<>();
    filter(sql, args, matches, AuditColumn.AGENT, q.agent());
    filter(sql, args, matches, AuditColumn.SESSION, q.session());
    filter(sql, args, matches, AuditColumn.TOOL, q.tool());
    filter(
        sql, args, matches, AuditColumn.EFFECT, q.effect() == null ? null : q.effect().wireName());
    filter(sql, args, matches, AuditColumn.KIND, q.kind() == null ? null : q.kind().wireName());
    filter(sql, args, matches, AuditColumn.DECISION, q.decision());
    Instant from = q.from();
    if (from != null) {
      sql.append(" AND time >= ?");
      args.add(AuditChain.time(from));
      matches.add(e -> !e.time().isBefore(from));
    }
    Instant to = q.to();
    if (to != null) {
      sql.append(" AND time < ?");
      args.add(AuditChain.time(to));
      matches.add(e -> e.time().isBefore(to));
    }
    sql.append(" ORDER BY seq LIMIT ?");
    int limit = Math.max(0, q.limit());
    args.add(limit);
    List<AuditRecord> rows = db.query(sql.toString(), JdbcAuditLog::record, args.toArray());
    if (matches.isEmpty()) {
      return rows;
    }
    // The columns found candidates; the entries decide. A row whose column was changed under its
    // entry is left out (verify names it), and the page is filled from the rows after it.
    List<AuditRecord> out = new ArrayList<>(rows.size());
    while (true) {
      for (AuditRecord r : rows) {
        if (out.size() < limit && matches.stream().allMatch(m -> m.test(r.entry()))) {
          out.add(r);
        }
      }
      if (out.size() >= limit || rows.size() < limit) {
        return out;
      }
      args.set(0, rows.getLast().seq());
      rows = db.query(sql.toString(), JdbcAuditLog::record, args.toArray());
    }
  }

  private static void filter(
      StringBuilder sql,
      List<Object> args,
      List<Predicate<AuditEntry>> matches,
      AuditColumn column,
      String value) {
    if (value != null) {
      sql.append(" AND ").append(column.column()).append(" = ?");
      args.add(value);
      matches.add(e -> value.equals(column.of(e)));
    }
  }

  private static AuditRecord record(ResultSet rs) throws SQLException {
    return new AuditRecord(
        rs.getLong(1), AuditChain.parseEntry(rs.getString(2)), rs.getString(3), rs.getString(4));
  }

  @Override
  public int pending() {
    return commits.pending();
  }

  @Override
  public Optional<AuditRecord> head() {
    return db.read(
        c -> {
          try (PreparedStatement p =
                  c.prepareStatement(
                      "SELECT seq, entry, prev_hash, hash FROM audit ORDER BY seq DESC LIMIT 1");
              ResultSet rs = p.executeQuery()) {
            return rs.next() ? Optional.of(record(rs)) : Optional.empty();
          }
        });
  }

  @Override
  public void addCheckpoint(Checkpoint cp) {
    db.write(
        c -> {
          try (PreparedStatement p =
              c.prepareStatement(
                  "INSERT INTO audit_checkpoint (seq, hash, time, key_id, signature)"
                      + " VALUES (?, ?, ?, ?, ?)")) {
            p.setLong(1, cp.seq());
            p.setString(2, cp.hash());
            p.setString(3, AuditChain.time(cp.time()));
            p.setString(4, cp.keyId());
            p.setString(5, cp.signature());
            return p.executeUpdate();
          }
        });
  }

  @Override
  public List<Checkpoint> checkpoints() {
    return db.read(
        c -> {
          try (PreparedStatement p =
                  c.prepareStatement(
                      "SELECT seq, hash, time, key_id, signature FROM audit_checkpoint"
                          + " ORDER BY seq, time, id");
              ResultSet rs = p.executeQuery()) {
            List<Checkpoint> out = new ArrayList<>();
            while (rs.next()) {
              out.add(
                  new Checkpoint(
                      rs.getLong(1),
                      rs.getString(2),
                      AuditChain.parseTime(rs.getString(3)),
                      rs.getString(4),
                      rs.getString(5)));
            }
            return out;
          }
        });
  }

  @Override
  public Contents read() {
    return db.snapshot(
        c -> {
          List<RecordRow> records = new ArrayList<>();
          String select = "SELECT " + COLUMNS + " FROM audit";
          String page = " ORDER BY seq LIMIT " + READ_PAGE;
          int columns = AuditColumn.ALL.size();
          while (true) {
            int before = records.size();
            try (PreparedStatement p =
                c.prepareStatement(
                    records.isEmpty() ? select + page : select + " WHERE seq > ?" + page)) {
              if (!records.isEmpty()) {
                p.setLong(1, records.getLast().seq());
              }
              try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                  String[] values = new String[columns];
                  for (int i = 0; i < columns; i++) {
                    values[i] = rs.getString(2 + i);
                  }
                  records.add(
                      new RecordRow(
                          rs.getLong(1),
                          Arrays.asList(values),
                          rs.getString(columns + 2),
                          rs.getString(columns + 3),
                          rs.getString(columns + 4)));
                }
              }
            }
            if (records.size() - before < READ_PAGE) {
              break;
            }
          }
          List<CheckpointRow> checkpoints = new ArrayList<>();
          try (PreparedStatement p =
                  c.prepareStatement(
                      "SELECT id, seq, hash, time, key_id, signature FROM audit_checkpoint"
                          + " ORDER BY seq, time, id");
              ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
              checkpoints.add(
                  new CheckpointRow(
                      rs.getLong(1),
                      rs.getLong(2),
                      rs.getString(3),
                      rs.getString(4),
                      rs.getString(5),
                      rs.getString(6)));
            }
          }
          List<HeadRow> heads = new ArrayList<>();
          try (PreparedStatement p =
                  c.prepareStatement("SELECT id, seq, hash FROM audit_head ORDER BY id");
              ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
              heads.add(new HeadRow(rs.getLong(1), rs.getLong(2), rs.getString(3)));
            }
          }
          return new Contents(records, checkpoints, heads);
        });
  }

  /** Committed batches, their entries, and the time spent writing them, for measurements. */
  long[] stats() {
    return commits.stats();
  }

  @Override
  public void close() {
    commits.close();
  }
}
