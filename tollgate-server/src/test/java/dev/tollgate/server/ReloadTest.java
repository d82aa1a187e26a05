package dev.tollgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.api.Action;
import dev.tollgate.api.Effect;
import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.api.store.AuditRecord;
import dev.tollgate.client.TollgateClient;
import dev.tollgate.engine.Json;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
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
    server = TollgateServer.builder().port(0).store(store).policies(policies).start();
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

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      // Sleep rather than spin: on a 2-core machine running the whole suite, a spinning test
      // thread takes the core the watcher and the audit writer need.
      Thread.sleep(20);
    }
  }

  private List<AuditRecord> reloads() {
    return store.audit().search(AuditQuery.after(0, 1000)).stream()
        .filter(r -> r.entry().kind().equals("reload"))
        .toList();
  }

  @Test
  void aChangedFileIsPickedUpAndABrokenOneKeepsTheLastGoodSet() throws Exception {
    assertEquals(Effect.DENY, payment());
    Files.writeString(policies.resolve("payments.yaml"), ASK_PAYMENTS);
    await(() -> payment() == Effect.ASK, "the edited policy is in force");
    await(() -> reloads().size() >= 1, "the reload is audited");

    Files.writeString(policies.resolve("payments.yaml"), "policies:\n  - name: [broken\n");
    await(
        () -> reloads().stream().anyMatch(r -> r.entry().detail().containsKey("refused")),
        "the refused reload is audited");
    assertEquals(Effect.ASK, payment(), "the last good set stays");
  }

  @Test
  void anAdminCanReloadAndAnAgentCannot() throws Exception {
    server.close();
    server = TollgateServer.builder().port(0).store(store).policies(policies).watch(false).start();
    agent = TollgateClient.connect(server.uri(), "pay-bot", agentToken());
    Files.writeString(policies.resolve("payments.yaml"), ASK_PAYMENTS);
    assertEquals(Effect.DENY, payment(), "no watching: nothing changes by itself");

    HttpResponse<String> ok = reload(admin);
    assertEquals(200, ok.statusCode(), ok.body());
    assertEquals(1, Json.readTree(ok.body()).path("policies").asInt());
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
