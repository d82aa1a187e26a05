package dev.tollgate.store.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.api.Effect;
import dev.tollgate.api.store.ObservedResult;
import dev.tollgate.api.store.SessionRecord;
import dev.tollgate.api.store.SessionStore;
import dev.tollgate.json.Names;
import dev.tollgate.store.jdbc.audit.AuditChain;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Sessions; task, labels and history are JSON text. Appends read and rewrite the row in one
 * transaction, under a row lock (PostgreSQL) or the single writer (SQLite): no update is lost.
 */
final class JdbcSessionStore implements SessionStore, AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};
  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};
  private static final TypeReference<List<Map<String, Object>>> STEPS = new TypeReference<>() {};

  /** The most steps one history transaction writes. */
  private static final int MAX_STEPS = 1000;

  private final Db db;
  private final GroupCommit<Step, Boolean> steps;

  /** A history step waiting for its transaction; {@code max} is the caller's bound. */
  private record Step(String session, Map<String, Object> step, int max) {}

  JdbcSessionStore(Db db) {
    this.db = db;
    this.steps = new GroupCommit<>(db, "tollgate-history-writer", MAX_STEPS, s -> 1, this::steps);
  }

  @Override
  public boolean create(SessionRecord s) {
    String task = json(s.task());
    String labels = json(s.labels());
    String history = json(s.history());
    return db.write(
        c -> {
          try (PreparedStatement p =
              c.prepareStatement(
                  "INSERT INTO session (id, agent, user_name, request, task, labels, history,"
                      + " opened, masked) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)"
                      + " ON CONFLICT (id) DO NOTHING")) {
            p.setString(1, s.id());
            p.setString(2, s.agent());
            p.setString(3, s.user());
            p.setString(4, s.request());
            p.setString(5, task);
            p.setString(6, labels);
            p.setString(7, history);
            p.setString(8, AuditChain.time(s.opened()));
            return p.executeUpdate() == 1;
          }
        });
  }

  /** The columns {@link #session} reads, in its order. */
  private static final String COLUMNS =
      "id, agent, user_name, request, task, labels, history, opened, results";

  private static SessionRecord session(java.sql.ResultSet rs) throws java.sql.SQLException {
    return new SessionRecord(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        rs.getString(4),
        parse(rs.getString(5), MAP),
        parse(rs.getString(6), STRINGS),
        parse(rs.getString(7), STEPS),
        AuditChain.parseTime(rs.getString(8)),
        rs.getLong(9));
  }

  @Override
  public Optional<SessionRecord> get(String id) {
    return db
        .query("SELECT " + COLUMNS + " FROM session WHERE id = ?", JdbcSessionStore::session, id)
        .stream()
        .findFirst();
  }

  /**
   * Every decision in a session appends a step, after its audit record is durable: concurrent steps
   * share one transaction ({@link GroupCommit}), so that they cost one commit (one fsync on SQLite)
   * rather than one each. Returns once the step is durable; a failed transaction fails every step
   * in it.
   */
  @Override
  public void appendHistory(String id, String tool, Effect effect, int max) {
    Map<String, Object> step = new LinkedHashMap<>();
    step.put("tool", tool);
    step.put("effect", effect.wireName());
    steps.submit(new Step(id, step, max));
  }

  /**
   * One transaction's steps: each session's row read (and locked, on PostgreSQL) and rewritten
   * once, with its steps in the order they were queued. Sessions are taken in id order, so that two
   * instances writing to one PostgreSQL lock their rows in the same order and never deadlock. A
   * step for an unknown session changes nothing, as before.
   */
  private List<Boolean> steps(Connection c, List<Step> batch) throws SQLException {
    Map<String, List<Step>> bySession = new java.util.TreeMap<>();
    for (Step s : batch) {
      bySession.computeIfAbsent(s.session(), k -> new ArrayList<>()).add(s);
    }
    Map<String, Boolean> known = new java.util.HashMap<>();
    for (Map.Entry<String, List<Step>> e : bySession.entrySet()) {
      String before = select(c, e.getKey(), "history");
      known.put(e.getKey(), before != null);
      if (before == null) {
        continue;
      }
      List<Map<String, Object>> history = new ArrayList<>(parse(before, STEPS));
      for (Step s : e.getValue()) {
        history.add(s.step());
        int from = Math.max(0, history.size() - Math.max(0, s.max()));
        history = new ArrayList<>(history.subList(from, history.size()));
      }
      try (PreparedStatement p =
          c.prepareStatement("UPDATE session SET history = ? WHERE id = ?")) {
        p.setString(1, json(history));
        p.setString(2, e.getKey());
        p.executeUpdate();
      }
    }
    List<Boolean> out = new ArrayList<>(batch.size());
    for (Step s : batch) {
      out.add(known.get(s.session()));
    }
    return out;
  }

  /** Committed history batches, their steps, and the time spent writing them. */
  long[] stats() {
    return steps.stats();
  }

  @Override
  public void close() {
    steps.close();
  }

  @Override
  public void addLabels(String id, List<String> labels) {
    update(
        id,
        "labels",
        text -> {
          LinkedHashSet<String> all = new LinkedHashSet<>(parse(text, STRINGS));
          if (!all.addAll(labels)) {
            return null;
          }
          return json(new ArrayList<>(all));
        });
  }

  @Override
  public long addResult(String id, ObservedResult result, int max) {
    String labels = json(result.labels());
    byte[] fingerprints = result.fingerprints();
    return db.write(
        c -> {
          String count = select(c, id, "results");
          if (count == null) {
            return 0L;
          }
          long seq = Long.parseLong(count) + 1;
          try (PreparedStatement p =
              c.prepareStatement(
                  "INSERT INTO session_result (session_id, seq, tool, trust, labels, fingerprints)"
                      + " VALUES (?, ?, ?, ?, ?, ?)")) {
            p.setString(1, id);
            p.setLong(2, seq);
            p.setString(3, result.tool());
            p.setString(4, result.trust().wireName());
            p.setString(5, labels);
            p.setBytes(6, fingerprints);
            p.executeUpdate();
          }
          try (PreparedStatement p =
              c.prepareStatement("UPDATE session SET results = ? WHERE id = ?")) {
            p.setLong(1, seq);
            p.setString(2, id);
            p.executeUpdate();
          }
          try (PreparedStatement p =
              c.prepareStatement("DELETE FROM session_result WHERE session_id = ? AND seq <= ?")) {
            p.setString(1, id);
            p.setLong(2, seq - Math.max(0, max));
            p.executeUpdate();
          }
          return seq;
        });
  }

  /**
   * A stored result's trust. An unknown one fails the read (and so the decision that needed it:
   * deny), never counts as either.
   */
  private static ObservedResult.Trust trust(String text, String session, long seq)
      throws SQLException {
    try {
      return Names.wire(
          text,
          ObservedResult.Trust.values(),
          ObservedResult.Trust::wireName,
          "trust in the store");
    } catch (IllegalArgumentException e) {
      throw new SQLException(
          "unreadable result " + seq + " of session " + session + ": " + e.getMessage(), e);
    }
  }

  @Override
  public List<ObservedResult> results(String id, long afterSeq) {
    return db.query(
        "SELECT seq, tool, trust, labels, fingerprints FROM session_result"
            + " WHERE session_id = ? AND seq > ? ORDER BY seq",
        rs ->
            new ObservedResult(
                rs.getLong(1),
                rs.getString(2),
                trust(rs.getString(3), id, rs.getLong(1)),
                parse(rs.getString(4), STRINGS),
                rs.getBytes(5)),
        id,
        afterSeq);
  }

  /**
   * Sessions written before version 10 of the schema: their request and task may hold clear text.
   */
  @Override
  public List<SessionRecord> unmasked(int max) {
    return db.query(
        "SELECT " + COLUMNS + " FROM session WHERE masked = 0 ORDER BY id LIMIT ?",
        JdbcSessionStore::session,
        max);
  }

  @Override
  public void remask(String id, String request, Map<String, Object> task) {
    String taskJson = json(task);
    db.write(
        c -> {
          try (PreparedStatement p =
              c.prepareStatement(
                  "UPDATE session SET request = ?, task = ?, masked = 1 WHERE id = ?")) {
            p.setString(1, request);
            p.setString(2, taskJson);
            p.setString(3, id);
            return p.executeUpdate();
          }
        });
  }

  /**
   * Rewrites one JSON column of a session in one locked transaction; unknown ids change nothing.
   */
  private void update(String id, String column, UnaryOperator<String> change) {
    db.write(
        c -> {
          String before = select(c, id, column);
          if (before == null) {
            return null;
          }
          String after = change.apply(before);
          if (after == null) {
            return null;
          }
          try (PreparedStatement p =
              c.prepareStatement("UPDATE session SET " + column + " = ? WHERE id = ?")) {
            p.setString(1, after);
            p.setString(2, id);
            return p.executeUpdate();
          }
        });
  }

  private String select(Connection c, String id, String column) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement("SELECT " + column + " FROM session WHERE id = ?" + db.forUpdate())) {
      p.setString(1, id);
      try (ResultSet rs = p.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not storable as JSON: " + e.getOriginalMessage(), e);
    }
  }

  private static <T> T parse(String text, TypeReference<T> type) {
    try {
      return JSON.readValue(text, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a stored session column is not JSON: " + text, e);
    }
  }
}
