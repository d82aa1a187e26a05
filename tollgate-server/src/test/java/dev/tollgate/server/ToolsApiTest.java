package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.api.store.AuditRecord;
import dev.tollgate.engine.ToolPins;
import dev.tollgate.json.ApiJson;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /v1/tools} and {@code POST /v1/tools/accept} on a real server and SQLite store: the
 * definitions are recorded as a gateway records them, through the engine's {@link ToolPins}, and an
 * acceptance through the API is what the gateway's next check sees.
 */
class ToolsApiTest {
  private static final String AGENT = "desk-assistant";

  private static final Map<String, Object> FIRST =
      Map.of(
          "name",
          "read_file",
          "description",
          "Read a text file.",
          "inputSchema",
          Map.of("type", "object", "properties", Map.of("path", Map.of("type", "string"))));

  private static final Map<String, Object> CHANGED =
      Map.of(
          "name",
          "read_file",
          "description",
          "Read a text file, and list its folder.",
          "inputSchema",
          Map.of("type", "object", "properties", Map.of("path", Map.of("type", "string"))));

  @TempDir Path dir;
  private ServerFixture fixture;
  private String admin;
  private ToolPins pins;

  @BeforeEach
  void start() throws Exception {
    fixture = ServerFixture.sqlite(dir);
    admin = fixture.addAdmin("ops");
    pins = fixture.server.engine().toolPins();
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  /** A first definition pinned, then a changed one held: the usual rug pull. */
  private ToolPins.Verdict pinThenChange() {
    assertThat(pins.check(AGENT, "fs", FIRST, List.of()).shown()).isTrue();
    ToolPins.Verdict changed = pins.check(AGENT, "fs", CHANGED, List.of());
    assertThat(changed.shown()).isFalse();
    return changed;
  }

  private JsonNode tools(String query) throws Exception {
    HttpResponse<String> r = fixture.get(admin, "/v1/tools" + query);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return ApiJson.readTree(r.body()).path("tools");
  }

  private static JsonNode only(JsonNode tools, String status) {
    List<JsonNode> found = new ArrayList<>();
    tools.forEach(t -> found.add(t));
    List<JsonNode> of =
        found.stream().filter(t -> t.path("status").asText().equals(status)).toList();
    assertThat(of).as(status + " in " + tools).hasSize(1);
    return of.getFirst();
  }

  private static List<String> lines(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private String acceptBody(String fingerprint) {
    return ApiJson.write(
        Map.of("agent", AGENT, "server", "fs", "tool", "read_file", "fingerprint", fingerprint));
  }

  @Test
  void aChangedDefinitionIsListedPendingWithWhatChanged() throws Exception {
    ToolPins.Verdict changed = pinThenChange();
    JsonNode all = tools("");
    assertThat(all).hasSize(2);

    JsonNode pending = only(all, "pending");
    assertThat(pending.path("agent").asText()).isEqualTo(AGENT);
    assertThat(pending.path("server").asText()).isEqualTo("fs");
    assertThat(pending.path("tool").asText()).isEqualTo("read_file");
    assertThat(pending.path("name").asText()).isEqualTo("fs.read_file");
    assertThat(pending.path("fingerprint").asText()).isEqualTo(changed.pin().fingerprint());
    assertThat(pending.path("accepted").asText()).isEqualTo(changed.accepted().fingerprint());
    assertThat(pending.path("concerns")).isEmpty();
    assertThat(pending.path("decidedBy").isNull()).isTrue();
    assertThat(pending.path("seenAt").asText()).isNotEmpty();
    assertThat(pending.path("definition").asText()).contains("and list its folder");
    assertThat(lines(pending.path("diff")))
        .contains(
            "-   \"description\" : \"Read a text file.\",",
            "+   \"description\" : \"Read a text file, and list its folder.\",",
            "    \"name\" : \"read_file\"");

    JsonNode accepted = only(all, "accepted");
    assertThat(accepted.path("decidedBy").asText()).isEqualTo("first-use");
    assertThat(accepted.has("diff")).as("an accepted definition has nothing to compare").isFalse();

    JsonNode onlyPending = tools("?status=pending");
    assertThat(onlyPending).hasSize(1);
    assertThat(onlyPending.get(0).path("fingerprint").asText())
        .isEqualTo(changed.pin().fingerprint());
    assertThat(tools("?status=superseded")).isEmpty();
  }

  @Test
  void acceptingTheChangedDefinitionShowsTheToolAgainSupersedesTheOldOneAndIsAudited()
      throws Exception {
    ToolPins.Verdict changed = pinThenChange();
    String fingerprint = changed.pin().fingerprint();

    HttpResponse<String> r = fixture.post(admin, "/v1/tools/accept", acceptBody(fingerprint));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode done = ApiJson.readTree(r.body());
    assertThat(done.path("status").asText()).isEqualTo("accepted");
    assertThat(done.path("fingerprint").asText()).isEqualTo(fingerprint);
    assertThat(done.path("decidedBy").asText()).isEqualTo(TollgateServer.ADMIN_PREFIX + ":ops");
    assertThat(done.path("decidedAt").asText()).isNotEmpty();

    // what the gateway sees next: the changed definition is in use
    assertThat(pins.check(AGENT, "fs", CHANGED, List.of()).shown()).isTrue();
    assertThat(pins.check(AGENT, "fs", FIRST, List.of()).shown()).isFalse();

    JsonNode all = tools("");
    assertThat(only(all, "accepted").path("fingerprint").asText()).isEqualTo(fingerprint);
    JsonNode superseded = only(all, "superseded");
    assertThat(superseded.path("fingerprint").asText()).isEqualTo(changed.accepted().fingerprint());
    assertThat(superseded.path("accepted").asText()).isEqualTo(fingerprint);
    assertThat(lines(superseded.path("diff")))
        .contains("+   \"description\" : \"Read a text file.\",");

    List<AuditRecord> accepted =
        fixture.audit().stream()
            .filter(
                a ->
                    a.entry().kind() == AuditEntry.Kind.TOOL
                        && "accepted".equals(a.entry().detail().get("event")))
            .toList();
    assertThat(accepted).hasSize(1);
    AuditEntry entry = accepted.getFirst().entry();
    assertThat(entry.agent()).isEqualTo(AGENT);
    assertThat(entry.tool()).isEqualTo("fs.read_file");
    assertThat(entry.detail())
        .containsEntry("fingerprint", fingerprint)
        .containsEntry("by", TollgateServer.ADMIN_PREFIX + ":ops");
  }

  @Test
  void onlyAdminsListOrAccept() throws Exception {
    String fingerprint = pinThenChange().pin().fingerprint();
    HttpResponse<String> list = fixture.get(fixture.token, "/v1/tools");
    assertThat(list.statusCode()).as(list.body()).isEqualTo(403);
    assertThat(ServerFixture.error(list).path("code").asText()).isEqualTo("forbidden");
    HttpResponse<String> accept =
        fixture.post(fixture.token, "/v1/tools/accept", acceptBody(fingerprint));
    assertThat(accept.statusCode()).as(accept.body()).isEqualTo(403);
    assertThat(fixture.get("/v1/tools").statusCode()).isEqualTo(401);
    assertThat(tools("?status=pending")).hasSize(1);
  }

  @Test
  void aBadQueryOrBodyIsA400ThatSaysWhatToFixAndAnUnknownDefinitionA404() throws Exception {
    String fingerprint = pinThenChange().pin().fingerprint();

    HttpResponse<String> status = fixture.get(admin, "/v1/tools?status=pendng");
    assertThat(status.statusCode()).as(status.body()).isEqualTo(400);
    JsonNode statusError = ServerFixture.error(status);
    assertThat(statusError.path("field").asText()).isEqualTo("status");
    assertThat(statusError.path("message").asText()).contains("pendng", "pending");

    HttpResponse<String> unknownField =
        fixture.post(
            admin,
            "/v1/tools/accept",
            "{\"agent\":\"desk-assistant\",\"server\":\"fs\",\"tool\":\"read_file\","
                + "\"fingerprint\":\""
                + fingerprint
                + "\",\"by\":\"mallory\"}");
    assertThat(unknownField.statusCode()).as(unknownField.body()).isEqualTo(400);
    assertThat(ServerFixture.error(unknownField).path("field").asText()).isEqualTo("/by");
    assertThat(ServerFixture.error(unknownField).path("message").asText())
        .contains("unknown field `by`", "agent, fingerprint, server, tool");

    HttpResponse<String> missing =
        fixture.post(admin, "/v1/tools/accept", "{\"agent\":\"desk-assistant\",\"server\":\"fs\"}");
    assertThat(missing.statusCode()).as(missing.body()).isEqualTo(400);
    assertThat(ServerFixture.error(missing).path("message").asText()).contains("missing field");

    HttpResponse<String> notText =
        fixture.post(
            admin,
            "/v1/tools/accept",
            "{\"agent\":\"desk-assistant\",\"server\":\"fs\",\"tool\":\"read_file\","
                + "\"fingerprint\":42}");
    assertThat(notText.statusCode()).as(notText.body()).isEqualTo(400);
    assertThat(ServerFixture.error(notText).path("field").asText()).isEqualTo("/fingerprint");

    HttpResponse<String> unknown =
        fixture.post(admin, "/v1/tools/accept", acceptBody("sha256:" + "0".repeat(64)));
    assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(404);
    assertThat(ServerFixture.error(unknown).path("code").asText()).isEqualTo("not_found");
    assertThat(ServerFixture.error(unknown).path("message").asText())
        .contains("fs.read_file", AGENT, "GET /v1/tools");

    // nothing was accepted by any of them
    assertThat(tools("?status=pending")).hasSize(1);
    assertThat(
            fixture.audit().stream()
                .filter(
                    a ->
                        a.entry().kind() == AuditEntry.Kind.TOOL
                            && "accepted".equals(a.entry().detail().get("event"))))
        .isEmpty();
  }
}
