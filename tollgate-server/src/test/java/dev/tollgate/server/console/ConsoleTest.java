package dev.tollgate.server.console;

import static dev.tollgate.server.console.ConsoleHarness.csrf;
import static dev.tollgate.server.console.ConsoleHarness.form;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.server.Passwords;
import dev.tollgate.store.jdbc.StoreConfig;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console over real HTTP against a real server and a real SQLite store; {@link
 * PostgresConsoleTest} runs the same tests on PostgreSQL.
 */
class ConsoleTest {
  @TempDir Path data;
  ConsoleHarness h;

  /** The store of one test: a fresh, empty one on every call. */
  StoreConfig config() throws Exception {
    return StoreConfig.sqlite(data);
  }

  @BeforeEach
  void start() throws Exception {
    h = new ConsoleHarness(config());
  }

  @AfterEach
  void stop() {
    h.close();
  }

  private String pendingApproval(String body) throws Exception {
    JsonNode d = h.askToMail(h.session(), body);
    assertThat(d.path("effect").asText()).as(d.toString()).isEqualTo("ask");
    String id = d.path("approval").path("id").asText();
    assertThat(id).as(d.toString()).startsWith("apr_");
    return id;
  }

  @Test
  void signInRefusesAWrongPasswordAndAcceptsTheRightOne() throws Exception {
    HttpResponse<String> unsigned = h.get("/console/approvals", null);
    assertThat(unsigned.statusCode()).isEqualTo(303);
    assertThat(unsigned.headers().firstValue("Location")).contains("/console/login");

    HttpResponse<String> wrong =
        h.post(
            "/console/login",
            null,
            form("name", "approver-1", "password", "not the password"),
            Map.of());
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.body()).contains("Wrong name or password");
    assertThat(wrong.headers().firstValue("Set-Cookie")).isEmpty();

    HttpResponse<String> right =
        h.post(
            "/console/login",
            null,
            form("name", "approver-1", "password", ConsoleHarness.PASSWORD),
            Map.of());
    assertThat(right.statusCode()).isEqualTo(303);
    String cookie = right.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(cookie)
        .startsWith(Console.COOKIE + "=")
        .contains("HttpOnly", "SameSite=Strict", "Path=/console")
        .doesNotContain("Secure");
    String session = cookie.substring(0, cookie.indexOf(';'));
    HttpResponse<String> inbox = h.get("/console/approvals", session);
    assertThat(inbox.statusCode()).isEqualTo(200);
    assertThat(inbox.body()).contains("Approvals waiting", "approver-1");

    HttpResponse<String> out =
        h.post("/console/logout", session, form("csrf", csrf(inbox.body())), Map.of());
    assertThat(out.statusCode()).isEqualTo(303);
    assertThat(h.get("/console/approvals", session).statusCode()).isEqualTo(303);
  }

  @Test
  void aMalformedFormIsA400PageNotADroppedField() throws Exception {
    HttpResponse<String> r =
        h.postRaw("/console/login", null, "name=admin-1&password=%zz", Map.of());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("malformed percent-escape", "%25");
    assertThat(r.headers().firstValue("Set-Cookie")).isEmpty();
  }

  @Test
  void repeatedFailuresForANameAreSlowedDown() throws Exception {
    for (int i = 0; i < SignIns.FREE_FAILURES; i++) {
      assertThat(
              h.post("/console/login", null, form("name", "admin-1", "password", "x"), Map.of())
                  .statusCode())
          .isEqualTo(401);
    }
    HttpResponse<String> locked =
        h.post(
            "/console/login",
            null,
            form("name", "admin-1", "password", ConsoleHarness.PASSWORD),
            Map.of());
    assertThat(locked.statusCode()).isEqualTo(429);
    assertThat(locked.body()).contains("Too many failed sign-ins");
    h.skip(Duration.ofSeconds(2));
    assertThat(h.signIn("admin-1")).startsWith(Console.COOKIE);
  }

  @Test
  void postsWithoutTheTokenOrFromAnotherSiteAreRefused() throws Exception {
    String id = pendingApproval("Invoice #4471 is overdue");
    String session = h.signIn("approver-1");
    String page = h.get("/console/approvals/" + id, session).body();
    String token = csrf(page);

    HttpResponse<String> noToken =
        h.post("/console/approvals/" + id + "/deny", session, form("note", "no"), Map.of());
    assertThat(noToken.statusCode()).isEqualTo(403);
    assertThat(noToken.body()).contains("security token");

    HttpResponse<String> wrongToken =
        h.post(
            "/console/approvals/" + id + "/deny",
            session,
            form("csrf", token + "x", "note", "no"),
            Map.of());
    assertThat(wrongToken.statusCode()).isEqualTo(403);

    HttpResponse<String> crossOrigin =
        h.post(
            "/console/approvals/" + id + "/deny",
            session,
            form("csrf", token, "note", "no"),
            Map.of("Origin", "https://evil.example"));
    assertThat(crossOrigin.statusCode()).isEqualTo(403);
    assertThat(crossOrigin.body()).contains("another site");

    HttpResponse<String> crossSite =
        h.post(
            "/console/approvals/" + id + "/deny",
            session,
            form("csrf", token, "note", "no"),
            Map.of("Sec-Fetch-Site", "cross-site"));
    assertThat(crossSite.statusCode()).isEqualTo(403);
    assertThat(h.store.approvals().get(id).orElseThrow().status()).isEqualTo("pending");

    HttpResponse<String> sameOrigin =
        h.post(
            "/console/approvals/" + id + "/deny",
            session,
            form("csrf", token, "note", "not to Globex"),
            Map.of("Origin", h.server.uri().toString(), "Sec-Fetch-Site", "same-origin"));
    assertThat(sameOrigin.statusCode()).as(sameOrigin.body()).isEqualTo(200);
    assertThat(h.store.approvals().get(id).orElseThrow().status()).isEqualTo("denied");
  }

  @Test
  void anAuditorReadsTheAuditButCannotApprove() throws Exception {
    String id = pendingApproval("Invoice #4471 is overdue");
    String auditor = h.signIn("auditor-1");
    HttpResponse<String> overview = h.get("/console", auditor);
    assertThat(overview.statusCode()).isEqualTo(200);
    assertThat(overview.body()).contains("<svg", "By effect", "ask");
    HttpResponse<String> audit = h.get("/console/audit?kind=decision&effect=ask", auditor);
    assertThat(audit.statusCode()).isEqualTo(200);
    assertThat(audit.body()).contains("external-send-with-invoice-details");
    assertThat(h.get("/console/audit?verify=1", auditor).body())
        .contains("ok: verified by the test");

    assertThat(h.get("/console/approvals", auditor).statusCode()).isEqualTo(403);
    assertThat(h.get("/console/approvals/" + id, auditor).statusCode()).isEqualTo(403);
    HttpResponse<String> approve =
        h.post(
            "/console/approvals/" + id + "/approve",
            auditor,
            form("csrf", csrf(audit.body()), "mode", "exact"),
            Map.of());
    assertThat(approve.statusCode()).isEqualTo(403);
    assertThat(approve.body()).contains("does not allow");
    assertThat(h.store.approvals().get(id).orElseThrow().status()).isEqualTo("pending");

    String approver = h.signIn("approver-1");
    assertThat(h.get("/console/audit", approver).statusCode()).isEqualTo(403);
    assertThat(h.get("/console/grants", approver).body()).doesNotContain("Revoke");
  }

  @Test
  void attackerTextIsEscapedEverywhere() throws Exception {
    String id = pendingApproval("Invoice #4471 <script>alert(1)</script> \"><img src=x>");
    String session = h.signIn("admin-1");
    for (String path :
        new String[] {"/console/approvals/" + id, "/console/approvals", "/console/audit"}) {
      String body = h.get(path, session).body();
      assertThat(body).doesNotContain("<script>alert(1)").doesNotContain("<img src=x>");
    }
    String page = h.get("/console/approvals/" + id, session).body();
    assertThat(page)
        .contains("&lt;script&gt;alert(1)&lt;/script&gt;", "&quot;&gt;&lt;img src=x&gt;");
    assertThat(Html.esc("<a href='x'>\"&`"))
        .isEqualTo("&lt;a href=&#39;x&#39;&gt;&quot;&amp;&#96;");
  }

  @Test
  void everyAnswerCarriesTheSecurityHeaders() throws Exception {
    String session = h.signIn("admin-1");
    for (String path :
        new String[] {
          "/console/login",
          "/console/static/console.css",
          "/console/approvals",
          "/console",
          "/console/nope"
        }) {
      HttpResponse<String> r = h.get(path, path.contains("login") ? null : session);
      assertThat(r.headers().firstValue("Content-Security-Policy"))
          .as(path)
          .contains(
              "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
                  + " connect-src 'self'; form-action 'self'; frame-ancestors 'none';"
                  + " base-uri 'none'");
      assertThat(r.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
      assertThat(r.headers().firstValue("Referrer-Policy")).contains("no-referrer");
      assertThat(r.headers().firstValue("Cache-Control")).contains("no-store");
      assertThat(r.body()).doesNotContain("<script>").doesNotContain("style=");
    }
  }

  @Test
  void approvingAnExpiredOrAlreadyDecidedApprovalShowsAClearPage() throws Exception {
    String first = pendingApproval("Invoice #4471 is overdue");
    String session = h.signIn("approver-1");
    String token = csrf(h.get("/console/approvals/" + first, session).body());
    HttpResponse<String> ok =
        h.post(
            "/console/approvals/" + first + "/approve",
            session,
            form("csrf", token, "mode", "exact"),
            Map.of());
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).contains("Approved");
    HttpResponse<String> again =
        h.post(
            "/console/approvals/" + first + "/deny",
            session,
            form("csrf", token, "note", "changed my mind"),
            Map.of());
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(again.body()).contains("already decided");

    String second = pendingApproval("Invoice #5000 is overdue too");
    HttpResponse<String> badScope =
        h.post(
            "/console/approvals/" + second + "/approve",
            session,
            form(
                "csrf",
                token,
                "mode",
                "scope",
                "subject",
                "session",
                "tool",
                "email.send",
                "ttl",
                "forever",
                "uses",
                "1"),
            Map.of());
    assertThat(badScope.statusCode()).isEqualTo(400);
    assertThat(badScope.body()).contains("Invalid scope");

    HttpResponse<String> badSubject =
        h.post(
            "/console/approvals/" + second + "/approve",
            session,
            form(
                "csrf",
                token,
                "mode",
                "scope",
                "subject",
                "galaxy<b>",
                "tool",
                "email.send",
                "ttl",
                "15m",
                "uses",
                "1"),
            Map.of());
    assertThat(badSubject.statusCode()).isEqualTo(400);
    // Approvals' own message, escaped: the console does not check the subject itself.
    assertThat(badSubject.body())
        .contains(
            "Invalid scope: unknown subject &#96;galaxy&lt;b&gt;&#96;: use agent, session or user");
    HttpResponse<String> noUser =
        h.post(
            "/console/approvals/" + second + "/approve",
            session,
            form(
                "csrf",
                token,
                "mode",
                "scope",
                "subject",
                "",
                "tool",
                "email.send",
                "ttl",
                "15m",
                "uses",
                "1"),
            Map.of());
    assertThat(noUser.statusCode()).isEqualTo(400);
    assertThat(noUser.body()).contains("unknown subject &#96;&#96;");
    assertThat(h.store.approvals().get(second).orElseThrow().status()).isEqualTo("pending");

    h.skip(Duration.ofHours(2));
    HttpResponse<String> late =
        h.post(
            "/console/approvals/" + second + "/approve",
            session,
            form("csrf", token, "mode", "exact"),
            Map.of());
    assertThat(late.statusCode()).isBetween(400, 499);
    assertThat(late.body()).contains("expired");
    assertThat(h.get("/console/approvals/apr_nope", session).statusCode()).isEqualTo(404);
  }

  @Test
  void theUserAnAgentActsForCannotApproveWhenThePolicyAsksForFourEyes() throws Exception {
    assertThat(
            Passwords.addPerson(
                h.store, "alice@acme.example", "approver", ConsoleHarness.PASSWORD.toCharArray()))
        .isTrue();
    JsonNode pay = h.decide(h.session(), "invoices.pay", Map.of("invoice", "4471", "amount", 1200));
    assertThat(pay.path("effect").asText()).as(pay.toString()).isEqualTo("ask");
    String id = pay.path("approval").path("id").asText();

    String alice = h.signIn("alice@acme.example");
    String page = h.get("/console/approvals/" + id, alice).body();
    assertThat(page).contains("yes: the user cannot approve it");
    HttpResponse<String> self =
        h.post(
            "/console/approvals/" + id + "/approve",
            alice,
            form("csrf", csrf(page), "mode", "exact"),
            Map.of());
    assertThat(self.statusCode()).isEqualTo(403);
    // Approvals' own words, once: the console keeps no copy of the rule.
    assertThat(self.body())
        .contains(
            "four eyes: alice@acme.example is the user this agent acts for and cannot approve"
                + " this request; ask another approver")
        .doesNotContainIgnoringCase("four eyes: four eyes");
    assertThat(h.store.approvals().get(id).orElseThrow().status()).isEqualTo("pending");

    String other = h.signIn("approver-1");
    HttpResponse<String> approved =
        h.post(
            "/console/approvals/" + id + "/approve",
            other,
            form("csrf", csrf(h.get("/console/approvals/" + id, other).body()), "mode", "exact"),
            Map.of());
    assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
    assertThat(h.store.approvals().get(id).orElseThrow().decidedBy()).isEqualTo("approver-1");
  }

  @Test
  void anAdminRevokesAGrantAndTheNextDecisionNoLongerPasses() throws Exception {
    String session = h.session();
    String id =
        h.askToMail(session, "Invoice #4471 is overdue").path("approval").path("id").asText();
    String admin = h.signIn("admin-1");
    String token = csrf(h.get("/console/approvals/" + id, admin).body());
    HttpResponse<String> approved =
        h.post(
            "/console/approvals/" + id + "/approve",
            admin,
            form(
                "csrf",
                token,
                "mode",
                "scope",
                "subject",
                "session",
                "tool",
                "email.send",
                "ttl",
                "15m",
                "uses",
                "0"),
            Map.of());
    assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
    JsonNode passed = h.askToMail(session, "Invoice #4471 is overdue");
    assertThat(passed.path("effect").asText()).as(passed.toString()).isEqualTo("allow");
    String grant = passed.path("grant").asText();
    assertThat(grant).startsWith("grt_");

    HttpResponse<String> grants = h.get("/console/grants", admin);
    assertThat(grants.body()).contains(grant, "/console/grants/" + grant + "/revoke");
    HttpResponse<String> approverTries =
        h.post(
            "/console/grants/" + grant + "/revoke",
            h.signIn("approver-1"),
            form("csrf", csrf(h.get("/console/grants", admin).body())),
            Map.of());
    assertThat(approverTries.statusCode()).isEqualTo(403);
    assertThat(h.askToMail(session, "Invoice #4472 as well").path("effect").asText())
        .isEqualTo("allow");

    HttpResponse<String> revoked =
        h.post("/console/grants/" + grant + "/revoke", admin, form("csrf", token), Map.of());
    assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
    assertThat(revoked.body()).contains("Revoked " + grant);
    JsonNode after = h.askToMail(session, "Invoice #4471 is overdue");
    assertThat(after.path("effect").asText()).as(after.toString()).isEqualTo("ask");
    assertThat(after.path("grant").isMissingNode()).isTrue();

    HttpResponse<String> twice =
        h.post("/console/grants/" + grant + "/revoke", admin, form("csrf", token), Map.of());
    assertThat(twice.statusCode()).isBetween(400, 499);
  }
}
