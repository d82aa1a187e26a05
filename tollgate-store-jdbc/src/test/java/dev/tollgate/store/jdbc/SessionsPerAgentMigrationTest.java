package dev.tollgate.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.store.ObservedResult;
import dev.tollgate.api.store.SessionRecord;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Migration 9 moves sessions stored under their bare id (and their results) to per-agent keys. */
class SessionsPerAgentMigrationTest {
  @TempDir Path dir;

  @Test
  void sessionsOfAnOlderStoreMoveToTheirAgentsKey() throws Exception {
    try (JdbcStore store = JdbcStore.open(StoreConfig.sqlite(dir))) {
      // as the engine wrote them before version 9: bare ids, and the ledger as ~memory/<agent>
      for (String id : List.of("s1", "~memory/bot")) {
        store
            .sessions()
            .create(
                new SessionRecord(
                    id, "bot", "alice", "req", Map.of(), List.of(), List.of(), Instant.now()));
        store
            .sessions()
            .addResult(
                id,
                new ObservedResult(
                    0, "web.fetch", ObservedResult.Trust.UNTRUSTED, List.of(), new byte[8]),
                10);
      }
    }
    try (Connection c =
            DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(StoreConfig.SQLITE_FILE));
        Statement s = c.createStatement()) {
      s.executeUpdate("DELETE FROM schema_version WHERE version >= 9");
      s.executeUpdate("ALTER TABLE session DROP COLUMN masked"); // added by version 10
    }
    for (int run = 0; run < 2; run++) {
      try (JdbcStore store = JdbcStore.open(StoreConfig.sqlite(dir))) {
        assertThat(store.sessions().get("s1")).isEmpty();
        assertThat(store.sessions().get("bot/s1").orElseThrow().user()).isEqualTo("alice");
        assertThat(store.sessions().results("bot/s1", 0)).hasSize(1);
        assertThat(store.sessions().get("bot/~memory")).isPresent();
        assertThat(store.sessions().results("bot/~memory", 0)).hasSize(1);
      }
      try (Connection c =
              DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(StoreConfig.SQLITE_FILE));
          Statement s = c.createStatement()) {
        // a second run of the migration changes nothing
        s.executeUpdate("DELETE FROM schema_version WHERE version >= 9");
        s.executeUpdate("ALTER TABLE session DROP COLUMN masked"); // added by version 10
      }
    }
  }
}
