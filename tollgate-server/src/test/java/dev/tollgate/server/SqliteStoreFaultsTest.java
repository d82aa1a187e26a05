package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.json.ApiJson;
import dev.tollgate.store.jdbc.StoreConfig;
import dev.tollgate.store.jdbc.StoreFaults;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded store's faults seen through the real server: a write lock held by another process
 * makes a decision a deny for "store unavailable" within the store's deadline, and a full disk
 * makes {@code /ready} answer 503 with the store's reason.
 */
class SqliteStoreFaultsTest {
  /** What the store may add to its deadline: the request around it, on a loaded machine. */
  private static final Duration SLACK = Duration.ofMillis(600);

  @TempDir Path data;
  private ServerFixture fixture;
  private Connection lockHolder;

  private void start() throws Exception {
    fixture = ServerFixture.sqlite(data);
  }

  @AfterEach
  void stop() throws Exception {
    if (lockHolder != null) {
      lockHolder.close();
    }
    if (fixture != null) {
      fixture.close();
    }
  }

  private HttpResponse<String> decide(String body) throws Exception {
    return fixture.post("/v1/decide", body);
  }

  private HttpResponse<String> ready() throws Exception {
    return fixture.get("/ready");
  }

  /**
   * Another process (a second JDBC connection, as the sqlite3 shell or a backup would) holds
   * SQLite's write lock: the decision cannot be recorded, so it is a deny that says the store is
   * unavailable, answered within the store's deadline (2 s) and not the deadline twice over (the
   * wait for the server's own writer lock and SQLite's busy timeout, one after the other, took 3.9
   * s). Once the lock is released, decisions are allowed again.
   */
  @Test
  void aWriteLockHeldElsewhereDeniesWithinTheDeadline() throws Exception {
    start();
    String action = "{\"user\":\"alice\",\"tool\":\"invoices.search\",\"args\":{}}";
    HttpResponse<String> before = decide(action);
    assertThat(ApiJson.readTree(before.body()).path("effect").asText()).isEqualTo("allow");

    lockHolder =
        DriverManager.getConnection("jdbc:sqlite:" + data.resolve(StoreConfig.SQLITE_FILE));
    try (Statement s = lockHolder.createStatement()) {
      s.execute("BEGIN IMMEDIATE");
    }
    long start = System.nanoTime();
    HttpResponse<String> locked = decide(action);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    System.out.printf("store deadline: a locked store answered a deny in %d ms%n", took.toMillis());

    assertThat(locked.statusCode()).as(locked.body()).isEqualTo(200);
    JsonNode d = ApiJson.readTree(locked.body());
    assertThat(d.path("effect").asText()).as(locked.body()).isEqualTo("deny");
    assertThat(d.path("reasons").path(0).path("message").asText()).startsWith("store unavailable");
    assertThat(took).isLessThan(StoreConfig.DEFAULT_DEADLINE.plus(SLACK));
    HttpResponse<String> notReady = ready();
    assertThat(notReady.statusCode()).as(notReady.body()).isEqualTo(503);

    try (Statement s = lockHolder.createStatement()) {
      s.execute("ROLLBACK");
    }
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (ready().statusCode() != 200) {
      assertThat(System.nanoTime()).as("/ready 200 again within 10 s").isLessThan(end);
    }
    HttpResponse<String> after = decide(action);
    assertThat(ApiJson.readTree(after.body()).path("effect").asText()).isEqualTo("allow");
  }

  /**
   * A full disk fails every write, so every decision, while reads still work: {@code /ready}
   * answers 503 and says why, in the store's words, so that a load balancer stops sending traffic
   * and an operator knows what to free.
   */
  @Test
  void aFullDiskMakesReadyAnswer503WithTheStoresReason() throws Exception {
    start();
    HttpResponse<String> fine = ready();
    assertThat(fine.statusCode()).as(fine.body()).isEqualTo(200);

    StoreFaults.fillDatabase(fixture.store);

    HttpResponse<String> full = ready();
    assertThat(full.statusCode()).as(full.body()).isEqualTo(503);
    JsonNode body = ApiJson.readTree(full.body());
    assertThat(body.path("status").asText()).isEqualTo("not ready");
    assertThat(body.path("store").path("ready").asBoolean(true)).isFalse();
    assertThat(body.path("store").path("detail").asText())
        .contains("writes fail")
        .containsIgnoringCase("full");
    HttpResponse<String> denied =
        decide("{\"user\":\"alice\",\"tool\":\"invoices.search\",\"args\":{}}");
    assertThat(ApiJson.readTree(denied.body()).path("effect").asText())
        .as(denied.body())
        .isEqualTo("deny");
  }
}
