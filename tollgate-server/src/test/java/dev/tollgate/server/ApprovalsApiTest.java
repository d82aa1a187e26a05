package dev.tollgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Approvals and grants over HTTP, on the real SQLite store, with a clock the test moves: ask,
 * approve (exact and widened), deny with a reason, four eyes, fresh approvals, expiry, revocation,
 * grants asked for ahead of time, and one-use grants under 100 concurrent decisions.
 */
class ApprovalsApiTest {
  static final Path BUNDLE = Path.of("src", "test", "resources", "approvals");

  @TempDir Path data;
  private final AtomicReference<Instant> now =
      new AtomicReference<>(Instant.parse("2026-11-24T12:00:00Z"));
  private JdbcStore store;
  private TollgateServer server;
  private String token;
  private String admin;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    store = JdbcStore.open(StoreConfig.sqlite(data));
    token = Tokens.newToken();
    admin = Tokens.newToken();
    store.credentials().add("mail-bot", Tokens.hash(token), Instant.now());
    store.credentials().add(TollgateServer.ADMIN_PREFIX, Tokens.hash(admin), Instant.now());
    server =
        TollgateServer.builder()
            .port(0)
            .store(store)
            .clock(now::get)
            .bundle(Bundle.load(BUNDLE))
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

  private HttpResponse<String> call(String method, String path, String body, String bearer)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(server.uri().resolve(path))
            .header("Authorization", "Bearer " + bearer)
            .timeout(Duration.ofSeconds(30));
    if (body != null) {
      b.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode ok(HttpResponse<String> r) throws Exception {
    assertTrue(r.statusCode() / 100 == 2, r.statusCode() + ": " + r.body());
    return ApiJson.readTree(r.body());
  }

  private static Action mail(String session, String to, String body) {
    return Action.of(
        session, "alice@acme.example", "email.send", Map.of("to", List.of(to), "body", body));
  }

  private JsonNode approve(String id, String scope) throws Exception {
    return ok(
        call(
            "POST",
            "/v1/approvals/" + id + "/approve",
            scope == null ? "{\"note\":\"fine\"}" : "{\"note\":\"fine\",\"scope\":" + scope + "}",
            admin));
  }

  /**
   * A request line sent as is (the JDK's client refuses to send a malformed URI): the status and
   * body of the answer.
   */
  private String[] raw(String target, String bearer) throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(30_000);
      socket
          .getOutputStream()
          .write(
              ("GET "
                      + target
                      + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                      + bearer
                      + "\r\nConnection: close\r\n\r\n")
                  .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String answer =
          new String(
              socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      return new String[] {
        answer.substring(9, 12), answer.substring(answer.indexOf("\r\n\r\n") + 4)
      };
    }
  }

  @Test
  void queryParametersAreCheckedAndAMalformedQueryIsNeverA500() throws Exception {
    String s = agent().openSession(SessionSpec.of("alice@acme.example", "Mail Globex"));
    String id = agent().decide(mail(s, "ap@globex.example", "W-9 please")).approval().id();
    String decision = agent().decide(mail(s, "bob@acme.example", "hi")).id();
    // A broken percent-escape: the JDK's HTTP server refuses the request line itself (a 400
    // before any handler runs); the API's own parser answers the same in JSON for anything that
    // gets past it.
    for (String target :
        List.of(
            "/v1/approvals?status=%zz",
            "/v1/approvals/" + id + "?wait=%",
            "/v1/grants?active=%G1",
            "/v1/decisions/" + decision + "?x=%-1")) {
      String[] answer = raw(target, target.contains("decisions") ? token : admin);
      assertEquals("400", answer[0], target + ": " + answer[1]);
    }
    // Values that decode but make no sense: a JSON 400 naming the parameter.
    record Case(String path, String bearer, String field, String words) {}
    for (Case c :
        List.of(
            new Case("/v1/approvals?status=maybe", admin, "status", "unknown status `maybe`"),
            new Case("/v1/approvals?status=%C0%AF", admin, "status", "unknown status"),
            new Case("/v1/approvals?limit=0", admin, "limit", "between 1 and 1000"),
            new Case("/v1/approvals/" + id + "?wait=forever", token, "wait", "invalid `wait`"),
            new Case("/v1/grants?limit=x", admin, "limit", "between 1 and 1000"))) {
      HttpResponse<String> r = call("GET", c.path(), null, c.bearer());
      assertEquals(400, r.statusCode(), c.path() + ": " + r.body());
      JsonNode error = ApiJson.readTree(r.body()).path("error");
      assertEquals("bad_request", error.path("code").asText(), r.body());
      assertEquals(c.field(), error.path("field").asText(), r.body());
      assertTrue(error.path("message").asText().contains(c.words()), r.body());
    }
    // Well-formed escapes decode; a parameter an endpoint does not take is ignored.
    assertEquals(
        id,
        ok(call("GET", "/v1/approvals?status=pen%64ing&x=%25", null, admin))
            .path("approvals")
            .path(0)
            .path("id")
            .asText());
    assertEquals(
        200, call("GET", "/v1/decisions/" + decision + "?x=%25", null, token).statusCode());
  }

  /**
   * {@code GET /v1/decisions/{id}} rebuilds a decision from its audit record: its body is the very
   * body decide answered, byte for byte, for a plain allow, an ask with its approval and an allow
   * through a grant.
   */
  @Test
  void aDecisionReadBackIsTheBodyDecideAnswered() throws Exception {
    String s = agent().openSession(SessionSpec.of("alice@acme.example", "Mail Globex"));
    String send = decideBody(s, "ap@globex.example", "W-9 please");
    List<String> answers = new ArrayList<>();
    answers.add(call("POST", "/v1/decide", decideBody(s, "bob@acme.example", "hi"), token).body());
    HttpResponse<String> asked = call("POST", "/v1/decide", send, token);
    answers.add(asked.body());
    String approval = ok(asked).path("approval").path("id").asText();
    approve(approval, null);
    HttpResponse<String> granted = call("POST", "/v1/decide", send, token);
    answers.add(granted.body());
    assertTrue(ok(granted).path("grant").asText().startsWith("grt_"), granted.body());

    for (String answer : answers) {
      String id = ApiJson.readTree(answer).path("id").asText();
      HttpResponse<String> back = call("GET", "/v1/decisions/" + id, null, token);
      assertEquals(200, back.statusCode(), back.body());
      assertEquals(answer, back.body());
    }
  }

  private static String decideBody(String session, String to, String body) {
    return ApiJson.write(
        Map.of(
            "session",
            session,
            "user",
            "alice@acme.example",
            "tool",
            "email.send",
            "args",
            Map.of("to", List.of(to), "body", body)));
  }

  @Test
  void anApprovedActionPassesOnceThroughItsExactGrant() throws Exception {
    String s = agent().openSession(SessionSpec.of("alice@acme.example", "Mail Globex"));
    Action send = mail(s, "ap@globex.example", "W-9 please");
    Decision asked = agent().decide(send);
    assertEquals(Effect.ASK, asked.effect());
    assertNotNull(asked.approval(), asked.toString());
    String id = asked.approval().id();
    assertTrue(id.startsWith("apr_") && id.length() == 30, id);

    // A retry while it is pending finds the same approval; the agent sees only the outcome.
    assertEquals(id, agent().decide(send).approval().id());
    JsonNode pending = ok(call("GET", "/v1/approvals/" + id, null, token));
    assertEquals("pending", pending.path("status").asText());
    assertTrue(pending.path("args").isMissingNode(), "an agent never reads the approval itself");

    // People list it and approve exactly this action.
    JsonNode inbox = ok(call("GET", "/v1/approvals?status=pending", null, admin));
    assertEquals(id, inbox.path("approvals").path(0).path("id").asText());
    assertEquals("W-9 please", inbox.path("approvals").path(0).path("args").path("body").asText());
    JsonNode approved = approve(id, null);
    String grant = approved.path("grant").asText();
    assertTrue(grant.startsWith("grt_"), approved.toString());
    assertEquals(
        "approved", ok(call("GET", "/v1/approvals/" + id, null, token)).path("status").asText());

    Decision passed = agent().decide(send);
    assertEquals(Effect.ALLOW, passed.effect(), passed.toString());
    assertEquals(grant, passed.grant());
    // One use: the next identical action is asked again, and other arguments never matched.
    assertEquals(Effect.ASK, agent().decide(send).effect());
    assertEquals(Effect.ASK, agent().decide(mail(s, "ap@globex.example", "other")).effect());
    assertEquals(
        409,
        call("POST", "/v1/approvals/" + id + "/approve", "{}", admin).statusCode(),
        "an approval is decided once");

    List<String> events = new ArrayList<>();
    for (AuditRecord r : store.audit().search(AuditQuery.after(0, 1000))) {
      if (!r.entry().kind().wireName().equals("decision")) {
        Object event = r.entry().detail().get("event");
        events.add(r.entry().kind().wireName() + (event == null ? "" : ":" + event));
      }
    }
    assertTrue(
        events.containsAll(
            List.of(
                "approval:approval.opened",
                "approval:approval.approved",
                "grant:grant.issued",
                "grant:grant.used")),
        events.toString());
    assertEquals(grant, agent().decision(passed.id()).orElseThrow().grant());
  }

  @Test
  void aWidenedScopeCoversTheSessionUntilItsUsesRunOutAndRevocationStopsItAtOnce()
      throws Exception {
    String s = agent().openSession(SessionSpec.of("alice@acme.example", "Mail vendors"));
    Decision asked = agent().decide(mail(s, "ap@globex.example", "one"));
    approve(
        asked.approval().id(),
        "{\"subject\":\"session\",\"tool\":\"email.*\",\"ttl\":\"15m\",\"uses\":2}");
    assertEquals(Effect.ALLOW, agent().decide(mail(s, "ap@initech.example", "two")).effect());
    // A policy deny is never overridden by a grant.
    Decision blocked = agent().decide(mail(s, "x@blocked.example", "three"));
    assertEquals(Effect.DENY, blocked.effect());
    assertEquals(List.of("no-mail-to-blocked"), blocked.policies());
    Decision second = agent().decide(mail(s, "ap@umbrella.example", "four"));
    assertEquals(Effect.ALLOW, second.effect());
    assertEquals(Effect.ASK, agent().decide(mail(s, "ap@umbrella.example", "five")).effect());
    // Another session is not covered.
    String other = agent().openSession(SessionSpec.of("alice@acme.example", "Other"));
    assertEquals(Effect.ASK, agent().decide(mail(other, "ap@globex.example", "six")).effect());

    Decision again = agent().decide(mail(s, "ap@soylent.example", "seven"));
    JsonNode unlimited =
        approve(again.approval().id(), "{\"subject\":\"agent\",\"ttl\":\"1h\",\"uses\":0}");
    assertEquals(Effect.ALLOW, agent().decide(mail(other, "ap@globex.example", "eight")).effect());
    ok(call("POST", "/v1/grants/" + unlimited.path("grant").asText() + "/revoke", null, admin));
    assertEquals(Effect.ASK, agent().decide(mail(other, "ap@globex.example", "nine")).effect());
    assertEquals(
        409,
        call("POST", "/v1/grants/" + unlimited.path("grant").asText() + "/revoke", null, admin)
            .statusCode());
    JsonNode grants = ok(call("GET", "/v1/grants?active=false", null, admin));
    assertEquals(2, grants.path("grants").size(), grants.toString());
  }

  @Test
  void aDenialCarriesTheApproversReasonAndExpiryCountsAsDenied() throws Exception {
    String s = agent().openSession(SessionSpec.of("alice@acme.example", "Mail Globex"));
    Action send = mail(s, "ap@globex.example", "bank details attached");
    String id = agent().decide(send).approval().id();
    ok(
        call(
            "POST",
            "/v1/approvals/" + id + "/deny",
            "{\"note\":\"never send bank details\"}",
            admin));
    JsonNode seen = ok(call("GET", "/v1/approvals/" + id, null, token));
    assertEquals("denied", seen.path("status").asText());
    assertEquals("never send bank details", seen.path("note").asText());
    Decision retried = agent().decide(send);
    assertEquals(Effect.DENY, retried.effect());
    assertTrue(retried.reasons().getFirst().message().contains("never send bank details"));

    String later = agent().decide(mail(s, "ap@globex.example", "later")).approval().id();
    now.set(now.get().plus(Duration.ofMinutes(16)));
    assertEquals(
        "expired", ok(call("GET", "/v1/approvals/" + later, null, token)).path("status").asText());
    HttpResponse<String> tooLate = call("POST", "/v1/approvals/" + later + "/approve", "{}", admin);
    assertEquals(409, tooLate.statusCode());
    assertTrue(tooLate.body().contains("expired"), tooLate.body());
    assertEquals(404, call("POST", "/v1/approvals/apr_nope/approve", "{}", admin).statusCode());
  }

  @Test
  void fourEyesFreshnessAndAgentTokensAreEnforced() throws Exception {
    store.credentials().add("@admin-alice", Tokens.hash("alice-token-0123456789"), Instant.now());
    String s = agent().openSession(SessionSpec.of("@admin-alice", "Pay the invoice"));
    Decision pay =
        agent()
            .decide(
                Action.of(s, "@admin-alice", "payments.send", Map.of("iban", "x", "amount", 10)));
    String id = pay.approval().id();
    assertEquals(
        now.get().plus(Duration.ofMinutes(10)), pay.approval().expiresAt(), "the policy's ttl");
    HttpResponse<String> self =
        call("POST", "/v1/approvals/" + id + "/approve", "{}", "alice-token-0123456789");
    assertEquals(403, self.statusCode(), self.body());
    assertTrue(self.body().contains("four eyes"), self.body());
    approve(id, null);
    assertEquals(
        "pending", ok(call("GET", "/v1/approvals/" + id, null, admin)).path("status").asText());

    Decision wire =
        agent().decide(Action.of(s, "u", "wire.send", Map.of("iban", "DE89", "amount", 5)));
    HttpResponse<String> widened =
        call(
            "POST",
            "/v1/approvals/" + wire.approval().id() + "/approve",
            "{\"scope\":{\"subject\":\"agent\",\"uses\":0,\"ttl\":\"1h\"}}",
            admin);
    assertEquals(400, widened.statusCode(), widened.body());
    assertTrue(widened.body().contains("fresh"), widened.body());

    // Agents can never list, approve or deny.
    assertEquals(403, call("GET", "/v1/approvals", null, token).statusCode());
    assertEquals(403, call("POST", "/v1/approvals/" + id + "/approve", "{}", token).statusCode());
    assertEquals(403, call("GET", "/v1/grants", null, token).statusCode());
    // Bad scopes are a 400 naming the problem.
    HttpResponse<String> badCel =
        call("POST", "/v1/approvals/" + wire.approval().id() + "/deny", "{\"note\":1}", admin);
    assertEquals(400, badCel.statusCode());
  }

  @Test
  void aGrantAskedForAheadOfTimeIsDecidedTheSameWay() throws Exception {
    String s = agent().openSession(SessionSpec.of("alice@acme.example", "Mail many vendors"));
    HttpResponse<String> bad =
        call(
            "POST",
            "/v1/grants/requests",
            "{\"tool\":\"email.send\",\"reason\":\"r\",\"constraint\":\"action.args.to.size( ==\"}",
            token);
    assertEquals(400, bad.statusCode(), bad.body());
    JsonNode request =
        ok(
            call(
                "POST",
                "/v1/grants/requests",
                "{\"tool\":\"email.send\",\"session\":\""
                    + s
                    + "\",\"reason\":\"quarterly vendor mail\",\"ttl\":\"30m\",\"uses\":3,"
                    + "\"constraint\":\"action.args.to.size() == 1\"}",
                token));
    String id = request.path("id").asText();
    assertEquals(Effect.ASK, agent().decide(mail(s, "ap@globex.example", "q3")).effect());
    approve(id, null);
    assertEquals(Effect.ALLOW, agent().decide(mail(s, "ap@globex.example", "q3")).effect());
    Decision two =
        agent()
            .decide(
                Action.of(
                    s,
                    "alice@acme.example",
                    "email.send",
                    Map.of("to", List.of("a@x.example", "b@y.example"), "body", "q3")));
    assertEquals(Effect.ASK, two.effect(), "the constraint holds the grant to one recipient");
  }

  @Test
  void aOneUseGrantLetsExactlyOneOfAHundredConcurrentDecisionsThrough() throws Exception {
    String s = agent().openSession(SessionSpec.of("alice@acme.example", "Mail Globex"));
    Action send = mail(s, "ap@globex.example", "once");
    approve(agent().decide(send).approval().id(), null);
    List<Future<Decision>> results = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 100; i++) {
        results.add(pool.submit(() -> agent().decide(send)));
      }
    }
    int allowed = 0;
    for (Future<Decision> f : results) {
      Decision d = f.get();
      allowed += d.effect() == Effect.ALLOW ? 1 : 0;
      assertTrue(d.effect() != Effect.DENY, d.toString());
    }
    assertEquals(1, allowed);
  }

  @Test
  void longPollReturnsWhenAPersonDecides() throws Exception {
    String s = agent().openSession(SessionSpec.of("alice@acme.example", "Mail Globex"));
    String id = agent().decide(mail(s, "ap@globex.example", "poll")).approval().id();
    JsonNode stillPending = ok(call("GET", "/v1/approvals/" + id + "?wait=300ms", null, token));
    assertEquals("pending", stillPending.path("status").asText());
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<HttpResponse<String>> waiting =
          pool.submit(() -> call("GET", "/v1/approvals/" + id + "?wait=20s", null, token));
      approve(id, null);
      long start = System.nanoTime();
      JsonNode answered = ok(waiting.get());
      assertEquals("approved", answered.path("status").asText());
      assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos());
    }
    assertEquals(400, call("GET", "/v1/approvals/" + id + "?wait=soon", null, token).statusCode());
  }

  @Test
  void fourEyesNeedTwoDifferentApproversNeitherOfThemTheUser() throws Exception {
    store.credentials().add("@admin-alice", Tokens.hash("alice-token-0123456789"), Instant.now());
    store.credentials().add("@admin-carol", Tokens.hash("carol-token-0123456789"), Instant.now());
    store.credentials().add("@admin-dave", Tokens.hash("dave-token-01234567890"), Instant.now());
    String alice = "alice-token-0123456789";
    String carol = "carol-token-0123456789";
    String dave = "dave-token-01234567890";
    String s = agent().openSession(SessionSpec.of("@admin-alice", "Pay the invoice"));
    Action pay = Action.of(s, "@admin-alice", "payments.send", Map.of("iban", "x", "amount", 10));
    String id = agent().decide(pay).approval().id();
    String approve = "/v1/approvals/" + id + "/approve";

    HttpResponse<String> user = call("POST", approve, "{}", alice);
    assertEquals(403, user.statusCode(), user.body());
    assertEquals("four_eyes", ApiJson.readTree(user.body()).path("error").path("code").asText());

    JsonNode first = ok(call("POST", approve, "{\"note\":\"invoice checked\"}", carol));
    assertEquals("pending", first.path("status").asText(), first.toString());
    assertEquals(2, first.path("approvalsNeeded").asInt());
    assertEquals(1, first.path("approvals").size());
    assertEquals("@admin-carol", first.path("approvals").path(0).path("by").asText());
    assertEquals("invoice checked", first.path("approvals").path(0).path("note").asText());
    assertTrue(first.path("grant").isMissingNode(), "no grant after one approval");
    Decision stillAsked = agent().decide(pay);
    assertEquals(Effect.ASK, stillAsked.effect());
    assertEquals(id, stillAsked.approval().id());

    HttpResponse<String> again = call("POST", approve, "{}", carol);
    assertEquals(409, again.statusCode(), again.body());
    assertEquals(
        "four_eyes_same_approver",
        ApiJson.readTree(again.body()).path("error").path("code").asText());
    HttpResponse<String> wider =
        call(
            "POST", approve, "{\"scope\":{\"subject\":\"agent\",\"uses\":0,\"ttl\":\"1h\"}}", dave);
    assertEquals(409, wider.statusCode(), wider.body());
    assertEquals(
        "four_eyes_scope", ApiJson.readTree(wider.body()).path("error").path("code").asText());
    assertTrue(wider.body().contains("exactly this action, once"), wider.body());

    JsonNode second = ok(call("POST", approve, "{\"note\":\"ok\"}", dave));
    assertEquals("approved", second.path("status").asText(), second.toString());
    assertEquals(2, second.path("approvals").size());
    assertEquals("@admin-dave", second.path("decidedBy").asText());
    String grant = second.path("grant").asText();
    Decision passed = agent().decide(pay);
    assertEquals(Effect.ALLOW, passed.effect(), passed.toString());
    assertEquals(grant, passed.grant());
    assertTrue(passed.reasons().getFirst().message().contains("@admin-carol and @admin-dave"));
    JsonNode seen = ok(call("GET", "/v1/approvals/" + id, null, admin));
    assertEquals(2, seen.path("approvals").size());

    // A deny by either denies, also after the first approval.
    Action other = Action.of(s, "@admin-alice", "payments.send", Map.of("iban", "y", "amount", 5));
    String next = agent().decide(other).approval().id();
    ok(call("POST", "/v1/approvals/" + next + "/approve", "{}", carol));
    ok(call("POST", "/v1/approvals/" + next + "/deny", "{\"note\":\"not this one\"}", dave));
    Decision denied = agent().decide(other);
    assertEquals(Effect.DENY, denied.effect());
    assertTrue(denied.reasons().getFirst().message().contains("not this one"), denied.toString());

    List<String> events = new ArrayList<>();
    List<String> rejected = new ArrayList<>();
    for (AuditRecord r : store.audit().search(AuditQuery.after(0, 1000))) {
      if (r.entry().kind().wireName().equals("rejected")) {
        rejected.add((String) r.entry().detail().get("code"));
      } else if (id.equals(r.entry().detail().get("approval"))) {
        events.add((String) r.entry().detail().get("event"));
      }
    }
    assertEquals(
        List.of("approval.opened", "approval.partly_approved", "approval.approved", "grant.issued"),
        events);
    assertTrue(
        rejected.containsAll(List.of("four_eyes", "four_eyes_same_approver", "four_eyes_scope")),
        rejected.toString());

    // The API document says all of it.
    JsonNode api = ok(call("GET", "/v1/openapi.json", null, admin));
    JsonNode approveDoc = api.path("paths").path("/v1/approvals/{id}/approve").path("post");
    assertTrue(
        approveDoc
            .path("responses")
            .path("409")
            .path("description")
            .asText()
            .contains("four_eyes_same_approver"),
        approveDoc.toString());
    JsonNode approval = api.path("components").path("schemas").path("Approval").path("properties");
    assertTrue(approval.has("approvals") && approval.has("approvalsNeeded"), approval.toString());
    assertTrue(api.path("paths").path("/v1/approvals/{id}/deny").has("post"));
    assertTrue(api.path("paths").path("/v1/decide").path("post").path("responses").has("409"));
  }
}
