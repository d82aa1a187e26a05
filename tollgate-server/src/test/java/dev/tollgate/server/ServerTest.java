package dev.tollgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Observation;
import dev.tollgate.api.SessionSpec;
import dev.tollgate.api.store.AuditRecord;
import dev.tollgate.client.TollgateClient;
import dev.tollgate.json.ApiJson;
import dev.tollgate.store.jdbc.StoreConfig;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server end to end: a real HTTP server, the real SQLite store, the real client. */
class ServerTest {
  @TempDir Path data;
  private ServerFixture fixture;
  private TollgateServer server;
  private String token;

  @BeforeEach
  void start() throws Exception {
    fixture =
        ServerFixture.on(StoreConfig.sqlite(data)).options(b -> b.maxBodyBytes(64 * 1024)).start();
    server = fixture.server;
    token = fixture.token;
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  private TollgateClient client() {
    return TollgateClient.connect(server.uri(), ServerFixture.AGENT, token);
  }

  private HttpResponse<String> post(String path, String body, String bearer) throws Exception {
    return fixture.post(bearer, path, body);
  }

  private static JsonNode error(HttpResponse<String> r) throws Exception {
    JsonNode e = ServerFixture.error(r);
    assertFalse(e.isMissingNode(), r.body());
    return e;
  }

  private List<AuditRecord> audit() {
    return fixture.audit();
  }

  @Test
  void anAgentOpensASessionIsAskedAndEverythingIsAudited() {
    TollgateClient gate = client();
    String session =
        gate.openSession(SessionSpec.of("alice@acme.example", "Tell Globex we need the W-9"));
    gate.observe(new Observation(session, "invoices.search", null, "invoice 4471"));
    Decision d =
        gate.decide(
            Action.of(
                session,
                "alice@acme.example",
                "email.send",
                Map.of("to", List.of("ap@globex.example"), "body", "Invoice 4471 is overdue")));
    assertEquals(Effect.ASK, d.effect(), d.toString());
    // the invoice number also flowed in from the observed invoices.search result
    assertEquals(
        List.of("external-send-with-financial-data", "external-send-with-invoice-details"),
        d.policies());

    List<AuditRecord> records = audit();
    assertEquals(
        List.of("session", "observe", "approval", "decision"),
        records.stream().map(r -> r.entry().kind().wireName()).toList());
    assertEquals(d.approval().id(), records.get(2).entry().detail().get("approval"));
    AuditRecord decision = records.get(3);
    assertEquals("invoice-bot", decision.entry().agent());
    assertEquals(Effect.ASK, decision.entry().effect());
    assertEquals(d.id(), decision.entry().decision());
    assertTrue(decision.entry().argsDigest().startsWith("sha256:"));
    assertEquals(records.get(2).hash(), decision.prevHash(), "one unbroken chain");
  }

  @Test
  void theAgentIsTheTokensNeverTheBodys() throws Exception {
    HttpResponse<String> r =
        post("/v1/decide", "{\"tool\":\"web.fetch\",\"agent\":\"admin\"}", token);
    assertEquals(400, r.statusCode());
    assertEquals("/agent", error(r).path("field").asText());
    Decision outside = client().decide(Action.of(null, "u", "web.fetch", Map.of()));
    assertEquals(Effect.DENY, outside.effect());
    assertEquals(List.of("profile:invoice-bot"), outside.policies());
  }

  @Test
  void missingOrBadTokensAre401AndAudited() throws Exception {
    assertEquals(401, post("/v1/decide", "{\"tool\":\"x\"}", null).statusCode());
    HttpResponse<String> bad = post("/v1/decide", "{\"tool\":\"x\"}", "tg_not-a-token");
    assertEquals(401, bad.statusCode());
    assertEquals("unauthorized", error(bad).path("code").asText());
    List<AuditRecord> rejected =
        audit().stream().filter(r -> r.entry().kind().wireName().equals("rejected")).toList();
    assertEquals(2, rejected.size());
    assertEquals(401, ((Number) rejected.get(0).entry().detail().get("status")).intValue());
  }

  @Test
  void badInputIsA4xxThatNamesTheProblemNeverA500() throws Exception {
    record Case(String body, int status, String field, String words) {}
    String deep = "{\"tool\":\"x\",\"args\":" + "{\"a\":".repeat(70) + "1" + "}".repeat(71);
    for (Case c :
        List.of(
            new Case("{\"tool\":", 400, null, "malformed JSON"),
            new Case("[1,2]", 400, "/", "JSON object"),
            new Case("{\"tool\":\"x\",\"toool\":1}", 400, "/toool", "unknown field `toool`"),
            new Case("{\"tool\":5}", 400, "/tool", "must be a string"),
            new Case("{\"args\":{}}", 400, "/tool", "missing field `tool`"),
            new Case("{\"tool\":\"x\",\"args\":[]}", 400, "/args", "must be a JSON object"),
            new Case(deep, 400, null, "nested deeper than 64"),
            new Case("{\"tool\":\"x\",\"session\":\"nope\"}", 404, "/session", "unknown session"),
            new Case(
                "{\"tool\":\"x\",\"args\":{\"b\":\"" + "a".repeat(70_000) + "\"}}",
                413,
                null,
                "larger than"))) {
      HttpResponse<String> r = post("/v1/decide", c.body(), token);
      assertEquals(
          c.status(),
          r.statusCode(),
          c.body().substring(0, Math.min(20, c.body().length())) + " -> " + r.body());
      JsonNode e = error(r);
      assertTrue(e.path("message").asText().contains(c.words()), r.body());
      if (c.field() != null) {
        assertEquals(c.field(), e.path("field").asText(), r.body());
      }
    }
    HttpResponse<String> utf8 =
        fixture.send(
            fixture
                .request("/v1/decide")
                .header("Authorization", "Bearer " + token)
                .POST(
                    HttpRequest.BodyPublishers.ofByteArray(
                        new byte[] {
                          '{', '"', 't', 'o', 'o', 'l', '"', ':', '"', (byte) 0xff, '"', '}'
                        })));
    assertEquals(400, utf8.statusCode(), utf8.body());
    assertTrue(error(utf8).path("message").asText().contains("UTF-8"), utf8.body());
    assertTrue(
        audit().stream().filter(r -> r.entry().kind().wireName().equals("rejected")).count() >= 10,
        "every refused request is audited");
  }

  @Test
  void aDecisionCanBeReadBackByItsAgentOnly() throws Exception {
    Decision d = client().decide(Action.of(null, "u", "invoices.search", Map.of()));
    HttpResponse<String> r = fixture.get(token, "/v1/decisions/" + d.id());
    assertEquals(200, r.statusCode());
    assertEquals(d.id(), ApiJson.readTree(r.body()).path("id").asText());
    String other = fixture.addAgent("other-bot");
    HttpResponse<String> foreign = fixture.get(other, "/v1/decisions/" + d.id());
    assertEquals(404, foreign.statusCode());
  }

  @Test
  void healthReadinessMetricsAndOpenApiAnswer() throws Exception {
    client().decide(Action.of(null, "u", "invoices.search", Map.of()));
    for (String path : List.of("/health", "/ready", "/v1/openapi.json")) {
      HttpResponse<String> r = fixture.get(path);
      assertEquals(200, r.statusCode(), path);
    }
    // Metrics name agents and policies: an admin credential (or the metrics token) reads them.
    assertEquals(401, fixture.get("/metrics").statusCode());
    assertEquals(
        403, fixture.get(token, "/metrics").statusCode(), "an agent's token does not read metrics");
    String admin = fixture.addAdmin("ops");
    HttpResponse<String> scraped = fixture.get(admin, "/metrics");
    assertEquals(200, scraped.statusCode());
    String metrics = scraped.body();
    assertTrue(
        metrics.contains("tollgate_decisions_total{agent=\"invoice-bot\",effect=\"allow\"} 1"),
        metrics);
    assertTrue(metrics.contains("tollgate_decide_seconds_count 1"), metrics);
    assertTrue(metrics.contains("tollgate_audit_queue_depth 0"), metrics);
    // the decision, and the two refused scrapes
    assertTrue(metrics.contains("tollgate_store_seconds_count 3"), metrics);
    assertNotNull(
        ApiJson.readTree(fixture.get("/v1/openapi.json").body()).get("paths").get("/v1/decide"));
  }

  @Test
  void theClientDeniesWhenTheServerIsGone() {
    TollgateClient gate = client();
    server.close();
    Decision d = gate.decide(Action.of(null, "u", "invoices.search", Map.of()));
    assertEquals(Effect.DENY, d.effect());
    assertTrue(d.reasons().get(0).message().contains("unreachable"), d.toString());
  }
}
