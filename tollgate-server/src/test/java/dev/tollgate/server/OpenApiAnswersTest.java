package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.engine.BundleException;
import dev.tollgate.engine.ToolPins;
import dev.tollgate.json.ApiJson;
import dev.tollgate.store.jdbc.StoreConfig;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API document says what the server answers, through the real server: every route is called
 * without credentials, with each kind of credential and an empty object, with the wrong content
 * type and a body over the limit, and along its successful path (a session, decisions of each
 * effect, an approval approved and one denied, a grant revoked twice, a pause resumed and
 * ended...). Each answer's status must be one the document lists for that operation, and its body
 * must match the schema documented for that status (required fields present, no undocumented field
 * where the schema closes the object, types and enums as written). Every operation must have been
 * seen answering its documented success, and every secured one its 401. {@link OpenApiRoutesTest}
 * holds the routes themselves to the document.
 */
class OpenApiAnswersTest {
  private static final int MAX_BODY = 4096;

  @TempDir Path data;

  private ServerFixture fixture;
  private JsonNode doc;
  private String admin;

  /** Statuses seen per operation ({@code METHOD /path} as documented). */
  private final Map<String, Set<Integer>> seen = new TreeMap<>();

  private final List<String> problems = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    // From a directory rather than a bundle: reload has something to load.
    fixture =
        ServerFixture.on(StoreConfig.sqlite(data))
            .options(
                b -> {
                  try {
                    b.maxBodyBytes(MAX_BODY).policies(ServerFixture.INVOICE_EXAMPLE).watch(false);
                  } catch (BundleException e) {
                    throw new IllegalStateException(e);
                  }
                })
            .start();
    admin = fixture.addAdmin("carol");
    doc = ApiJson.readTree(fixture.get("/v1/openapi.json").body());
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  @Test
  void everyAnswerIsDocumentedWithItsStatusAndShape() throws Exception {
    List<String> operations = operations();
    // Credentials, query, content type and size, on every operation.
    for (String op : operations) {
      String method = op.substring(0, op.indexOf(' '));
      String path = op.substring(op.indexOf(' ') + 1).replace("{id}", "x1");
      HttpResponse<String> none = call(op, method, path, null, "application/json", "{}");
      if (!isOpen(operation(op)) || path.equals("/metrics")) {
        // /metrics is open only when the server is told so (--metrics-open)
        expect(op, none, 401);
      }
      call(op, method, path, fixture.token, "application/json", "{}");
      call(op, method, path, admin, "application/json", "{}");
      if (method.equals("POST")) {
        String who = op.contains("/sessions") || isAgentOnly(op) ? fixture.token : admin;
        expect(op, call(op, method, path, who, "text/plain", "{}"), 415);
        String big = "{\"x\":\"" + "a".repeat(MAX_BODY) + "\"}";
        expect(op, call(op, method, path, who, "application/json", big), 413);
      }
    }
    successfulPaths();

    for (String op : operations) {
      Set<Integer> statuses = seen.getOrDefault(op, Set.of());
      String success = successOf(op);
      if (!success.isEmpty()) {
        assertThat(statuses).as(op + " answered its success " + success).contains(success(op));
      }
      if (!isOpen(operation(op)) || op.equals("GET /metrics")) {
        assertThat(statuses).as(op + " answered 401").contains(401);
      }
    }
    assertThat(problems).isEmpty();
  }

  /** The successful path of each operation, and its documented refusals on the way. */
  private void successfulPaths() throws Exception {
    String agent = fixture.token;
    JsonNode session =
        expect(
            "POST /v1/sessions",
            post(
                agent,
                "/v1/sessions",
                "{\"id\":\"s-1\",\"user\":\"alice@acme.example\",\"request\":\"Tell Globex we need"
                    + " their W-9\",\"task\":{\"tools\":[\"invoices.*\",\"email.send\"]}}"),
            201);
    expect(
        "POST /v1/sessions",
        post(agent, "/v1/sessions", "{\"id\":\"s-1\",\"user\":\"alice@acme.example\"}"),
        409);
    expect(
        "POST /v1/sessions",
        post(agent, "/v1/sessions", "{\"id\":\"bad id\",\"user\":\"a\"}"),
        400);
    String s = session.path("id").asText();
    JsonNode allow =
        expect(
            "POST /v1/decide",
            post(
                agent,
                "/v1/decide",
                "{\"session\":\""
                    + s
                    + "\",\"tool\":\"invoices.search\",\"args\":{\"vendor\":\"Globex\"}}"),
            200);
    assertThat(allow.path("effect").asText()).isEqualTo("allow");
    expect(
        "POST /v1/decide",
        post(agent, "/v1/decide", "{\"session\":\"nope\",\"tool\":\"invoices.search\"}"),
        404);
    expect(
        "POST /v1/decide",
        post(agent, "/v1/decide", "{\"tool\":\"invoices.search\",\"requestId\":\"r-1\"}"),
        200);
    expect(
        "POST /v1/decide",
        post(agent, "/v1/decide", "{\"tool\":\"invoices.get\",\"requestId\":\"r-1\"}"),
        409);
    expect(
        "POST /v1/observe",
        post(
            agent,
            "/v1/observe",
            "{\"session\":\""
                + s
                + "\",\"tool\":\"invoices.search\",\"decision\":\""
                + allow.path("id").asText()
                + "\",\"result\":{\"invoice\":4471,\"iban\":\"DE89 3704 0044 0532 0130 00\"}}"),
        200);
    expect(
        "POST /v1/observe",
        post(agent, "/v1/observe", "{\"session\":\"nope\",\"tool\":\"invoices.search\"}"),
        404);
    expect(
        "GET /v1/decisions/{id}",
        fixture.get(agent, "/v1/decisions/" + allow.path("id").asText()),
        200);
    String approvalId = ask(agent, s, "Invoice 4471 is overdue");
    expect("GET /v1/approvals/{id}", fixture.get(agent, "/v1/approvals/" + approvalId), 200);
    expect(
        "GET /v1/approvals/{id}",
        fixture.get(agent, "/v1/approvals/" + approvalId + "?wait=1x"),
        400);
    expect("GET /v1/approvals/{id}", fixture.get(admin, "/v1/approvals/" + approvalId), 200);
    expect("GET /v1/approvals", fixture.get(admin, "/v1/approvals?status=pending&limit=5"), 200);
    expect("GET /v1/approvals", fixture.get(admin, "/v1/approvals?status=maybe"), 400);
    JsonNode approved =
        expect(
            "POST /v1/approvals/{id}/approve",
            post(admin, "/v1/approvals/" + approvalId + "/approve", "{\"note\":\"ok\"}"),
            200);
    expect(
        "POST /v1/approvals/{id}/approve",
        post(admin, "/v1/approvals/" + approvalId + "/approve", "{}"),
        409);
    expect(
        "GET /v1/approvals/{id}",
        fixture.get(agent, "/v1/approvals/" + approvalId + "?wait=1s"),
        200);
    String other = ask(agent, s, "Invoice 4472 is overdue");
    expect(
        "POST /v1/approvals/{id}/approve",
        post(admin, "/v1/approvals/" + other + "/approve", "{\"scope\":{\"subject\":\"planet\"}}"),
        400);
    expect(
        "POST /v1/approvals/{id}/deny",
        post(admin, "/v1/approvals/" + other + "/deny", "{\"note\":\"not to this vendor\"}"),
        200);
    expect(
        "POST /v1/approvals/{id}/deny",
        post(admin, "/v1/approvals/" + other + "/deny", "{\"note\":\"again\"}"),
        409);
    expect("GET /v1/grants", fixture.get(admin, "/v1/grants?active=false"), 200);
    expect("GET /v1/grants", fixture.get(admin, "/v1/grants?limit=0"), 400);
    String grant = approved.path("grant").asText();
    expect("POST /v1/grants/{id}/revoke", post(admin, "/v1/grants/" + grant + "/revoke", ""), 200);
    expect("POST /v1/grants/{id}/revoke", post(admin, "/v1/grants/" + grant + "/revoke", ""), 409);
    expect(
        "POST /v1/grants/requests",
        post(
            agent,
            "/v1/grants/requests",
            "{\"tool\":\"email.*\",\"reason\":\"month end\",\"ttl\":\"30m\",\"uses\":3,"
                + "\"session\":\""
                + s
                + "\"}"),
        201);
    expect(
        "POST /v1/grants/requests",
        post(
            agent,
            "/v1/grants/requests",
            "{\"tool\":\"email.*\",\"reason\":\"r\",\"session\":\"nope\"}"),
        404);
    String pause = "{\"scope\":\"session\",\"agent\":\"invoice-bot\",\"session\":\"" + s + "\"";
    expect("POST /v1/pauses", post(admin, "/v1/pauses", pause + ",\"reason\":\"check\"}"), 201);
    expect("GET /v1/pauses", fixture.get(admin, "/v1/pauses"), 200);
    JsonNode paused = expect("POST /v1/decide", post(agent, "/v1/decide", action(s, "x")), 200);
    assertThat(paused.path("effect").asText()).isEqualTo("deny");
    expect("POST /v1/pauses/resume", post(admin, "/v1/pauses/resume", pause + "}"), 200);
    expect("POST /v1/pauses/resume", post(admin, "/v1/pauses/resume", pause + "}"), 404);
    expect(
        "POST /v1/pauses/end",
        post(admin, "/v1/pauses/end", "{\"agent\":\"invoice-bot\",\"session\":\"" + s + "\"}"),
        200);
    // A gateway's rug pull: a tool's first definition pinned, then a changed one held for a person.
    ToolPins pins = fixture.server.engine().toolPins();
    pins.check(
        ServerFixture.AGENT, "fs", Map.of("name", "read_file", "description", "Read"), List.of());
    String changed =
        pins.check(
                ServerFixture.AGENT,
                "fs",
                Map.of("name", "read_file", "description", "Run"),
                List.of())
            .pin()
            .fingerprint();
    expect("GET /v1/tools", fixture.get(admin, "/v1/tools?status=pending"), 200);
    expect("GET /v1/tools", fixture.get(admin, "/v1/tools?status=maybe"), 400);
    expect(
        "POST /v1/tools/accept",
        post(
            admin,
            "/v1/tools/accept",
            "{\"agent\":\"invoice-bot\",\"server\":\"fs\",\"tool\":\"read_file\",\"fingerprint\":\""
                + changed
                + "\"}"),
        200);
    expect("GET /v1/tools", fixture.get(admin, "/v1/tools"), 200);
    expect(
        "POST /v1/tools/accept",
        post(
            admin,
            "/v1/tools/accept",
            "{\"agent\":\"a\",\"server\":\"s\",\"tool\":\"t\",\"fingerprint\":\"sha256:00\"}"),
        404);
    expect("POST /v1/admin/reload", post(admin, "/v1/admin/reload", ""), 200);
    expect("GET /metrics", fixture.get(admin, "/metrics"), 200);
    expect("POST /v1/noop", post(agent, "/v1/noop", "{\"tool\":\"x\"}"), 200);
    for (String open : List.of("/health", "/ready", "/v1/openapi.json")) {
      expect("GET " + open, fixture.get(open), 200);
    }
  }

  /** Asks to mail Globex {@code body} in session {@code s}; returns the approval's id. */
  private String ask(String agent, String s, String body) throws Exception {
    JsonNode d = expect("POST /v1/decide", post(agent, "/v1/decide", action(s, body)), 200);
    assertThat(d.path("effect").asText()).as(d.toString()).isEqualTo("ask");
    return d.path("approval").path("id").asText();
  }

  private static String action(String session, String body) {
    return "{\"session\":\""
        + session
        + "\",\"tool\":\"email.send\",\"args\":{\"to\":[\"ap@globex.example\"],\"body\":\""
        + body
        + "\"}}";
  }

  private HttpResponse<String> post(String bearer, String path, String body) throws Exception {
    return fixture.post(bearer, path, body);
  }

  /** Records {@code r} for {@code op}, asserts its status, and returns its JSON body. */
  private JsonNode expect(String op, HttpResponse<String> r, int status) throws Exception {
    check(op, r);
    assertThat(r.statusCode()).as(op + ": " + r.body()).isEqualTo(status);
    boolean json = r.headers().firstValue("Content-Type").orElse("").startsWith("application/json");
    return json ? ApiJson.readTree(r.body()) : ApiJson.mapper().nullNode();
  }

  private HttpResponse<String> call(
      String op, String method, String path, String bearer, String type, String body)
      throws Exception {
    HttpRequest.Builder b =
        fixture
            .request(path)
            .method(
                method,
                method.equals("GET")
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (!method.equals("GET")) {
      b.header("Content-Type", type);
    }
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    HttpResponse<String> r = fixture.send(b);
    check(op, r);
    return r;
  }

  /** The answer's status is documented for {@code op}, and its body matches that schema. */
  private void check(String op, HttpResponse<String> r) throws Exception {
    seen(op, r.statusCode());
    JsonNode response = resolve(operation(op).path("responses").path("" + r.statusCode()));
    if (response.isMissingNode()) {
      problems.add(op + " answered undocumented " + r.statusCode() + ": " + r.body());
      return;
    }
    JsonNode schema = response.path("content").path("application/json").path("schema");
    String type = r.headers().firstValue("Content-Type").orElse("");
    if (schema.isMissingNode()) {
      assertThat(response.path("content").fieldNames().hasNext())
          .as(op + " " + r.statusCode() + " documents its content")
          .isTrue();
      return;
    }
    if (!type.startsWith("application/json")) {
      problems.add(op + " " + r.statusCode() + " answered " + type + ", documented JSON");
      return;
    }
    validate(op + " " + r.statusCode() + " $", ApiJson.readTree(r.body()), schema);
  }

  private void seen(String op, int status) {
    seen.computeIfAbsent(op, k -> new TreeSet<>()).add(status);
  }

  // ---- the document ----

  private List<String> operations() {
    List<String> out = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> p = doc.path("paths").fields(); p.hasNext(); ) {
      Map.Entry<String, JsonNode> path = p.next();
      for (Iterator<String> m = path.getValue().fieldNames(); m.hasNext(); ) {
        out.add(m.next().toUpperCase(Locale.ROOT) + " " + path.getKey());
      }
    }
    return out;
  }

  private JsonNode operation(String op) {
    String method = op.substring(0, op.indexOf(' ')).toLowerCase(Locale.ROOT);
    return doc.path("paths").path(op.substring(op.indexOf(' ') + 1)).path(method);
  }

  /** No credentials needed: {@code security: []}, or an alternative with no scheme. */
  private static boolean isOpen(JsonNode operation) {
    JsonNode security = operation.path("security");
    if (security.isArray() && security.isEmpty()) {
      return true;
    }
    for (JsonNode alternative : security) {
      if (alternative.isEmpty()) {
        return true;
      }
    }
    return false;
  }

  private boolean isAgentOnly(String op) {
    JsonNode security = operation(op).path("security");
    return security.size() == 1 && security.get(0).has("agentToken");
  }

  private String successOf(String op) {
    for (Iterator<String> codes = operation(op).path("responses").fieldNames(); codes.hasNext(); ) {
      String code = codes.next();
      if (code.startsWith("2")) {
        return code;
      }
    }
    return "";
  }

  private int success(String op) {
    return Integer.parseInt(successOf(op));
  }

  private JsonNode resolve(JsonNode node) {
    JsonNode ref = node.path("$ref");
    if (!ref.isTextual()) {
      return node;
    }
    JsonNode target = doc;
    for (String part : ref.asText().substring(2).split("/")) {
      target = target.path(part);
    }
    assertThat(target.isMissingNode()).as("unresolved " + ref.asText()).isFalse();
    return resolve(target);
  }

  // ---- a small JSON Schema check: what the document uses, no more ----

  private void validate(String at, JsonNode value, JsonNode schema) {
    List<String> found = new ArrayList<>();
    validate(at, value, schema, found);
    problems.addAll(found);
  }

  private void validate(String at, JsonNode value, JsonNode schemaOrRef, List<String> out) {
    JsonNode schema = resolve(schemaOrRef);
    if (schema.has("oneOf")) {
      for (JsonNode alternative : schema.path("oneOf")) {
        List<String> tried = new ArrayList<>();
        validate(at, value, alternative, tried);
        if (tried.isEmpty()) {
          return;
        }
      }
      out.add(at + ": matches none of oneOf: " + value);
      return;
    }
    if (schema.has("const") && !schema.path("const").equals(value)) {
      out.add(at + ": not " + schema.path("const") + ": " + value);
    }
    if (schema.has("enum")) {
      boolean listed = false;
      for (JsonNode e : schema.path("enum")) {
        listed |= e.equals(value);
      }
      if (!listed) {
        out.add(at + ": " + value + " not in " + schema.path("enum"));
      }
    }
    JsonNode type = schema.path("type");
    if (!type.isMissingNode()) {
      boolean ok = false;
      for (JsonNode t : type.isArray() ? type : ApiJson.mapper().createArrayNode().add(type)) {
        ok |= hasType(value, t.asText());
      }
      if (!ok) {
        out.add(at + ": not " + type + ": " + value);
        return;
      }
    }
    if (value.isObject()) {
      for (JsonNode required : schema.path("required")) {
        if (!value.has(required.asText())) {
          out.add(at + ": missing " + required.asText() + " in " + value);
        }
      }
      JsonNode properties = schema.path("properties");
      for (Iterator<Map.Entry<String, JsonNode>> f = value.fields(); f.hasNext(); ) {
        Map.Entry<String, JsonNode> field = f.next();
        if (properties.has(field.getKey())) {
          validate(
              at + "." + field.getKey(), field.getValue(), properties.get(field.getKey()), out);
        } else if (schema.path("additionalProperties").isBoolean()
            && !schema.path("additionalProperties").asBoolean()) {
          out.add(at + ": undocumented field " + field.getKey());
        }
      }
    }
    if (value.isArray() && schema.has("items")) {
      int i = 0;
      for (JsonNode item : value) {
        validate(at + "[" + i++ + "]", item, schema.path("items"), out);
      }
    }
  }

  private static boolean hasType(JsonNode value, String type) {
    return switch (type) {
      case "object" -> value.isObject();
      case "array" -> value.isArray();
      case "string" -> value.isTextual();
      case "integer" -> value.isIntegralNumber();
      case "number" -> value.isNumber();
      case "boolean" -> value.isBoolean();
      case "null" -> value.isNull();
      default -> false;
    };
  }
}
