package dev.tollgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.api.Effect;
import dev.tollgate.api.Reason;
import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import dev.tollgate.store.jdbc.audit.AuditSigner;
import dev.tollgate.store.jdbc.audit.Checkpointer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tollgate audit}: verify, tail, search and export on a real embedded store. */
class AuditCommandTest {
  @TempDir Path data;

  @BeforeEach
  void writeALog() {
    try (JdbcStore store = JdbcStore.open(StoreConfig.sqlite(data))) {
      for (int i = 0; i < 5; i++) {
        store
            .audit()
            .append(
                List.of(
                    new AuditEntry(
                        Instant.parse("2026-11-24T10:00:0" + i + "Z"),
                        AuditEntry.Kind.DECISION,
                        i % 2 == 0 ? "invoice-bot" : "crm-bot",
                        "alice@acme.example",
                        "s-1",
                        i % 2 == 0 ? "email.send" : "crm.update",
                        i == 4 ? Effect.DENY : Effect.ALLOW,
                        "dec_" + i,
                        i == 4 ? List.of(new Reason("no-bulk", "too many")) : List.of(),
                        List.of(),
                        "sha256:00",
                        12,
                        Map.of())));
      }
      AuditSigner signer = AuditSigner.loadOrCreate(data);
      try (Checkpointer c =
          Checkpointer.start(store.audit(), signer, InstantSource.system(), Duration.ofHours(1))) {
        assertTrue(c.checkpointNow().isPresent());
        assertTrue(c.checkpointNow().isEmpty(), "nothing new to sign");
      }
    }
  }

  @Test
  void verifyPassesOnAnIntactLogAndNamesTheFirstModifiedRecord() throws Exception {
    CliTest.Run ok = CliTest.run("audit", "verify", "--data", data.toString());
    assertEquals(0, ok.code(), ok.out() + ok.err());
    assertTrue(ok.out().startsWith("ok: 5 records, 1 signed checkpoints"), ok.out());

    try (Connection c =
            DriverManager.getConnection("jdbc:sqlite:" + data.resolve(StoreConfig.SQLITE_FILE));
        Statement s = c.createStatement()) {
      s.executeUpdate("UPDATE audit SET entry = replace(entry, 'deny', 'allow') WHERE seq = 5");
      s.executeUpdate(
          "UPDATE audit SET entry = replace(entry, 'crm-bot', 'evil-bot') WHERE seq = 2");
    }
    CliTest.Run bad = CliTest.run("audit", "verify", "--data", data.toString());
    assertEquals(1, bad.code(), bad.out() + bad.err());
    assertTrue(bad.out().startsWith("TAMPERED: MODIFIED at record 2"), bad.out());
  }

  /**
   * A column beside the hashed entry, changed in the database: verify names the record and the
   * column, and a search by that column does not take the record for what the column claims.
   */
  @Test
  void verifyNamesAColumnChangedUnderItsEntry() throws Exception {
    try (Connection c =
            DriverManager.getConnection("jdbc:sqlite:" + data.resolve(StoreConfig.SQLITE_FILE));
        Statement s = c.createStatement()) {
      s.executeUpdate("UPDATE audit SET effect = 'allow' WHERE seq = 5");
    }
    CliTest.Run bad = CliTest.run("audit", "verify", "--data", data.toString());
    assertEquals(1, bad.code(), bad.out() + bad.err());
    assertEquals(
        "TAMPERED: COLUMN_MISMATCH at record 5: column effect is \"allow\" but the hashed entry"
            + " says \"deny\"\n",
        bad.out());

    CliTest.Run allowed =
        CliTest.run("audit", "search", "--effect", "allow", "--json", "--data", data.toString());
    assertEquals(0, allowed.code(), allowed.err());
    assertEquals(4, allowed.out().strip().lines().count(), allowed.out());
    assertFalse(allowed.out().contains("\"seq\":5,"), allowed.out());
  }

  @Test
  void tailSearchAndExportReadTheLog() {
    CliTest.Run tail = CliTest.run("audit", "tail", "-n", "2", "--data", data.toString());
    assertEquals(0, tail.code(), tail.err());
    assertEquals(2, tail.out().strip().lines().count(), tail.out());
    assertTrue(tail.out().contains("no-bulk"), tail.out());

    CliTest.Run search =
        CliTest.run("audit", "search", "--agent", "crm-bot", "--json", "--data", data.toString());
    assertEquals(2, search.out().strip().lines().count(), search.out());
    assertTrue(search.out().contains("\"tool\":\"crm.update\""), search.out());

    CliTest.Run window =
        CliTest.run("audit", "search", "--from", "2026-11-24T10:00:03Z", "--data", data.toString());
    assertEquals(2, window.out().strip().lines().count(), window.out());

    CliTest.Run export = CliTest.run("audit", "export", "--data", data.toString());
    assertEquals(5, export.out().strip().lines().count(), export.out());
    assertTrue(export.out().lines().allMatch(l -> l.startsWith("{\"seq\":")), export.out());

    assertEquals(
        3, CliTest.run("audit", "search", "--from", "yesterday", "--data", data.toString()).code());
    assertEquals(
        3, CliTest.run("audit", "tail", "--data", data.resolve("nothing").toString()).code());
  }
}
