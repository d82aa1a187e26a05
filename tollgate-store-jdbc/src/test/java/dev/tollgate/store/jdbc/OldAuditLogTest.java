package dev.tollgate.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.api.store.AuditRecord;
import dev.tollgate.store.jdbc.audit.AuditSigner;
import dev.tollgate.store.jdbc.audit.AuditVerifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An audit log that the store wrote at 96a9bcb, before the canonical encoding moved to
 * tollgate-json ({@code src/test/resources/audit-96a9bcb}: the SQLite file, the checkpoints' public
 * key and each record's hash as written then). It still verifies, both as stored and as read back
 * and encoded again, and the chain goes on from it.
 */
class OldAuditLogTest {
  private static final Path WRITTEN = Path.of("src/test/resources/audit-96a9bcb");

  @TempDir Path dir;

  @Test
  void aLogWrittenBeforeTheCodecMovedStillVerifiesAndGoesOn() throws Exception {
    Files.copy(WRITTEN.resolve(StoreConfig.SQLITE_FILE), dir.resolve(StoreConfig.SQLITE_FILE));
    PublicKey key = AuditSigner.readPublicKey(WRITTEN.resolve(AuditSigner.PUBLIC_FILE));
    try (JdbcStore store = JdbcStore.open(StoreConfig.sqlite(dir))) {
      AuditVerifier.Result asStored = AuditVerifier.verify(store.audit(), key);
      assertThat(asStored.ok()).as(asStored.message()).isTrue();
      assertThat(asStored.records()).isEqualTo(27);
      assertThat(asStored.checkpoints()).isEqualTo(2);

      List<AuditRecord> read = store.audit().search(AuditQuery.after(0, 100));
      List<String> hashes =
          Files.readAllLines(WRITTEN.resolve("hashes.txt"), StandardCharsets.UTF_8);
      assertThat(read).hasSize(hashes.size());
      for (int i = 0; i < read.size(); i++) {
        assertThat(read.get(i).seq() + " " + read.get(i).hash()).isEqualTo(hashes.get(i));
      }
      // read back into entries and encoded again: the bytes that were hashed
      AuditVerifier.Result reencoded = AuditVerifier.verify(read, store.audit().checkpoints(), key);
      assertThat(reencoded.ok()).as(reencoded.message()).isTrue();

      store
          .audit()
          .append(
              List.of(
                  new AuditEntry(
                      Instant.parse("2026-12-05T10:00:00Z"),
                      AuditEntry.Kind.SESSION,
                      "bot",
                      null,
                      "s-2",
                      null,
                      null,
                      null,
                      List.of(),
                      List.of(),
                      null,
                      0,
                      Map.of("labels", List.of("personal")))));
      AuditVerifier.Result goneOn = AuditVerifier.verify(store.audit(), key);
      assertThat(goneOn.ok()).as(goneOn.message()).isTrue();
      assertThat(goneOn.records()).isEqualTo(28);
    }
  }
}
