package dev.tollgate.store.jdbc;

import dev.tollgate.api.store.RequestRecord;
import dev.tollgate.api.store.RequestStore;
import dev.tollgate.store.jdbc.audit.AuditChain;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Calls by request id. A reservation is one transaction: an insert that does nothing on a taken key
 * (the primary key on agent and request id makes exactly one of racing inserts win, on PostgreSQL
 * by making the others wait for the winner's commit), else a conditional update that replaces an
 * entry whose window ended or whose attempt went stale, else a read of the entry that holds the
 * key. Completing and releasing are single statements conditional on the entry still being pending
 * under the caller's decision id.
 */
final class JdbcRequestStore implements RequestStore {

  private static final String COLUMNS =
      "agent, request_id, tool, session, user_name, args_digest, decision_id, decision, created,"
          + " expires_at";

  private final Db db;

  JdbcRequestStore(Db db) {
    this.db = db;
  }

  @Override
  public Optional<RequestRecord> reserve(RequestRecord r, Instant now, Instant staleBefore) {
    return db.write(
        c -> {
          // At most a few rounds: only a sweep deleting the entry between the statements (on
          // PostgreSQL, from another instance) sends this round again.
          for (int round = 0; round < 3; round++) {
            Optional<RequestRecord> held = reserveOnce(c, r, now, staleBefore);
            if (held != null) {
              return held;
            }
          }
          throw new SQLException("the request entry kept vanishing while it was reserved");
        });
  }

  /** One round of {@link #reserve}; {@code null} when the entry vanished in between. */
  private static Optional<RequestRecord> reserveOnce(
      Connection c, RequestRecord r, Instant now, Instant staleBefore) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement(
            "INSERT INTO decision_request ("
                + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)"
                + " ON CONFLICT (agent, request_id) DO NOTHING")) {
      p.setString(1, r.agent());
      p.setString(2, r.requestId());
      p.setString(3, r.tool());
      p.setString(4, r.session());
      p.setString(5, r.user());
      p.setString(6, r.argsDigest());
      p.setString(7, r.decisionId());
      p.setString(8, AuditChain.time(r.created()));
      p.setString(9, AuditChain.time(r.expiresAt()));
      if (p.executeUpdate() == 1) {
        return Optional.empty();
      }
    }
    try (PreparedStatement p =
        c.prepareStatement(
            "UPDATE decision_request SET tool = ?, session = ?, user_name = ?, args_digest ="
                + " ?, decision_id = ?, decision = NULL, created = ?, expires_at = ? WHERE"
                + " agent = ? AND request_id = ? AND (expires_at <= ? OR (decision IS NULL"
                + " AND created < ?))")) {
      p.setString(1, r.tool());
      p.setString(2, r.session());
      p.setString(3, r.user());
      p.setString(4, r.argsDigest());
      p.setString(5, r.decisionId());
      p.setString(6, AuditChain.time(r.created()));
      p.setString(7, AuditChain.time(r.expiresAt()));
      p.setString(8, r.agent());
      p.setString(9, r.requestId());
      p.setString(10, AuditChain.time(now));
      p.setString(11, AuditChain.time(staleBefore));
      if (p.executeUpdate() == 1) {
        return Optional.empty();
      }
    }
    List<RequestRecord> held = select(c, r.agent(), r.requestId());
    return held.isEmpty() ? null : Optional.of(held.getFirst());
  }

  @Override
  public boolean complete(String agent, String requestId, String decisionId, String decision) {
    return db.write(
        c -> {
          try (PreparedStatement p =
              c.prepareStatement(
                  "UPDATE decision_request SET decision = ? WHERE agent = ? AND request_id = ? AND"
                      + " decision_id = ? AND decision IS NULL")) {
            p.setString(1, decision);
            p.setString(2, agent);
            p.setString(3, requestId);
            p.setString(4, decisionId);
            return p.executeUpdate() == 1;
          }
        });
  }

  @Override
  public void release(String agent, String requestId, String decisionId) {
    db.write(
        c -> {
          try (PreparedStatement p =
              c.prepareStatement(
                  "DELETE FROM decision_request WHERE agent = ? AND request_id = ? AND"
                      + " decision_id = ? AND decision IS NULL")) {
            p.setString(1, agent);
            p.setString(2, requestId);
            p.setString(3, decisionId);
            return p.executeUpdate();
          }
        });
  }

  @Override
  public Optional<RequestRecord> get(String agent, String requestId) {
    List<RequestRecord> found =
        db.query(
            "SELECT " + COLUMNS + " FROM decision_request WHERE agent = ? AND request_id = ?",
            JdbcRequestStore::request,
            agent,
            requestId);
    return found.isEmpty() ? Optional.empty() : Optional.of(found.getFirst());
  }

  @Override
  public int sweep(Instant now) {
    return db.write(
        c -> {
          try (PreparedStatement p =
              c.prepareStatement("DELETE FROM decision_request WHERE expires_at <= ?")) {
            p.setString(1, AuditChain.time(now));
            return p.executeUpdate();
          }
        });
  }

  private static List<RequestRecord> select(Connection c, String agent, String requestId)
      throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement(
            "SELECT " + COLUMNS + " FROM decision_request WHERE agent = ? AND request_id = ?")) {
      p.setString(1, agent);
      p.setString(2, requestId);
      try (ResultSet rs = p.executeQuery()) {
        return rs.next() ? List.of(request(rs)) : List.of();
      }
    }
  }

  private static RequestRecord request(ResultSet rs) throws SQLException {
    return new RequestRecord(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        rs.getString(4),
        rs.getString(5),
        rs.getString(6),
        rs.getString(7),
        rs.getString(8),
        AuditChain.parseTime(rs.getString(9)),
        AuditChain.parseTime(rs.getString(10)));
  }
}
