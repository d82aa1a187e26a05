package dev.tollgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.api.Action;
import dev.tollgate.api.Effect;
import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.api.store.AuditRecord;
import dev.tollgate.client.TollgateClient;
import dev.tollgate.engine.PolicyDirectory.Outcome;
import dev.tollgate.json.ApiJson;
import dev.tollgate.server.ReloadRecorder.Heard;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Policies reload on file change and on an admin call, keeping the last good set. */
class ReloadTest {
  @TempDir Path data;
  @TempDir Path policies;
  private JdbcStore store;
  private TollgateServer server;
  private TollgateClient agent;
  private String admin;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ReloadRecorder reloads = new ReloadRecorder();

  private static final String DENY_PAYMENTS =
      "policies:\n  - name: deny-payments\n    match: {tools: [\"payments.*\"]}\n"
          + "    effect: deny\n";
  private static final String ASK_PAYMENTS =
      "policies:\n  - name: ask-payments\n    match: {tools: [\"payments.*\"]}\n"
          + "    effect: ask\n";

  @BeforeEach
  void start() throws Exception {
    Files.writeString(policies.resolve("payments.yaml"), DENY_PAYMENTS);
    Files.writeString(policies.resolve("agents.yaml"), "agents:\n  pay-bot: {tools: ['*']}\n");
    store = JdbcStore.open(StoreConfig.sqlite(data));
    String token = Tokens.newToken();
    store.credentials().add("pay-bot", Tokens.hash(token), Instant.now());
    admin = Tokens.newToken();
    store.credentials().add(TollgateServer.ADMIN_PREFIX, Tokens.hash(admin), Instant.now());
    server =
        TollgateServer.builder()
            .port(0)
            .store(store)
            .policies(policies)
            .reloadListener(reloads)
            .start();
    agent = TollgateClient.connect(server.uri(), "pay-bot", token);
  }

  @AfterEach
  void stop() {
    server.close();
    store.close();
  }

  private Effect payment() {
    return agent.decide(Action.of(null, "u", "payments.send", Map.of())).effect();
  }

  private List<AuditRecord> reloadRecords() {
    return store.audit().search(AuditQuery.after(0, 1000)).stream()
        .filter(r -> r.entry().kind().wireName().equals("reload"))
        .toList();
  }

  @Test
  void aChangedFileIsPickedUpAndABrokenOneKeepsTheLastGoodSet() throws Exception {
    assertEquals(Effect.DENY, payment());
    int mark = reloads.seen();
    Files.writeString(policies.resolve("payments.yaml"), ASK_PAYMENTS);
    reloads.await(mark, r -> r.outcome() == Outcome.LOADED, "the edited policy is loaded");
    assertEquals(Effect.ASK, payment(), "the edited policy is in force");
    assertTrue(
        reloadRecords().stream().anyMatch(r -> "loaded".equals(r.entry().detail().get("outcome"))),
        "the reload is audited");

    mark = reloads.seen();
    Files.writeString(policies.resolve("payments.yaml"), "policies:\n  - name: [broken\n");
    reloads.await(mark, r -> r.outcome() == Outcome.REFUSED, "the broken file is refused");
    assertTrue(
        reloadRecords().stream().anyMatch(r -> r.entry().detail().containsKey("refused")),
        "the refused reload is audited");
    assertEquals(Effect.ASK, payment(), "the last good set stays");
  }

  /**
   * A deploy while the store is down (SQLite's write lock held by another connection, as a backup
   * or the sqlite3 shell would): the load and the refusal cannot be audited then, and are not lost:
   * they wait, and are written in order, with the time they happened, once the store is back.
   */
  @Test
  void reloadsWhileTheStoreIsDownAreAuditedOnceItIsBack() throws Exception {
    int before = reloadRecords().size();
    int mark = reloads.seen();
    Instant unlocked;
    try (Connection lockHolder = lockStore()) {
      Files.writeString(policies.resolve("payments.yaml"), ASK_PAYMENTS);
      Heard loaded =
          reloads.await(mark, r -> r.outcome() == Outcome.LOADED, "the edited policy is loaded");
      assertFalse(loaded.recorded(), "the store took a record while it was locked");
      mark = reloads.seen();
      Files.writeString(policies.resolve("payments.yaml"), "policies:\n  - name: [broken\n");
      Heard refused =
          reloads.await(mark, r -> r.outcome() == Outcome.REFUSED, "the broken file is refused");
      assertFalse(refused.recorded());

      JsonNode waiting = ready().path("bundle").path("reloadRecords");
      assertTrue(waiting.path("waiting").asInt() >= 2, waiting.toString());
      assertEquals(0, waiting.path("dropped").asInt(), waiting.toString());
      assertTrue(
          server.metricsText().contains("tollgate_reload_records_waiting "), server.metricsText());
      unlocked = Instant.now();
      try (Statement s = lockHolder.createStatement()) {
        s.execute("ROLLBACK");
      }
    }
    reloads.awaitWritten(2, "the waiting reload records are written");

    // read once: a late refusal (a file caught half-written) may land between two reads
    List<AuditRecord> all = reloadRecords();
    List<AuditRecord> written = all.subList(before, all.size());
    List<Object> outcomes = written.stream().map(r -> r.entry().detail().get("outcome")).toList();
    // A file caught half-written may add a refusal of its own; the load and the refusal are there,
    // in the order they happened.
    assertTrue(outcomes.contains("loaded"), outcomes.toString());
    assertEquals("refused", outcomes.get(outcomes.size() - 1), outcomes.toString());
    assertTrue(outcomes.indexOf("loaded") < outcomes.size() - 1, outcomes.toString());
    for (AuditRecord r : written) {
      assertEquals(true, r.entry().detail().get("delayed"), r.entry().toString());
      assertTrue(r.entry().time().isBefore(unlocked), "dated when it happened: " + r.entry());
    }
    for (int i = 1; i < written.size(); i++) {
      assertFalse(
          written.get(i - 1).entry().time().isAfter(written.get(i).entry().time()),
          "each record keeps the time its reload happened, in order: " + written);
    }
    JsonNode after = ready().path("bundle").path("reloadRecords");
    assertEquals(0, after.path("waiting").asInt(), after.toString());
    assertTrue(server.metricsText().contains("tollgate_reload_records_waiting 0"));
    assertEquals(Effect.ASK, payment(), "the last good set stays, and decides again");
  }

  /**
   * At most the configured number of reload records wait; past it the oldest are dropped, and that
   * is said: counted in /ready and /metrics, and summed up in a record written ahead of the rest. A
   * reload that repeats the last waiting one (a held deploy retried) is counted on it instead.
   */
  @Test
  void pastTheBoundTheOldestWaitingRecordsAreDroppedAndSaidSo() throws Exception {
    server.close();
    server =
        TollgateServer.builder()
            .port(0)
            .store(store)
            .policies(policies)
            .watch(false)
            .reloadListener(reloads)
            .waitingReloadRecords(2)
            .start();
    int before = reloadRecords().size();
    try (Connection lockHolder = lockStore()) {
      // Four loads, each a record unlike the one before: with room for two, the oldest go.
      for (String text : List.of(ASK_PAYMENTS, DENY_PAYMENTS, ASK_PAYMENTS, DENY_PAYMENTS)) {
        Files.writeString(policies.resolve("payments.yaml"), text);
        assertEquals(List.of(), server.reload());
      }
      // The same refusal three times: one record, counted three times (it pushes out a third).
      Files.writeString(policies.resolve("payments.yaml"), "policies:\n  - name: [broken\n");
      for (int i = 0; i < 3; i++) {
        assertEquals(1, server.reload().size());
      }
      JsonNode counts = ready().path("bundle").path("reloadRecords");
      assertEquals(3, counts.path("dropped").asInt(), counts.toString());
      assertEquals(3, counts.path("waiting").asInt(), "two and the summary: " + counts);
      assertTrue(
          server.metricsText().contains("tollgate_reload_records_dropped_total 3"),
          server.metricsText());
      try (Statement s = lockHolder.createStatement()) {
        s.execute("ROLLBACK");
      }
    }
    reloads.awaitWritten(3, "the summary and the two kept records are written");

    // read once: a late refusal (a file caught half-written) may land between two reads
    List<AuditRecord> all = reloadRecords();
    List<AuditRecord> written = all.subList(before, all.size());
    assertEquals(3, written.size(), written.toString());
    Map<String, Object> summary = written.get(0).entry().detail();
    assertEquals("dropped", summary.get("outcome"), summary.toString());
    assertEquals(3, ((Number) summary.get("dropped")).intValue(), summary.toString());
    assertEquals("{loaded=3}", String.valueOf(summary.get("outcomes")), summary.toString());
    assertEquals("loaded", written.get(1).entry().detail().get("outcome"));
    Map<String, Object> repeated = written.get(2).entry().detail();
    assertEquals("refused", repeated.get("outcome"), repeated.toString());
    assertEquals(3, ((Number) repeated.get("repeated")).intValue(), repeated.toString());
    assertTrue(server.metricsText().contains("tollgate_reload_records_dropped_total 3"));
  }

  /** Holds SQLite's write lock from a second connection until it is rolled back or closed. */
  private Connection lockStore() throws Exception {
    Connection c =
        DriverManager.getConnection("jdbc:sqlite:" + data.resolve(StoreConfig.SQLITE_FILE));
    try (Statement s = c.createStatement()) {
      s.execute("BEGIN IMMEDIATE");
    }
    return c;
  }

  private JsonNode ready() throws Exception {
    return ApiJson.readTree(
        http.send(
                HttpRequest.newBuilder(server.uri().resolve("/ready"))
                    .timeout(Duration.ofSeconds(30))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body());
  }

  @Test
  void anAdminCanReloadAndAnAgentCannot() throws Exception {
    server.close();
    server =
        TollgateServer.builder()
            .port(0)
            .store(store)
            .policies(policies)
            .watch(false)
            .reloadListener(reloads)
            .start();
    agent = TollgateClient.connect(server.uri(), "pay-bot", agentToken());
    Files.writeString(policies.resolve("payments.yaml"), ASK_PAYMENTS);
    assertEquals(Effect.DENY, payment(), "no watching: nothing changes by itself");

    HttpResponse<String> ok = reload(admin);
    assertEquals(200, ok.statusCode(), ok.body());
    assertEquals(1, ApiJson.readTree(ok.body()).path("policies").asInt());
    assertEquals(Effect.ASK, payment());

    Files.writeString(policies.resolve("payments.yaml"), "policies:\n  - name: x\n");
    HttpResponse<String> refused = reload(admin);
    assertEquals(422, refused.statusCode(), refused.body());
    assertTrue(refused.body().contains("missing key `effect`"), refused.body());
    assertEquals(Effect.ASK, payment());

    assertEquals(403, reload(agentToken()).statusCode());
    assertEquals(401, reload("tg_nobody").statusCode());
    HttpResponse<String> adminAsAgent =
        http.send(
            HttpRequest.newBuilder(server.uri().resolve("/v1/decide"))
                .header("Authorization", "Bearer " + admin)
                .POST(HttpRequest.BodyPublishers.ofString("{\"tool\":\"payments.send\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(403, adminAsAgent.statusCode(), adminAsAgent.body());
  }

  private String agentTokenValue;

  private String agentToken() {
    if (agentTokenValue == null) {
      agentTokenValue = Tokens.newToken();
      store.credentials().add("pay-bot", Tokens.hash(agentTokenValue), Instant.now());
    }
    return agentTokenValue;
  }

  private HttpResponse<String> reload(String token) throws Exception {
    return http.send(
        HttpRequest.newBuilder(server.uri().resolve("/v1/admin/reload"))
            .header("Authorization", "Bearer " + token)
            .POST(HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
