package dev.tollgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Gate;
import dev.tollgate.client.TollgateClient;
import dev.tollgate.engine.Bundle;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Rates shared through PostgreSQL: two servers on one database count one agent's actions together,
 * exactly, however a concurrent burst is split between them; novelty learned on one server is known
 * on the other.
 */
class SharedRatesTest {
  static final String CATALOG =
      """
      tools:
        config.push: {kind: execute, external: false, control: [hosts]}
        payments.transfer: {kind: send, external: true, control: [payee]}
      """;
  static final String POLICIES =
      """
      policies:
        - name: push-limit
          match: {tools: ["config.push"]}
          when: count("agent", "config.push", "1h") > 7
          effect: deny
        - name: host-limit
          match: {tools: ["config.push"]}
          when: distinct("agent", "config.push", "hosts", "1h") > 9
          effect: ask
        - name: new-payee
          match: {tools: ["payments.transfer"]}
          when: novel("payee") && action.args.amount > 100
          effect: ask
      """;

  private EmbeddedPostgres postgres;
  private final List<JdbcStore> stores = new ArrayList<>();
  private final List<TollgateServer> servers = new ArrayList<>();
  private String token;

  @BeforeEach
  void start() throws Exception {
    postgres = EmbeddedPostgres.builder().start();
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE tollgate");
    }
    StoreConfig config =
        StoreConfig.postgres(
                "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/tollgate",
                "postgres",
                "postgres")
            .withDeadline(Duration.ofSeconds(10));
    Bundle bundle =
        Bundle.fromFiles(
            Map.of(
                "catalog.yaml",
                CATALOG,
                "policies.yaml",
                POLICIES,
                "agents.yaml",
                "defaults: {unprofiled: allow}\n"));
    for (int i = 0; i < 2; i++) {
      JdbcStore store = JdbcStore.open(config);
      stores.add(store);
      servers.add(
          TollgateServer.builder()
              .port(0)
              .store(store)
              .bundle(bundle)
              .fingerprintKey(ScaleOutTest.KEY)
              .start());
    }
    token = Tokens.newToken();
    stores.getFirst().credentials().add("ops-bot", Tokens.hash(token), Instant.now());
    admin = Tokens.newToken();
    stores
        .getFirst()
        .credentials()
        .add(TollgateServer.ADMIN_PREFIX, Tokens.hash(admin), Instant.now());
  }

  private String admin;
  private final java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();

  private java.net.http.HttpResponse<String> post(int server, String path, String body)
      throws Exception {
    return http.send(
        java.net.http.HttpRequest.newBuilder(servers.get(server).uri().resolve(path))
            .header("Authorization", "Bearer " + admin)
            .header("Content-Type", "application/json")
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
            .build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aPauseThroughOneServerHoldsOnTheOtherWithinASecondAndIsAudited() throws Exception {
    assertEquals(Effect.ALLOW, on(1).decide(pay("globex", 10)).effect());
    var paused =
        post(
            0,
            "/v1/pauses",
            "{\"scope\":\"agent\",\"agent\":\"ops-bot\",\"reason\":\"incident 12\"}");
    assertEquals(201, paused.statusCode(), paused.body());
    long start = System.nanoTime();
    Decision d;
    do {
      d = on(1).decide(pay("globex", 10));
    } while (d.effect() == Effect.ALLOW && System.nanoTime() - start < 3_000_000_000L);
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertEquals(Effect.DENY, d.effect());
    org.junit.jupiter.api.Assertions.assertTrue(millis < 1000, "seen on B after " + millis + " ms");
    org.junit.jupiter.api.Assertions.assertTrue(
        d.reasons().getFirst().message().contains("agent `ops-bot` is paused (incident 12)"),
        d.toString());
    var bad = post(0, "/v1/pauses", "{\"scope\":\"agent\"}");
    assertEquals(400, bad.statusCode(), bad.body());
    var resumed = post(1, "/v1/pauses/resume", "{\"scope\":\"agent\",\"agent\":\"ops-bot\"}");
    assertEquals(200, resumed.statusCode(), resumed.body());
    assertEquals(Effect.ALLOW, on(1).decide(pay("globex", 10)).effect());
    assertEquals(404, post(1, "/v1/pauses/resume", "{\"scope\":\"all\"}").statusCode());
    List<String> events =
        stores
            .getFirst()
            .audit()
            .search(
                new dev.tollgate.api.store.AuditQuery(
                    null,
                    null,
                    null,
                    null,
                    dev.tollgate.api.store.AuditEntry.Kind.PAUSE,
                    null,
                    null,
                    null,
                    0,
                    10))
            .stream()
            .map(r -> r.entry().detail().get("event") + " " + r.entry().agent())
            .toList();
    assertEquals(List.of("paused ops-bot", "resumed ops-bot"), events);
  }

  @AfterEach
  void stop() throws Exception {
    for (TollgateServer s : servers) {
      s.close();
    }
    for (JdbcStore s : stores) {
      s.close();
    }
    postgres.close();
  }

  private Gate on(int server) {
    return TollgateClient.connect(servers.get(server).uri(), "ops-bot", token);
  }

  private static Action push(String host) {
    return Action.of(null, "erin@acme.example", "config.push", Map.of("hosts", List.of(host)));
  }

  @Test
  void aBurstSplitAcrossTwoServersIsAllowedExactlyUpToTheLimit() throws Exception {
    List<Gate> gates = List.of(on(0), on(1));
    ExecutorService pool = Executors.newFixedThreadPool(16);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Decision>> decisions = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      Gate gate = gates.get(i % 2);
      String host = "web-" + (i % 4); // four hosts: the push limit binds, not the host limit
      decisions.add(
          pool.submit(
              () -> {
                go.await();
                return gate.decide(push(host));
              }));
    }
    go.countDown();
    int allowed = 0;
    int denied = 0;
    for (Future<Decision> f : decisions) {
      Decision d = f.get();
      allowed += d.effect() == Effect.ALLOW ? 1 : 0;
      denied += d.effect() == Effect.DENY ? 1 : 0;
    }
    pool.shutdown();
    assertEquals(7, allowed, "allowed across both servers");
    assertEquals(33, denied);
    // the denied ones did not count: one more push on either server is the eighth
    assertEquals(Effect.DENY, gates.get(1).decide(push("web-1")).effect());
  }

  @Test
  void distinctTargetsAndNoveltyAreSharedBetweenServers() {
    for (int i = 0; i < 7; i++) {
      assertEquals(Effect.ALLOW, on(i % 2).decide(push("h" + i)).effect());
    }
    // the eighth push: the push limit, counted across both servers
    assertEquals(Effect.DENY, on(0).decide(push("h-new")).effect());

    // a small payment on A is allowed, so A remembers the payee; B knows it
    assertEquals(Effect.ALLOW, on(0).decide(pay("globex", 10)).effect());
    assertEquals(Effect.ALLOW, on(1).decide(pay("globex", 5000)).effect());
    assertEquals(Effect.ASK, on(1).decide(pay("initech", 5000)).effect(), "a first payee asks");
    assertEquals(Effect.ASK, on(0).decide(pay("initech", 5000)).effect(), "asked: still new");
  }

  private static Action pay(String payee, int amount) {
    return Action.of(
        null, "erin@acme.example", "payments.transfer", Map.of("payee", payee, "amount", amount));
  }
}
