package dev.tollgate.store.jdbc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.api.store.ToolPinRecord;
import dev.tollgate.api.store.ToolPinStore;
import dev.tollgate.json.ApiJson;
import dev.tollgate.json.InputException;
import dev.tollgate.store.jdbc.audit.AuditChain;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Tool definitions, durable and shared. A partial unique index keeps one accepted definition per
 * agent and tool, so that gateways on two servers seeing two definitions at once never pin both:
 * the second insert as accepted conflicts, and is made pending instead.
 */
final class JdbcToolPinStore implements ToolPinStore {
  private static final String COLUMNS =
      "agent, server, tool, fingerprint, definition, status, concerns, seen_at, decided_by,"
          + " decided_at";

  private final Db db;

  JdbcToolPinStore(Db db) {
    this.db = db;
  }

  @Override
  public Sighting sight(ToolPinRecord seen) {
    return db.write(
        c -> {
          ToolPinRecord known =
              one(
                  c,
                  seen.agent(),
                  seen.server(),
                  seen.tool(),
                  "fingerprint = ?",
                  seen.fingerprint());
          if (known != null) {
            return new Sighting(known, false, accepted(c, seen));
          }
          ToolPinRecord added = seen;
          if (!insert(c, seen)) {
            // another definition of the tool is accepted already: this one waits for a person
            added = seen.withStatus(ToolPinRecord.Status.PENDING, null, null);
            if (!insert(c, added)) {
              ToolPinRecord raced =
                  one(
                      c,
                      seen.agent(),
                      seen.server(),
                      seen.tool(),
                      "fingerprint = ?",
                      seen.fingerprint());
              return new Sighting(raced, false, accepted(c, seen));
            }
          }
          bump(c);
          return new Sighting(added, true, accepted(c, seen));
        });
  }

  private boolean insert(Connection c, ToolPinRecord p) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO tool_pin ("
                + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
      s.setString(1, p.agent());
      s.setString(2, p.server());
      s.setString(3, p.tool());
      s.setString(4, p.fingerprint());
      s.setString(5, p.definition());
      s.setString(6, p.status().wireName());
      s.setString(7, ApiJson.write(p.concerns()));
      s.setString(8, AuditChain.time(p.seenAt()));
      s.setString(9, p.decidedBy());
      s.setString(10, p.decidedAt() == null ? null : AuditChain.time(p.decidedAt()));
      return s.executeUpdate() == 1;
    }
  }

  private ToolPinRecord accepted(Connection c, ToolPinRecord p) throws SQLException {
    return one(c, p.agent(), p.server(), p.tool(), "status = ?", "accepted");
  }

  private ToolPinRecord one(
      Connection c, String agent, String server, String tool, String where, String value)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT "
                + COLUMNS
                + " FROM tool_pin WHERE agent = ? AND server = ? AND tool = ? AND "
                + where)) {
      s.setString(1, agent);
      s.setString(2, server);
      s.setString(3, tool);
      s.setString(4, value);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? row(rs) : null;
      }
    }
  }

  @Override
  public Optional<ToolPinRecord> accept(
      String agent, String server, String tool, String fingerprint, String by, Instant at) {
    return db.write(
        c -> {
          ToolPinRecord chosen = one(c, agent, server, tool, "fingerprint = ?", fingerprint);
          if (chosen == null) {
            return Optional.<ToolPinRecord>empty();
          }
          if (chosen.status() == ToolPinRecord.Status.ACCEPTED) {
            return Optional.of(chosen);
          }
          try (PreparedStatement s =
              c.prepareStatement(
                  "UPDATE tool_pin SET status = 'superseded' WHERE agent = ? AND server = ? AND"
                      + " tool = ? AND status = 'accepted' AND fingerprint <> ?")) {
            s.setString(1, agent);
            s.setString(2, server);
            s.setString(3, tool);
            s.setString(4, fingerprint);
            s.executeUpdate();
          }
          try (PreparedStatement s =
              c.prepareStatement(
                  "UPDATE tool_pin SET status = 'accepted', decided_by = ?, decided_at = ? WHERE"
                      + " agent = ? AND server = ? AND tool = ? AND fingerprint = ?")) {
            s.setString(1, by);
            s.setString(2, AuditChain.time(at));
            s.setString(3, agent);
            s.setString(4, server);
            s.setString(5, tool);
            s.setString(6, fingerprint);
            s.executeUpdate();
          }
          bump(c);
          return Optional.of(chosen.withStatus(ToolPinRecord.Status.ACCEPTED, by, at));
        });
  }

  private static void bump(Connection c) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement("UPDATE tool_pin_version SET version = version + 1 WHERE id = 1")) {
      p.executeUpdate();
    }
  }

  @Override
  public List<ToolPinRecord> list() {
    return db.query(
        "SELECT " + COLUMNS + " FROM tool_pin ORDER BY agent, server, tool, seen_at, fingerprint",
        JdbcToolPinStore::row);
  }

  @Override
  public long version() {
    return db.query("SELECT version FROM tool_pin_version WHERE id = 1", rs -> rs.getLong(1))
        .getFirst();
  }

  private static ToolPinRecord row(ResultSet rs) throws SQLException {
    String decidedAt = rs.getString(10);
    return new ToolPinRecord(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        rs.getString(4),
        rs.getString(5),
        ToolPinRecord.Status.parse(rs.getString(6)),
        concerns(rs.getString(7)),
        Instant.parse(rs.getString(8)),
        rs.getString(9),
        decidedAt == null ? null : Instant.parse(decidedAt));
  }

  private static List<String> concerns(String json) throws SQLException {
    try {
      JsonNode node = ApiJson.readTree(json);
      List<String> out = new ArrayList<>();
      node.forEach(n -> out.add(n.asText()));
      return out;
    } catch (InputException e) {
      throw new SQLException("a tool pin's concerns are not a JSON array: " + e.getMessage(), e);
    }
  }
}
