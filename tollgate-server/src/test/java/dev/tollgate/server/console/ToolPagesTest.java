package dev.tollgate.server.console;

import static dev.tollgate.server.console.ConsoleHarness.csrf;
import static dev.tollgate.server.console.ConsoleHarness.form;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.api.store.ToolPinRecord;
import dev.tollgate.engine.ToolPins;
import dev.tollgate.store.jdbc.StoreConfig;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's Tools page over real HTTP against a real server and SQLite store, the definitions
 * recorded as a gateway records them (through the engine's {@link ToolPins}): what waits for a
 * person with what changed, escaped; who may accept; and an acceptance the gateway's next check
 * sees.
 */
class ToolPagesTest {
  private static final String AGENT = "desk-assistant";
  private static final String HOSTILE = "Read a file. <script>alert(1)</script> \"><img src=x>";

  @TempDir Path data;
  private ConsoleHarness h;
  private ToolPins pins;

  @BeforeEach
  void start() throws Exception {
    h = new ConsoleHarness(StoreConfig.sqlite(data));
    pins = h.server.engine().toolPins();
  }

  @AfterEach
  void stop() {
    h.close();
  }

  private static Map<String, Object> readFile(String description) {
    return Map.of("name", "read_file", "description", description);
  }

  /** A first definition pinned, then one whose description an attacker wrote: held. */
  private ToolPins.Verdict rugPull() {
    assertThat(pins.check(AGENT, "fs", readFile("Read a file."), List.of()).shown()).isTrue();
    ToolPins.Verdict held = pins.check(AGENT, "fs", readFile(HOSTILE), List.of());
    assertThat(held.shown()).isFalse();
    return held;
  }

  /** The part of {@code html} from the element with {@code id} to the end of its table. */
  private static String section(String html, String id) {
    int from = html.indexOf("id=\"" + id + "\"");
    assertThat(from).as(id + " in " + html).isNotNegative();
    int to = html.indexOf("</table>", from);
    return html.substring(from, to < 0 ? html.length() : to);
  }

  @Test
  void aChangedDefinitionWaitsFirstWithItsDiffMarkedAndEscaped() throws Exception {
    ToolPins.Verdict held = rugPull();
    String session = h.signIn("approver-1");
    HttpResponse<String> r = h.get("/console/tools", session);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    String page = r.body();
    assertThat(page).contains("<a href=\"/console/tools\" class=\"active\">Tools</a>");
    assertThat(page.indexOf("id=\"pending-tools\""))
        .isLessThan(page.indexOf("id=\"accepted-tools\""))
        .isLessThan(page.indexOf("id=\"superseded-tools\""));

    String pending = section(page, "pending-tools");
    assertThat(pending)
        .contains(
            AGENT,
            "fs.read_file",
            "data-fingerprint=\"" + held.pin().fingerprint() + "\"",
            "<pre class=\"diff\">",
            "<span class=\"del\">-   &quot;description&quot; : &quot;Read a file.&quot;,</span>",
            "<span class=\"add\">+   &quot;description&quot; : &quot;Read a file."
                + " &lt;script&gt;alert(1)&lt;/script&gt;",
            "<span class=\"same\">    &quot;name&quot; : &quot;read_file&quot;</span>");
    assertThat(section(page, "accepted-tools"))
        .contains(held.accepted().fingerprint().substring(0, 19), "first-use");
    assertThat(page).contains("id=\"superseded-tools\">None.");
    assertThat(page).doesNotContain("<script>alert(1)").doesNotContain("<img src=x>");
    // an approver sees what waits but does not accept it
    assertThat(page).doesNotContain("/console/tools/accept");
  }

  @Test
  void aDefinitionFlaggedAtFirstSightShowsItsConcernsAndDefinitionEscaped() throws Exception {
    ToolPins.Verdict flagged =
        pins.check(
            AGENT,
            "notes",
            readFile("Read a note <b>now</b>."),
            List.of("the name of another server's tool: <i>fs.read_file</i>"));
    assertThat(flagged.shown()).isFalse();
    assertThat(flagged.accepted()).isNull();
    String page = h.get("/console/tools", h.signIn("auditor-1")).body();
    String pending = section(page, "pending-tools");
    assertThat(pending)
        .contains(
            "notes.read_file",
            "<ul class=\"concerns\"><li>the name of another server&#39;s tool:"
                + " &lt;i&gt;fs.read_file&lt;/i&gt;</li></ul>",
            "<pre class=\"json\">",
            "Read a note &lt;b&gt;now&lt;/b&gt;.")
        .doesNotContain("<pre class=\"diff\">");
    assertThat(page).doesNotContain("<b>now</b>").doesNotContain("<i>fs.read_file</i>");
  }

  @Test
  void anAdminAcceptsWithTheFormsTokenAndTheGatewaysNextCheckShowsTheTool() throws Exception {
    ToolPins.Verdict held = rugPull();
    String fingerprint = held.pin().fingerprint();
    String session = h.signIn("admin-1");
    String page = h.get("/console/tools", session).body();
    assertThat(section(page, "pending-tools")).contains("action=\"/console/tools/accept\"");
    String token = csrf(page);
    Map<String, String> accept =
        form(
            "csrf",
            token,
            "agent",
            AGENT,
            "server",
            "fs",
            "tool",
            "read_file",
            "fingerprint",
            fingerprint);

    HttpResponse<String> noToken =
        h.post(
            "/console/tools/accept",
            session,
            form("agent", AGENT, "server", "fs", "tool", "read_file", "fingerprint", fingerprint),
            Map.of());
    assertThat(noToken.statusCode()).isEqualTo(403);
    assertThat(noToken.body()).contains("security token");
    HttpResponse<String> crossSite =
        h.post("/console/tools/accept", session, accept, Map.of("Sec-Fetch-Site", "cross-site"));
    assertThat(crossSite.statusCode()).isEqualTo(403);
    assertThat(pins.check(AGENT, "fs", readFile(HOSTILE), List.of()).shown()).isFalse();

    HttpResponse<String> done = h.post("/console/tools/accept", session, accept, Map.of());
    assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
    assertThat(done.body()).contains("id=\"done\"", "Accepted fs.read_file for " + AGENT);
    assertThat(section(done.body(), "accepted-tools")).contains(fingerprint, "admin-1");
    assertThat(section(done.body(), "superseded-tools"))
        .contains(held.accepted().fingerprint(), "action=\"/console/tools/accept\"");
    assertThat(done.body()).contains("id=\"pending-tools\">None.");
    assertThat(pins.check(AGENT, "fs", readFile(HOSTILE), List.of()).shown()).isTrue();
    assertThat(
            h
                .store
                .audit()
                .search(
                    new AuditQuery(
                        null, null, null, null, AuditEntry.Kind.TOOL, null, null, null, 0, 100))
                .stream()
                .map(a -> a.entry().detail())
                .filter(d -> "accepted".equals(d.get("event"))))
        .singleElement()
        .satisfies(
            d ->
                assertThat(d)
                    .containsEntry("by", "admin-1")
                    .containsEntry("fingerprint", fingerprint));

    Map<String, String> unknown = new java.util.LinkedHashMap<>(accept);
    unknown.put("fingerprint", "sha256:" + "0".repeat(64));
    HttpResponse<String> missing = h.post("/console/tools/accept", session, unknown, Map.of());
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body()).contains("id=\"error\"", "No such definition of fs.read_file");
  }

  @Test
  void approversAndAuditorsSeeButOnlyAdminsAccept() throws Exception {
    ToolPins.Verdict held = rugPull();
    for (String person : List.of("approver-1", "auditor-1")) {
      String session = h.signIn(person);
      HttpResponse<String> page = h.get("/console/tools", session);
      assertThat(page.statusCode()).as(person).isEqualTo(200);
      HttpResponse<String> accept =
          h.post(
              "/console/tools/accept",
              session,
              form(
                  "csrf",
                  csrf(page.body()),
                  "agent",
                  AGENT,
                  "server",
                  "fs",
                  "tool",
                  "read_file",
                  "fingerprint",
                  held.pin().fingerprint()),
              Map.of());
      assertThat(accept.statusCode()).as(person).isEqualTo(403);
      assertThat(accept.body()).contains("does not allow");
    }
    assertThat(
            h.store.toolPins().list().stream()
                .filter(p -> p.status() == ToolPinRecord.Status.PENDING))
        .hasSize(1);
  }
}
