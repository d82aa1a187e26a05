package dev.tollgate.store.jdbc;

import dev.tollgate.api.store.PauseRecord;
import dev.tollgate.api.store.PauseStore;
import dev.tollgate.store.jdbc.audit.AuditChain;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/** The kill switch's pauses, durable, with a version that moves on every change. */
final class JdbcPauseStore implements PauseStore {
  private final Db db;

  JdbcPauseStore(Db db) {
    this.db = db;
  }

  @Override
  public void put(PauseRecord pause) {
    db.write(
        c -> {
          try (PreparedStatement p =
              c.prepareStatement(
                  "INSERT INTO pause (scope, subject, reason, by_whom, at, ended)"
                      + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (scope, subject) DO UPDATE SET"
                      + " reason = EXCLUDED.reason, by_whom = EXCLUDED.by_whom, at = EXCLUDED.at,"
                      + " ended = EXCLUDED.ended")) {
            p.setString(1, pause.scope().wireName());
            p.setString(2, pause.subject());
            p.setString(3, pause.reason());
            p.setString(4, pause.by());
            p.setString(5, AuditChain.time(pause.at()));
            p.setInt(6, pause.ended() ? 1 : 0);
            p.executeUpdate();
          }
          bump(c);
          return null;
        });
  }

  @Override
  public boolean remove(PauseRecord.Scope scope, String subject) {
    return db.write(
        c -> {
          int removed;
          try (PreparedStatement p =
              c.prepareStatement("DELETE FROM pause WHERE scope = ? AND subject = ?")) {
            p.setString(1, scope.wireName());
            p.setString(2, subject);
            removed = p.executeUpdate();
          }
          if (removed > 0) {
            bump(c);
          }
          return removed > 0;
        });
  }

  private static void bump(Connection c) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement("UPDATE pause_version SET version = version + 1 WHERE id = 1")) {
      p.executeUpdate();
    }
  }

  @Override
  public List<PauseRecord> list() {
    return db.query(
        "SELECT scope, subject, reason, by_whom, at, ended FROM pause ORDER BY at, scope, subject",
        rs ->
            new PauseRecord(
                PauseRecord.Scope.parse(rs.getString(1)),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                Instant.parse(rs.getString(5)),
                rs.getInt(6) != 0));
  }

  @Override
  public long version() {
    return db.query("SELECT version FROM pause_version WHERE id = 1", rs -> rs.getLong(1))
        .getFirst();
  }
}
