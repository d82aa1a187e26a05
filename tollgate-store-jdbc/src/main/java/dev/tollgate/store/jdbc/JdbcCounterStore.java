package dev.tollgate.store.jdbc;

import dev.tollgate.api.store.CounterStore;
import java.sql.Array;
import java.sql.ResultSet;

/**
 * Rate counters and novelty fingerprints in PostgreSQL, shared by every server on the database.
 * Each tally is one call of {@code tollgate_tally} (migration V11): the stream's advisory lock, the
 * append and the measures in one transaction, one round trip.
 */
final class JdbcCounterStore implements CounterStore {
  private final Db db;

  JdbcCounterStore(Db db) {
    this.db = db;
  }

  @Override
  public double[] tally(String stream, Measure measure, Event add, long now, long[] windows) {
    return db.autocommit(
        c ->
            db.statement(
                c,
                "SELECT tollgate_tally(?, ?, ?, ?, ?, ?, ?, ?)",
                p -> {
                  p.setString(1, stream);
                  p.setInt(2, measure.ordinal());
                  p.setBoolean(3, add != null);
                  p.setLong(4, add == null ? 0 : add.id());
                  p.setDouble(5, add == null ? 0 : add.amount());
                  p.setArray(6, longs(c, add == null ? new long[0] : add.values()));
                  p.setLong(7, now);
                  p.setArray(8, longs(c, windows));
                  try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    Object[] values = (Object[]) rs.getArray(1).getArray();
                    double[] out = new double[values.length];
                    for (int i = 0; i < out.length; i++) {
                      out[i] = ((Number) values[i]).doubleValue();
                    }
                    return out;
                  }
                }));
  }

  @Override
  public void release(String stream, long id) {
    db.autocommit(
        c ->
            db.statement(
                c,
                "DELETE FROM rate_event WHERE stream = ? AND id = ?",
                p -> {
                  p.setString(1, stream);
                  p.setLong(2, id);
                  return p.executeUpdate();
                }));
  }

  @Override
  public boolean anyUnseen(String subject, long[] fingerprints, long since) {
    if (fingerprints.length == 0) {
      return false;
    }
    long distinct = java.util.Arrays.stream(fingerprints).distinct().count();
    return db.read(
        c ->
            db.statement(
                c,
                "SELECT count(*) FROM rate_seen WHERE subject = ? AND fp = ANY(?) AND at >= ?",
                p -> {
                  p.setString(1, subject);
                  p.setArray(2, longs(c, fingerprints));
                  p.setLong(3, since);
                  try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    return rs.getLong(1) < distinct;
                  }
                }));
  }

  @Override
  public void remember(String subject, long[] fingerprints, long now) {
    if (fingerprints.length == 0) {
      return;
    }
    db.autocommit(
        c ->
            db.statement(
                c,
                "INSERT INTO rate_seen (subject, fp, at) SELECT ?, x, ? FROM unnest(?::bigint[]) AS x"
                    + " ON CONFLICT (subject, fp) DO UPDATE SET at = GREATEST(rate_seen.at,"
                    + " EXCLUDED.at)",
                p -> {
                  p.setString(1, subject);
                  p.setLong(2, now);
                  p.setArray(3, longs(c, distinct(fingerprints)));
                  return p.executeUpdate();
                }));
  }

  /** ON CONFLICT may not touch a row twice in one statement. */
  private static long[] distinct(long[] values) {
    return java.util.Arrays.stream(values).distinct().toArray();
  }

  private static Array longs(java.sql.Connection c, long[] values) throws java.sql.SQLException {
    Long[] boxed = new Long[values.length];
    for (int i = 0; i < values.length; i++) {
      boxed[i] = values[i];
    }
    return c.createArrayOf("bigint", boxed);
  }
}
