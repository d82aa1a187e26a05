package dev.tollgate.store.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Versioned schema migrations: {@code migrations/<dialect>/V<n>__<name>.sql}, applied in order, at
 * most once each, recorded in {@code schema_version}. All of them run in one transaction under the
 * writer lock (SQLite) or a transaction-scoped advisory lock (PostgreSQL), so that instances
 * starting together apply each migration once.
 */
final class Migrations {

  /** Every migration, in order. A new one is added here and as a file per dialect. */
  static final List<String> ALL =
      List.of(
          "V1__init.sql",
          "V2__audit_decision.sql",
          "V3__approvals.sql",
          "V4__people.sql",
          "V5__session_results.sql",
          "V6__decision_requests.sql",
          "V7__approval_steps.sql",
          "V8__audit_decision_every_kind.sql",
          "V9__sessions_per_agent.sql",
          "V10__session_masked.sql",
          "V11__rate_counters.sql",
          "V12__rate_log.sql",
          "V13__tool_pins.sql");

  private static final long ADVISORY_LOCK = 0x746f6c6c67617465L; // "tollgate"

  private Migrations() {}

  /** Applies the missing migrations; returns the schema version now. */
  static int apply(Db db) {
    return db.write(
        c -> {
          try (Statement s = c.createStatement()) {
            if (db.dialect == Db.Dialect.POSTGRESQL) {
              s.execute("SELECT pg_advisory_xact_lock(" + ADVISORY_LOCK + ")");
            }
            s.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY,"
                    + " script TEXT NOT NULL, applied TEXT NOT NULL)");
          }
          int current = current(c);
          if (current > ALL.size()) {
            throw new IllegalStateException(
                "the store's schema is version "
                    + current
                    + " but this Tollgate knows only up to "
                    + ALL.size()
                    + ": upgrade Tollgate");
          }
          for (int v = current + 1; v <= ALL.size(); v++) {
            String script = ALL.get(v - 1);
            for (String sql : statements(read(db.dialect, script))) {
              try (Statement s = c.createStatement()) {
                s.execute(sql);
              }
            }
            try (PreparedStatement p =
                c.prepareStatement(
                    "INSERT INTO schema_version (version, script, applied) VALUES (?, ?, ?)")) {
              p.setInt(1, v);
              p.setString(2, script);
              p.setString(3, Instant.now().toString());
              p.executeUpdate();
            }
          }
          return ALL.size();
        });
  }

  private static int current(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static String read(Db.Dialect dialect, String script) {
    String path = "migrations/" + dialect.name().toLowerCase(Locale.ROOT) + "/" + script;
    try (InputStream in = Migrations.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing migration " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Splits a script on semicolons that end a line; drops {@code --} comment lines. */
  static List<String> statements(String script) {
    StringBuilder current = new StringBuilder();
    List<String> out = new ArrayList<>();
    boolean quoted = false; // inside a $$-quoted function body, whose lines end in `;` too
    for (String line : script.split("\n", -1)) {
      String t = line.strip();
      if (t.isEmpty() || (!quoted && t.startsWith("--"))) {
        continue;
      }
      current.append(line).append('\n');
      if (t.split("\\$\\$", -1).length % 2 == 0) {
        quoted = !quoted;
      }
      if (!quoted && t.endsWith(";")) {
        String sql = current.toString().strip();
        out.add(sql.substring(0, sql.length() - 1));
        current.setLength(0);
      }
    }
    if (!current.toString().isBlank()) {
      out.add(current.toString().strip());
    }
    return out;
  }
}
