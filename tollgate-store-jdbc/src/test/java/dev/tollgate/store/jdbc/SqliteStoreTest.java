package dev.tollgate.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.api.store.AuditRecord;
import dev.tollgate.api.store.Store;
import dev.tollgate.store.jdbc.audit.AuditChain;
import dev.tollgate.store.jdbc.audit.AuditSigner;
import dev.tollgate.store.jdbc.audit.AuditVerifier;
import dev.tollgate.store.jdbc.audit.AuditVerifier.Problem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on the embedded SQLite store. */
class SqliteStoreTest extends StoreContractTest {

  @TempDir Path dir;
  private Connection lockHolder;

  @Override
  StoreConfig config() {
    return StoreConfig.sqlite(dir);
  }

  /** Another process holds the write lock: writes cannot be made within the deadline. */
  @Override
  void breakStore() throws Exception {
    lockHolder = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(StoreConfig.SQLITE_FILE));
    try (Statement s = lockHolder.createStatement()) {
      s.execute("BEGIN EXCLUSIVE");
    }
  }

  @Override
  void repairStore() throws Exception {
    try (Statement s = lockHolder.createStatement()) {
      s.execute("ROLLBACK");
    }
    lockHolder.close();
  }

  /**
   * A full disk fails every write (every decision then), while reads and empty transactions still
   * work: readiness must say so. The database is capped at its current size, which SQLite reports
   * as a full disk (SQLITE_FULL), the same as a disk that has no room left.
   */
  @Test
  void aFullDiskMakesTheStoreNotReadyAndSaysWhy() throws Exception {
    JdbcStore store = (JdbcStore) open();
    assertThat(store.readiness().ready()).isTrue();
    StoreFaults.fillDatabase(store);
    assertThatThrownBy(() -> store.audit().append(List.of(entry(1), entry(2))))
        .isInstanceOf(dev.tollgate.api.store.StoreUnavailableException.class);
    Store.Readiness r = store.readiness();
    assertThat(r.ready()).isFalse();
    assertThat(r.detail()).contains("writes fail").containsIgnoringCase("full");
    assertThat(store.ready()).isFalse();
  }

  /**
   * Concurrent appends that share a failing transaction (a full disk) all fail, and none of their
   * records is left behind: the chain is what it was, and still verifies.
   */
  @Test
  void concurrentAppendsOnAFullDiskAllFailAndLeaveTheChainIntact() throws Exception {
    JdbcStore store = (JdbcStore) open();
    store.audit().append(List.of(entry(1), entry(2), entry(3)));
    StoreFaults.fillDatabase(store);
    List<Boolean> failed =
        inParallel(
            16,
            () -> {
              try {
                store.audit().append(List.of(entry(10), entry(11)));
                return false;
              } catch (dev.tollgate.api.store.StoreUnavailableException e) {
                return true;
              }
            });
    assertThat(failed).containsOnly(true);
    List<dev.tollgate.api.store.AuditRecord> stored = all(store);
    assertThat(stored)
        .extracting(dev.tollgate.api.store.AuditRecord::seq)
        .containsExactly(1L, 2L, 3L);
    var result =
        dev.tollgate.store.jdbc.audit.AuditVerifier.verify(
            stored, List.of(), dev.tollgate.store.jdbc.audit.AuditSigner.generate().publicKey());
    assertThat(result.ok()).as(result.message()).isTrue();
    assertThat(store.audit().head().orElseThrow().seq()).isEqualTo(3);
  }

  /**
   * The database holds password hashes, CSRF tokens and the requests of sessions: a missing data
   * directory is created 0700 and the database 0600 before SQLite opens it, so that its write-ahead
   * log and shared-memory files, which SQLite creates with the database's mode, are 0600 too.
   */
  @Test
  void aNewDataDirectoryAndEveryFileOfTheDatabaseAreOwnerOnly() throws Exception {
    Path data = dir.resolve("nested").resolve("data");
    try (Store store = JdbcStore.open(StoreConfig.sqlite(data))) {
      store.credentials().add("bot", "sha256:" + "1".repeat(64), java.time.Instant.now());
      assertThat(store.credentials().agentFor("sha256:" + "1".repeat(64))).contains("bot");
      assertThat(mode(data)).isEqualTo("rwx------");
      List<String> files = new ArrayList<>();
      try (var list = Files.list(data)) {
        list.forEach(f -> files.add(f.getFileName() + " " + mode(f)));
      }
      assertThat(files)
          .contains(
              "tollgate.db rw-------", "tollgate.db-wal rw-------", "tollgate.db-shm rw-------")
          .allMatch(f -> f.endsWith(" rw-------"));
    }
  }

  private static String mode(Path p) {
    try {
      return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private void tamper(String sql) throws Exception {
    try (Connection c =
            DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(StoreConfig.SQLITE_FILE));
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /**
   * Readers keep their prepared statements (preparing was most of a lookup's cost) but never a read
   * snapshot: a revocation is seen by the next lookup, SQL past the cache's bound still runs, and a
   * checkpoint can move the whole write-ahead log into the database while the statements stay
   * cached.
   */
  @Test
  void cachedStatementsSeeEveryWriteAndHoldNoSnapshot() throws Exception {
    Store store = open();
    String token = AuditChain.sha256("token");
    store.credentials().add("bot", token, T0);
    for (int i = 0; i < 100; i++) {
      assertThat(store.credentials().agentFor(token)).contains("bot");
    }
    store.credentials().revoke("bot");
    assertThat(store.credentials().agentFor(token)).isEmpty();
    store.audit().append(List.of(entry(1), entry(2)));

    try (Db db = new Db(config())) {
      for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 150; i++) {
          int n = i;
          assertThat(db.query("SELECT ? + " + n, rs -> rs.getInt(1), 1)).containsExactly(n + 1);
        }
      }
      try (Connection c =
              DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(StoreConfig.SQLITE_FILE));
          Statement s = c.createStatement();
          java.sql.ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).as("checkpoint blocked by a reader's snapshot").isZero();
      }
      assertThat(store.credentials().agentFor(token)).isEmpty();
    }
  }

  @Test
  void verifyFindsTamperingInTheDatabaseFile() throws Exception {
    AuditSigner signer = AuditSigner.loadOrCreate(dir.resolve("keys"));
    Store store = open();
    List<AuditRecord> records = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      records.addAll(store.audit().append(List.of(entry(i))));
    }
    AuditRecord at8 = records.get(7);
    store.audit().addCheckpoint(signer.sign(8, at8.hash(), T0));
    assertThat(AuditVerifier.verify(store.audit(), signer.publicKey()).ok()).isTrue();

    tamper(
        "UPDATE audit SET entry = replace(entry, '\"effect\":\"allow\"',"
            + " '\"effect\":\"deny\"') WHERE seq = 3");
    AuditVerifier.Result modified = AuditVerifier.verify(store.audit(), signer.publicKey());
    assertThat(modified.problem()).isEqualTo(Problem.MODIFIED);
    assertThat(modified.seq()).isEqualTo(3);

    tamper("UPDATE audit SET entry = '" + canonical(records.get(2)) + "' WHERE seq = 3");
    tamper("DELETE FROM audit WHERE seq = 5");
    AuditVerifier.Result deleted = AuditVerifier.verify(store.audit(), signer.publicKey());
    assertThat(deleted.problem()).isEqualTo(Problem.DELETED);
    assertThat(deleted.seq()).isEqualTo(5);

    tamper("DELETE FROM audit WHERE seq >= 5");
    AuditVerifier.Result truncated = AuditVerifier.verify(store.audit(), signer.publicKey());
    assertThat(truncated.problem()).isEqualTo(Problem.TRUNCATED);
    assertThat(truncated.seq()).isEqualTo(5);
    assertThat(truncated.message()).contains("records 5..8 were removed");
  }

  /**
   * A store written by the first schema, with records, upgrades in place and keeps its chain: its
   * decision column is filled in from each entry, for decisions and for the observations and
   * approval events that name one, and it verifies.
   */
  @Test
  void aVersionOneStoreUpgradesAndFindsItsDecisionsById() throws Exception {
    AuditRecord first = AuditChain.link(1, entry(1), AuditChain.GENESIS);
    AuditRecord second = AuditChain.link(2, entry(2), first.hash());
    AuditEntry observed =
        new AuditEntry(
            T0.plusSeconds(3),
            AuditEntry.Kind.OBSERVE,
            "bot",
            null,
            "s-2",
            "invoices.search",
            null,
            "d-2",
            List.of(),
            List.of(),
            null,
            0,
            Map.of("labels", List.of("financial")));
    AuditRecord third = AuditChain.link(3, observed, second.hash());
    try (Connection c =
            DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(StoreConfig.SQLITE_FILE));
        Statement s = c.createStatement()) {
      String v1;
      try (var in = Migrations.class.getResourceAsStream("migrations/sqlite/V1__init.sql")) {
        v1 = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      }
      for (String sql : Migrations.statements(v1)) {
        s.execute(sql);
      }
      s.execute(
          "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, script TEXT NOT NULL,"
              + " applied TEXT NOT NULL)");
      s.execute("INSERT INTO schema_version VALUES (1, 'V1__init.sql', '2026-11-01T00:00:00Z')");
      // as the version 1 writer wrote them: the columns from the entry, no decision column yet
      try (PreparedStatement p =
          c.prepareStatement(
              "INSERT INTO audit (seq, time, kind, agent, user_name, session, tool, effect, entry,"
                  + " prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        for (AuditRecord r : List.of(first, second, third)) {
          AuditEntry e = r.entry();
          p.setLong(1, r.seq());
          p.setString(2, AuditChain.time(e.time()));
          p.setString(3, e.kind().wireName());
          p.setString(4, e.agent());
          p.setString(5, e.user());
          p.setString(6, e.session());
          p.setString(7, e.tool());
          p.setString(8, e.effect() == null ? null : e.effect().wireName());
          p.setString(9, AuditChain.canonicalEntry(e));
          p.setString(10, r.prevHash());
          p.setString(11, r.hash());
          p.executeUpdate();
        }
      }
      s.execute("UPDATE audit_head SET seq = 3, hash = '" + third.hash() + "' WHERE id = 1");
    }
    Store store = open();
    assertThat(store.audit().search(dev.tollgate.api.store.AuditQuery.decision("d-2")))
        .extracting(AuditRecord::seq)
        .containsExactly(2L);
    assertThat(
            store
                .audit()
                .search(
                    new dev.tollgate.api.store.AuditQuery(
                        null, null, null, null, null, "d-2", null, null, 0, 10)))
        .extracting(AuditRecord::seq)
        .containsExactly(2L, 3L);
    store.audit().append(List.of(entry(4)));
    assertThat(store.audit().search(dev.tollgate.api.store.AuditQuery.decision("d-4")))
        .extracting(AuditRecord::seq)
        .containsExactly(4L);
    AuditSigner signer = AuditSigner.loadOrCreate(dir.resolve("keys"));
    AuditVerifier.Result verified = AuditVerifier.verify(store.audit(), signer.publicKey());
    assertThat(verified.ok()).as(verified.message()).isTrue();
  }

  private static String canonical(AuditRecord r) {
    return AuditChain.canonicalEntry(r.entry()).replace("'", "''");
  }
}
