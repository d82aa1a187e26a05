package dev.tollgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.SessionSpec;
import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.api.store.AuditRecord;
import dev.tollgate.client.TollgateClient;
import dev.tollgate.engine.Bundle;
import dev.tollgate.json.ApiJson;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code requestId} over HTTP on the SQLite store: a retry after a lost reply gets the same
 * decision, uses no second grant use and leaves one decision record (and one retry record) in the
 * audit; a request id reused for another action is a 409, an invalid one a 400.
 */
class RequestIdApiTest {
  @TempDir Path data;
  private final AtomicReference<Instant> now =
      new AtomicReference<>(Instant.parse("2026-11-24T12:00:00Z"));
  private JdbcStore store;
  private TollgateServer server;
  private String token;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    store = JdbcStore.open(StoreConfig.sqlite(data));
    token = Tokens.newToken();
    store.credentials().add("mail-bot", Tokens.hash(token), Instant.now());
    server =
        TollgateServer.builder()
            .port(0)
            .store(store)
            .clock(now::get)
            .bundle(Bundle.load(ApprovalsApiTest.BUNDLE))
            .start();
  }

  @AfterEach
  void stop() {
    server.close();
    store.close();
  }

  private TollgateClient agent() {
    return TollgateClient.connect(server.uri(), "mail-bot", token);
  }

  private static Action send(String session, String body, String requestId) {
    return new Action(
        session,
        "alice@acme.example",
        "email.send",
        Map.of("to", List.of("ap@globex.example"), "body", body),
        null,
        requestId);
  }

  private HttpResponse<String> decide(String json) throws Exception {
    return http.send(
        HttpRequest.newBuilder(server.uri().resolve("/v1/decide"))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private List<AuditRecord> audit(String kind) {
    return store.audit().search(AuditQuery.after(0, 1000)).stream()
        .filter(r -> r.entry().kind().wireName().equals(kind))
        .toList();
  }

  @Test
  void aRetriedCallOfAOneUseGrantIsDecidedOnceAndAuditedOnce() throws Exception {
    String s = agent().openSession(SessionSpec.of("alice@acme.example", "Mail Globex"));
    Decision asked = agent().decide(send(s, "W-9 please", null));
    assertEquals(Effect.ASK, asked.effect());
    String grant =
        server.engine().approvals().approve(asked.approval().id(), "carol", null, "ok").grant();

    Decision first = agent().decide(send(s, "W-9 please", "r1"));
    assertEquals(Effect.ALLOW, first.effect(), first.toString());
    assertEquals(grant, first.grant());
    // The reply was lost: the agent sends the same call again, a minute later.
    now.set(now.get().plusSeconds(60));
    Decision retry = agent().decide(send(s, "W-9 please", "r1"));
    assertEquals(first, retry);
    assertEquals(0, server.engine().approvals().grant(grant).orElseThrow().usesLeft());
    Decision next = agent().decide(send(s, "W-9 please", "r2"));
    assertEquals(Effect.ASK, next.effect(), "no grant use left for a new call");

    List<AuditRecord> forR1 =
        audit("decision").stream()
            .filter(r -> "r1".equals(r.entry().detail().get("requestId")))
            .toList();
    assertEquals(1, forR1.size(), forR1.toString());
    assertEquals(first.id(), forR1.getFirst().entry().decision());
    List<AuditRecord> retries = audit("retry");
    assertEquals(1, retries.size(), retries.toString());
    assertEquals(first.id(), retries.getFirst().entry().decision());
    assertEquals("allow", retries.getFirst().entry().detail().get("effect"));
    assertEquals(grant, retries.getFirst().entry().detail().get("grant"));
    assertEquals(
        1,
        store.audit().search(AuditQuery.after(0, 1000)).stream()
            .filter(r -> "grant.used".equals(r.entry().detail().get("event")))
            .count());
    // The decision read back is the one recorded when it was decided.
    assertEquals(grant, agent().decision(first.id()).orElseThrow().grant());
  }

  @Test
  void aRequestIdReusedForAnotherActionIsAConflictAndAnInvalidOneABadRequest() throws Exception {
    String s = agent().openSession(SessionSpec.of("alice@acme.example", "Mail Globex"));
    Decision first = agent().decide(send(s, "one", "r-7"));
    HttpResponse<String> reused =
        decide(
            "{\"session\":\""
                + s
                + "\",\"user\":\"alice@acme.example\",\"tool\":\"email.send\",\"args\":{\"to\":"
                + "[\"ap@globex.example\"],\"body\":\"two\"},\"requestId\":\"r-7\"}");
    assertEquals(409, reused.statusCode(), reused.body());
    JsonNode error = ApiJson.readTree(reused.body()).path("error");
    assertEquals("conflict", error.path("code").asText());
    assertEquals("/requestId", error.path("field").asText());
    assertTrue(
        error.path("message").asText().contains("was already used for a different action"),
        reused.body());
    // Recorded once, by the engine (as for a library user), not again by the server.
    List<AuditRecord> rejected = audit("rejected");
    assertEquals(1, rejected.size());
    assertEquals("request_id_reused", rejected.getFirst().entry().detail().get("code"));
    assertEquals("/requestId", rejected.getFirst().entry().detail().get("field"));
    assertEquals(first, agent().decide(send(s, "one", "r-7")), "the first call's decision stands");

    for (String bad : List.of("", "has space", "x".repeat(129), "caf\\u00e9")) {
      HttpResponse<String> r =
          decide("{\"tool\":\"email.send\",\"args\":{},\"requestId\":\"" + bad + "\"}");
      assertEquals(400, r.statusCode(), bad + ": " + r.body());
      JsonNode e = ApiJson.readTree(r.body()).path("error");
      assertEquals("/requestId", e.path("field").asText());
      assertTrue(e.path("message").asText().contains("printable ASCII"), r.body());
    }
    HttpResponse<String> longest =
        decide("{\"tool\":\"email.send\",\"args\":{},\"requestId\":\"" + "x".repeat(128) + "\"}");
    assertEquals(200, longest.statusCode(), longest.body());
    assertNotEquals(first.id(), ApiJson.readTree(longest.body()).path("id").asText());
  }
}
