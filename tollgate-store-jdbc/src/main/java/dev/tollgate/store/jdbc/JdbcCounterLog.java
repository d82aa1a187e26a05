package dev.tollgate.store.jdbc;

import dev.tollgate.api.store.CounterLog;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The rate counters' log in PostgreSQL, shared by every server on the database. A decision's
 * appends, reads and novelty questions are one call of {@code tollgate_sync} (migration V12): the
 * streams' advisory locks, the appends, and the entries the caller has not seen, in one transaction
 * and one round trip.
 */
final class JdbcCounterLog implements CounterLog {
  private static final Long[] NO_LONGS = new Long[0];

  private final Db db;

  JdbcCounterLog(Db db) {
    this.db = db;
  }

  @Override
  public Synced sync(List<Sync> syncs, List<Lookup> lookups, long now) {
    int n = syncs.size();
    String[] streams = new String[n];
    Long[] after = new Long[n];
    Long[] since = new Long[n];
    Boolean[] adds = new Boolean[n];
    Long[] ids = new Long[n];
    Long[] ats = new Long[n];
    Long[] micros = new Long[n];
    Integer[] valEnds = new Integer[n];
    Longs vals = new Longs();
    for (int i = 0; i < n; i++) {
      Sync s = syncs.get(i);
      Entry add = s.add();
      streams[i] = s.stream();
      after[i] = s.after();
      since[i] = s.since();
      adds[i] = add != null;
      ids[i] = add == null ? 0L : add.id();
      ats[i] = add == null ? 0L : add.at();
      micros[i] = add == null ? 0L : add.micros();
      if (add != null) {
        vals.addAll(add.values());
      }
      valEnds[i] = vals.size();
    }
    int m = lookups.size();
    String[] subjects = new String[m];
    Long[] seenSince = new Long[m];
    Integer[] fpEnds = new Integer[m];
    Longs fps = new Longs();
    for (int j = 0; j < m; j++) {
      Lookup l = lookups.get(j);
      subjects[j] = l.subject();
      seenSince[j] = l.since();
      fps.addAll(l.fingerprints());
      fpEnds[j] = fps.size();
    }
    List<List<Entry>> entries = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      entries.add(new ArrayList<>(2));
    }
    boolean[] unseen = new boolean[m];
    db.autocommit(
        c ->
            db.statement(
                c,
                "SELECT * FROM tollgate_sync(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                p -> {
                  p.setArray(1, c.createArrayOf("text", streams));
                  p.setArray(2, c.createArrayOf("bigint", after));
                  p.setArray(3, c.createArrayOf("bigint", since));
                  p.setArray(4, c.createArrayOf("boolean", adds));
                  p.setArray(5, c.createArrayOf("bigint", ids));
                  p.setArray(6, c.createArrayOf("bigint", ats));
                  p.setArray(7, c.createArrayOf("bigint", micros));
                  p.setArray(8, vals.array(c));
                  p.setArray(9, c.createArrayOf("integer", valEnds));
                  p.setArray(10, c.createArrayOf("text", subjects));
                  p.setArray(11, fps.array(c));
                  p.setArray(12, c.createArrayOf("integer", fpEnds));
                  p.setArray(13, c.createArrayOf("bigint", seenSince));
                  try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                      int k = rs.getInt(1);
                      if (k < 0) {
                        unseen[-k - 1] = rs.getBoolean(7);
                        continue;
                      }
                      Object[] v = (Object[]) rs.getArray(6).getArray();
                      long[] values = new long[v.length];
                      for (int x = 0; x < v.length; x++) {
                        values[x] = ((Number) v[x]).longValue();
                      }
                      entries
                          .get(k - 1)
                          .add(
                              new Entry(
                                  rs.getLong(2),
                                  rs.getLong(3),
                                  rs.getLong(4),
                                  rs.getLong(5),
                                  values,
                                  rs.getBoolean(7)));
                    }
                    return null;
                  }
                }));
    return new Synced(entries, unseen);
  }

  @Override
  public void release(List<Appended> events, long now) {
    String[] streams = new String[events.size()];
    Long[] ids = new Long[events.size()];
    for (int i = 0; i < streams.length; i++) {
      streams[i] = events.get(i).stream();
      ids[i] = events.get(i).id();
    }
    db.autocommit(
        c ->
            db.statement(
                c,
                "SELECT tollgate_release(?, ?, ?)",
                p -> {
                  p.setArray(1, c.createArrayOf("text", streams));
                  p.setArray(2, c.createArrayOf("bigint", ids));
                  p.setLong(3, now);
                  return p.execute();
                }));
  }

  @Override
  public void remember(List<Seen> seen, long now) {
    String[] subjects = new String[seen.size()];
    Integer[] ends = new Integer[seen.size()];
    Longs fps = new Longs();
    for (int j = 0; j < subjects.length; j++) {
      subjects[j] = seen.get(j).subject();
      fps.addAll(seen.get(j).fingerprints());
      ends[j] = fps.size();
    }
    db.autocommit(
        c ->
            db.statement(
                c,
                "SELECT tollgate_remember(?, ?, ?, ?)",
                p -> {
                  p.setArray(1, c.createArrayOf("text", subjects));
                  p.setArray(2, fps.array(c));
                  p.setArray(3, c.createArrayOf("integer", ends));
                  p.setLong(4, now);
                  return p.execute();
                }));
  }

  /** The longs of several arrays, end to end, as one SQL array. */
  private static final class Longs {
    private Long[] values = NO_LONGS;
    private int size;

    void addAll(long[] more) {
      if (size + more.length > values.length) {
        values = Arrays.copyOf(values, Math.max(8, (size + more.length) * 2));
      }
      for (long v : more) {
        values[size++] = v;
      }
    }

    int size() {
      return size;
    }

    Array array(Connection c) throws SQLException {
      return c.createArrayOf("bigint", Arrays.copyOf(values, size));
    }
  }
}
