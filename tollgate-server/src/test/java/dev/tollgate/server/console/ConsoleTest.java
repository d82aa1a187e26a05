package dev.tollgate.server.console;

import static dev.tollgate.server.console.ConsoleHarness.csrf;
import static dev.tollgate.server.console.ConsoleHarness.form;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.api.ApprovalStatus;
import dev.tollgate.api.Finding;
import dev.tollgate.api.Observation;
import dev.tollgate.api.Reason;
import dev.tollgate.api.store.ApprovalRecord;
import dev.tollgate.server.Backoff;
import dev.tollgate.server.People;
import dev.tollgate.store.jdbc.StoreConfig;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    for (int i = 0; i < Backoff.FREE_FAILURES; i++) {
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
  void signInsAreAuditedWithoutThePasswordAndFailuresBackOff() throws Exception {
    String typo = "my secret typed as a name";
    assertThat(h.signIn("approver-1", "wrong horse battery staple").statusCode()).isEqualTo(401);
    assertThat(h.signIn(typo, "whatever it was here").statusCode()).isEqualTo(401);
    String cookie = h.signIn("approver-1");
    String token = csrf(h.get("/console/approvals", cookie).body());
    assertThat(h.post("/console/logout", cookie, form("csrf", token), Map.of()).statusCode())
        .isEqualTo(303);
    for (int i = 0; i < Backoff.FREE_FAILURES; i++) {
      assertThat(h.signIn("auditor-1", "wrong horse battery staple").statusCode()).isEqualTo(401);
    }
    HttpResponse<String> throttled = h.signIn("auditor-1", ConsoleHarness.PASSWORD);
    assertThat(throttled.statusCode()).isEqualTo(429);
    assertThat(throttled.headers().firstValue("Retry-After")).contains("1");

    List<Map<String, Object>> events =
        h.personEvents().stream()
            .filter(e -> e.get("event").toString().startsWith("sign"))
            .toList();
    assertThat(events)
        .extracting(e -> e.get("event") + " " + e.get("person") + " " + e.get("reason"))
        .containsExactly(
            "signin.failed approver-1 wrong password",
            "signin.failed null unknown name",
            "signin.succeeded approver-1 null",
            "signout approver-1 null",
            "signin.failed auditor-1 wrong password",
            "signin.failed auditor-1 wrong password",
            "signin.failed auditor-1 wrong password",
            "signin.failed auditor-1 throttled");
    assertThat(events).allSatisfy(e -> assertThat(e.get("address")).isEqualTo("127.0.0.1"));
    String audit = h.auditText();
    assertThat(audit)
        .as("no password, and no name that matched no one (it may be a password)")
        .doesNotContain(ConsoleHarness.PASSWORD, "wrong horse", "whatever it was", typo);

    String auditor = h.signIn("admin-1");
    HttpResponse<String> page = h.get("/console/audit?kind=person", auditor);
    assertThat(page.body()).contains("signin.failed", "unknown name", "signout");
  }

  @Test
  void anAdminAddsDisablesEnablesResetsAndRemovesPeople() throws Exception {
    String admin = h.signIn("admin-1");
    HttpResponse<String> list = h.get("/console/people", admin);
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(list.body()).contains("approver-1", "auditor-1", "admin-1", "Add a person");
    String token = csrf(list.body());

    String approver = h.signIn("approver-1");
    assertThat(h.get("/console/people", approver).statusCode()).isEqualTo(403);
    assertThat(h.get("/console/approvals", approver).body()).doesNotContain("/console/people");
    HttpResponse<String> approverAdds =
        h.post(
            "/console/people/add",
            approver,
            form(
                "csrf",
                csrf(h.get("/console/approvals", approver).body()),
                "name",
                "mallory",
                "role-admin",
                "on",
                "password",
                ConsoleHarness.PASSWORD),
            Map.of());
    assertThat(approverAdds.statusCode()).isEqualTo(403);
    HttpResponse<String> noToken =
        h.post(
            "/console/people/add",
            admin,
            form("name", "mallory", "role-admin", "on", "password", ConsoleHarness.PASSWORD),
            Map.of());
    assertThat(noToken.statusCode()).isEqualTo(403);
    assertThat(h.store.people().get("mallory")).isEmpty();

    HttpResponse<String> badName =
        h.post(
            "/console/people/add",
            admin,
            form("csrf", token, "name", "<b>x</b>", "role-approver", "on", "password", "x"),
            Map.of());
    assertThat(badName.statusCode()).isEqualTo(400);
    assertThat(badName.body()).contains("invalid name &#96;&lt;b&gt;x&lt;/b&gt;&#96;");
    HttpResponse<String> noRole =
        h.post(
            "/console/people/add",
            admin,
            form("csrf", token, "name", "dana", "password", ConsoleHarness.PASSWORD),
            Map.of());
    assertThat(noRole.statusCode()).isEqualTo(400);
    assertThat(noRole.body()).contains("at least one role");
    HttpResponse<String> shortPassword =
        h.post(
            "/console/people/add",
            admin,
            form("csrf", token, "name", "dana", "role-approver", "on", "password", "short"),
            Map.of());
    assertThat(shortPassword.statusCode()).isEqualTo(400);
    assertThat(shortPassword.body()).contains("at least 12 characters");
    HttpResponse<String> taken =
        h.post(
            "/console/people/add",
            admin,
            form("csrf", token, "name", "approver-1", "role-approver", "on", "password", ""),
            Map.of());
    assertThat(taken.statusCode()).isEqualTo(409);

    HttpResponse<String> added =
        h.post(
            "/console/people/add",
            admin,
            form(
                "csrf",
                token,
                "name",
                "dana",
                "role-approver",
                "on",
                "role-auditor",
                "on",
                "password",
                ConsoleHarness.PASSWORD),
            Map.of());
    assertThat(added.statusCode()).as(added.body()).isEqualTo(200);
    assertThat(added.body())
        .contains("Added dana (approver, auditor)")
        .doesNotContain("id=\"new-password\"");
    assertThat(h.store.people().get("dana").orElseThrow().roles())
        .containsExactlyInAnyOrder("approver", "auditor");
    String dana = h.signIn("dana");
    assertThat(h.get("/console/audit", dana).statusCode()).isEqualTo(200);

    // A blank password is generated and shown once; dana's sessions end.
    HttpResponse<String> reset =
        h.post(
            "/console/people/reset",
            admin,
            form("csrf", token, "name", "dana", "password", ""),
            Map.of());
    assertThat(reset.statusCode()).as(reset.body()).isEqualTo(200);
    Matcher shown = Pattern.compile("id=\"new-password\">([A-Za-z0-9]{20})<").matcher(reset.body());
    assertThat(shown.find()).as(reset.body()).isTrue();
    String generated = shown.group(1);
    assertThat(h.get("/console/audit", dana).statusCode())
        .as("the old session ended")
        .isEqualTo(303);
    assertThat(h.signIn("dana", ConsoleHarness.PASSWORD).statusCode()).isEqualTo(401);
    String danaAgain = ConsoleHarness.cookieOf(h.signIn("dana", generated));

    HttpResponse<String> disabled =
        h.post("/console/people/disable", admin, form("csrf", token, "name", "dana"), Map.of());
    assertThat(disabled.statusCode()).isEqualTo(200);
    assertThat(disabled.body()).contains("Disabled dana");
    assertThat(h.get("/console/audit", danaAgain).statusCode()).isEqualTo(303);
    assertThat(h.signIn("dana", generated).statusCode()).isEqualTo(401);
    assertThat(
            h.post("/console/people/enable", admin, form("csrf", token, "name", "dana"), Map.of())
                .statusCode())
        .isEqualTo(200);
    assertThat(h.signIn("dana", generated).statusCode()).isEqualTo(303);

    for (String action : List.of("disable", "remove", "reset")) {
      HttpResponse<String> self =
          h.post(
              "/console/people/" + action,
              admin,
              form("csrf", token, "name", "admin-1", "password", "another long password"),
              Map.of());
      assertThat(self.statusCode()).as(action).isEqualTo(400);
    }
    assertThat(h.get("/console/people", admin).statusCode()).as("still an admin").isEqualTo(200);

    HttpResponse<String> removed =
        h.post("/console/people/remove", admin, form("csrf", token, "name", "dana"), Map.of());
    assertThat(removed.statusCode()).isEqualTo(200);
    assertThat(h.store.people().get("dana")).isEmpty();
    assertThat(h.signIn("dana", generated).statusCode()).isEqualTo(401);
    assertThat(
            h.post("/console/people/remove", admin, form("csrf", token, "name", "dana"), Map.of())
                .statusCode())
        .isEqualTo(404);

    assertThat(h.personEvents())
        .filteredOn(e -> "admin-1".equals(e.get("by")))
        .extracting(e -> e.get("event") + " " + e.get("person"))
        .containsExactly(
            "person.added dana",
            "password.reset dana",
            "person.disabled dana",
            "person.enabled dana",
            "person.removed dana");
    assertThat(h.auditText()).doesNotContain(generated, ConsoleHarness.PASSWORD);
  }

  @Test
  void aPersonChangesTheirPasswordWithTheCurrentOneAndOtherSessionsEnd() throws Exception {
    String first = h.signIn("approver-1");
    String second = h.signIn("approver-1");
    HttpResponse<String> page = h.get("/console/password", first);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("Current password");
    String token = csrf(page.body());
    String next = "a new and longer passphrase";

    HttpResponse<String> noToken =
        h.post(
            "/console/password",
            first,
            form("current", ConsoleHarness.PASSWORD, "new", next, "repeat", next),
            Map.of());
    assertThat(noToken.statusCode()).isEqualTo(403);
    HttpResponse<String> differ =
        h.post(
            "/console/password",
            first,
            form("csrf", token, "current", ConsoleHarness.PASSWORD, "new", next, "repeat", "x"),
            Map.of());
    assertThat(differ.statusCode()).isEqualTo(400);
    assertThat(differ.body()).contains("differ");
    HttpResponse<String> tooShort =
        h.post(
            "/console/password",
            first,
            form(
                "csrf",
                token,
                "current",
                ConsoleHarness.PASSWORD,
                "new",
                "short",
                "repeat",
                "short"),
            Map.of());
    assertThat(tooShort.statusCode()).isEqualTo(400);
    assertThat(tooShort.body()).contains("at least 12 characters");
    HttpResponse<String> wrong =
        h.post(
            "/console/password",
            first,
            form("csrf", token, "current", "not my password!", "new", next, "repeat", next),
            Map.of());
    assertThat(wrong.statusCode()).isEqualTo(403);
    assertThat(wrong.body()).contains("current password is wrong");
    assertThat(h.get("/console/approvals", second).statusCode()).isEqualTo(200);

    HttpResponse<String> changed =
        h.post(
            "/console/password",
            first,
            form("csrf", token, "current", ConsoleHarness.PASSWORD, "new", next, "repeat", next),
            Map.of());
    assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
    assertThat(changed.body()).contains("Password changed");
    String renewed = ConsoleHarness.cookieOf(changed);
    assertThat(renewed).isNotEqualTo(first);
    assertThat(h.get("/console/approvals", renewed).statusCode()).isEqualTo(200);
    assertThat(h.get("/console/approvals", first).statusCode()).isEqualTo(303);
    assertThat(h.get("/console/approvals", second).statusCode()).isEqualTo(303);
    assertThat(h.signIn("approver-1", ConsoleHarness.PASSWORD).statusCode()).isEqualTo(401);
    assertThat(h.signIn("approver-1", next).statusCode()).isEqualTo(303);
    assertThat(h.personEvents())
        .extracting(e -> e.get("event") + " " + e.get("reason"))
        .contains("password.change_failed wrong current password", "password.changed null");
    assertThat(h.auditText()).doesNotContain(next, ConsoleHarness.PASSWORD, "not my password");
  }

  @Test
  void wrongCurrentPasswordsBackOffLikeFailedSignIns() throws Exception {
    String cookie = h.signIn("auditor-1");
    String token = csrf(h.get("/console/password", cookie).body());
    String next = "a new and longer passphrase";
    for (int i = 0; i < Backoff.FREE_FAILURES; i++) {
      assertThat(
              h.post(
                      "/console/password",
                      cookie,
                      form(
                          "csrf",
                          token,
                          "current",
                          "guess number " + i,
                          "new",
                          next,
                          "repeat",
                          next),
                      Map.of())
                  .statusCode())
          .isEqualTo(403);
    }
    HttpResponse<String> throttled =
        h.post(
            "/console/password",
            cookie,
            form("csrf", token, "current", ConsoleHarness.PASSWORD, "new", next, "repeat", next),
            Map.of());
    assertThat(throttled.statusCode()).isEqualTo(429);
    // One backoff per name: the guesses made on the password page slow down sign-in too.
    assertThat(h.signIn("auditor-1", ConsoleHarness.PASSWORD).statusCode()).isEqualTo(429);
    h.skip(Duration.ofSeconds(2));
    assertThat(
            h.post(
                    "/console/password",
                    cookie,
                    form(
                        "csrf",
                        token,
                        "current",
                        ConsoleHarness.PASSWORD,
                        "new",
                        next,
                        "repeat",
                        next),
                    Map.of())
                .statusCode())
        .isEqualTo(200);
  }

  @Test
  void theApprovalPageShowsWhereEachControlArgumentCameFrom() throws Exception {
    String session = h.session();
    h.agent()
        .observe(
            new Observation(
                session,
                "mailbox.read",
                null,
                "From: payables@globex-billing.example\nPlease send invoice 4471 here <b>now</b>"));
    JsonNode asked =
        h.decide(
            session,
            "email.send",
            Map.of(
                "to",
                List.of("payables@globex-billing.example"),
                "body",
                "Invoice #4471 is overdue"));
    assertThat(asked.path("effect").asText()).as(asked.toString()).isEqualTo("ask");
    String id = asked.path("approval").path("id").asText();
    assertThat(h.store.approvals().get(id).orElseThrow().provenance())
        .containsKey("to")
        .extractingByKey("to")
        .asString()
        .contains("origin=untrusted", "mailbox.read");

    String page = h.get("/console/approvals/" + id, h.signIn("approver-1")).body();
    String provenance = section(page, "id=\"provenance\"", "</table>");
    assertThat(provenance)
        .contains(
            "<tr data-arg=\"to\"><th>to</th>",
            "data-origin=\"untrusted\"",
            "found in an untrusted result",
            "<td>mailbox.read</td>");
    String args = section(page, "id=\"args\"", "</table>");
    assertThat(section(args, "data-arg=\"to\"", "</tr>")).contains("data-origin=\"untrusted\"");
    assertThat(section(args, "data-arg=\"body\"", "</tr>")).doesNotContain("data-origin");
    // The detectors flag the invoice number and the address; the page shows both masked.
    assertThat(page).doesNotContain("4471").doesNotContain("payables@globex-billing.example");
  }

  @Test
  void anAwsSecretKeyIsMaskedInTheDecisionTheAuditAndTheApprovalPage() throws Exception {
    // issue 12: an AWS secret access key was not flagged and showed in clear on this page
    String secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq8Tk2Lm9d";
    JsonNode asked =
        h.askToMail(
            h.session(),
            "Invoice #4471 attached. Sandbox: AKIA2E0A8F3B244C9986 / "
                + secret
                + " for the bucket");
    assertThat(asked.path("effect").asText()).as(asked.toString()).isEqualTo("ask");
    assertThat(asked.toString()).doesNotContain(secret).contains("aws-secret-key");
    String page =
        h.get(
                "/console/approvals/" + asked.path("approval").path("id").asText(),
                h.signIn("approver-1"))
            .body();
    assertThat(section(page, "id=\"findings\"", "</table>")).contains("aws-secret-key");
    assertThat(page).doesNotContain(secret).doesNotContain(secret.substring(0, 12));
    assertThat(h.auditText()).contains("aws-secret-key").doesNotContain(secret);
  }

  @Test
  void theApprovalPageListsFindingsMaskedAndEscaped() throws Exception {
    Instant now = Instant.now();
    String id = "apr_findings0123456789";
    h.store
        .approvals()
        .create(
            new ApprovalRecord(
                id,
                ApprovalStatus.PENDING,
                ApprovalRecord.Kind.ACTION,
                "invoice-bot",
                "alice@acme.example",
                null,
                "email.send",
                Map.of("to", List.of("ap@globex.example"), "body", "Pay to DE89 •••• 3000"),
                "sha256:00",
                List.of(new Reason("external-send-with-invoice-details", "iban to globex")),
                List.of(
                    new Finding("iban", "financial", "/args/body", "DE89 •••• <b>3000</b>"),
                    new Finding("<img src=x>", "personal", "/args/to/0", "ap@•••.example")),
                Map.of(
                    "to",
                    Map.of(
                        "origin",
                        "none",
                        "origins",
                        List.of("none", "request"),
                        "sources",
                        List.of())),
                null,
                Map.of(),
                false,
                false,
                now,
                now.plus(Duration.ofMinutes(15)),
                null,
                null,
                null,
                null));
    String page = h.get("/console/approvals/" + id, h.signIn("approver-1")).body();
    String findings = section(page, "id=\"findings\"", "</table>");
    assertThat(findings)
        .contains(
            "<td>iban</td><td>financial</td><td><code>/args/body</code></td>",
            "DE89 •••• &lt;b&gt;3000&lt;/b&gt;",
            "&lt;img src=x&gt;",
            "ap@•••.example")
        .doesNotContain("<b>3000", "<img");
    String args = section(page, "id=\"args\"", "</table>");
    assertThat(section(args, "data-arg=\"body\"", "</tr>"))
        .contains("class=\"flagged\"", "iban (financial)");
    assertThat(section(args, "data-arg=\"to\"", "</tr>"))
        .contains("class=\"flagged\"", "data-origin=\"none\"");
    assertThat(section(page, "id=\"provenance\"", "</table>"))
        .contains("(its values: none, request)", "seen nowhere");
  }

  /** The text of {@code html} from {@code start} up to the next {@code end}. */
  private static String section(String html, String start, String end) {
    int from = html.indexOf(start);
    assertThat(from).as("`" + start + "` in " + html).isNotNegative();
    int to = html.indexOf(end, from);
    return html.substring(from, to < 0 ? html.length() : to);
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
    assertThat(h.store.approvals().get(id).orElseThrow().status())
        .isEqualTo(ApprovalStatus.PENDING);

    HttpResponse<String> sameOrigin =
        h.post(
            "/console/approvals/" + id + "/deny",
            session,
            form("csrf", token, "note", "not to Globex"),
            Map.of("Origin", h.server.uri().toString(), "Sec-Fetch-Site", "same-origin"));
    assertThat(sameOrigin.statusCode()).as(sameOrigin.body()).isEqualTo(200);
    assertThat(h.store.approvals().get(id).orElseThrow().status()).isEqualTo(ApprovalStatus.DENIED);
  }

  @Test
  void anAuditorReadsTheAuditButCannotApprove() throws Exception {
    String id = pendingApproval("Invoice #4471 is overdue");
    String auditor = h.signIn("auditor-1");
    HttpResponse<String> overview = h.get("/console", auditor);
    assertThat(overview.statusCode()).isEqualTo(200);
    assertThat(overview.body()).contains("<svg", "By effect", "ask");
    assertThat(overview.body())
        .contains(
            "Policy bundle",
            h.server.engine().bundle().digest(),
            "Last reload</dt><dd>none since start");
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
    assertThat(h.store.approvals().get(id).orElseThrow().status())
        .isEqualTo(ApprovalStatus.PENDING);

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
    // The subject is read as a typed value; its message, escaped.
    assertThat(badSubject.body())
        .contains(
            "Invalid scope: unknown subject &#96;galaxy&lt;b&gt;&#96;: use one of agent, session,"
                + " user");
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
    assertThat(h.store.approvals().get(second).orElseThrow().status())
        .isEqualTo(ApprovalStatus.PENDING);

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
  void fourEyesNeedTwoPeopleNeitherOfThemTheUserTheAgentActsFor() throws Exception {
    new People(h.store, InstantSource.system())
        .add(
            "test",
            "alice@acme.example",
            Set.of("approver"),
            ConsoleHarness.PASSWORD.toCharArray());
    JsonNode pay = h.decide(h.session(), "invoices.pay", Map.of("invoice", "4471", "amount", 1200));
    assertThat(pay.path("effect").asText()).as(pay.toString()).isEqualTo("ask");
    String id = pay.path("approval").path("id").asText();
    String path = "/console/approvals/" + id;

    String alice = h.signIn("alice@acme.example");
    String page = h.get(path, alice).body();
    assertThat(page)
        .contains("yes: two different people must approve it, neither of them the user")
        .contains("0 of 2");
    HttpResponse<String> self =
        h.post(path + "/approve", alice, form("csrf", csrf(page), "mode", "exact"), Map.of());
    assertThat(self.statusCode()).isEqualTo(403);
    // Approvals' own words, once: the console keeps no copy of the rule.
    assertThat(self.body())
        .contains(
            "four eyes: alice@acme.example is the user this agent acts for and cannot approve"
                + " this request; ask two other approvers")
        .doesNotContainIgnoringCase("four eyes: four eyes");
    assertThat(h.store.approvals().get(id).orElseThrow().status())
        .isEqualTo(ApprovalStatus.PENDING);

    // The first approver: recorded, still pending, and a second approval is needed.
    String first = h.signIn("approver-1");
    page = h.get(path, first).body();
    assertThat(page).contains("your approval is the first of two");
    HttpResponse<String> once =
        h.post(path + "/approve", first, form("csrf", csrf(page), "mode", "exact"), Map.of());
    assertThat(once.statusCode()).as(once.body()).isEqualTo(200);
    assertThat(once.body()).contains("Approved (1 of 2)", "1 of 2; approver-1 at");
    assertThat(h.store.approvals().get(id).orElseThrow().status())
        .isEqualTo(ApprovalStatus.PENDING);
    assertThat(h.store.approvals().get(id).orElseThrow().grant()).isNull();
    page = h.get(path, first).body();
    assertThat(page)
        .contains("You approved exactly this action, once")
        .doesNotContain("id=\"approve-second\"");
    HttpResponse<String> twice =
        h.post(path + "/approve", first, form("csrf", csrf(page), "mode", "confirm"), Map.of());
    assertThat(twice.statusCode()).isEqualTo(409);
    assertThat(twice.body()).contains("four eyes: approver-1 already approved this request");

    // A second, different person agrees to the first one's scope: the grant is issued.
    String second = h.signIn("admin-1");
    page = h.get(path, second).body();
    assertThat(page)
        .contains("Approve as the second person", "approver-1 approved exactly this action, once")
        .contains("id=\"approve-second\"");
    HttpResponse<String> approved =
        h.post(path + "/approve", second, form("csrf", csrf(page), "mode", "confirm"), Map.of());
    assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
    assertThat(approved.body()).contains("Approved. Grant grt_");
    var done = h.store.approvals().get(id).orElseThrow();
    assertThat(done.status()).isEqualTo(ApprovalStatus.APPROVED);
    assertThat(done.decidedBy()).isEqualTo("admin-1");
    assertThat(done.approvals()).extracting(a -> a.by()).containsExactly("approver-1", "admin-1");
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
