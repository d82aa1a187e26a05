package dev.tollgate.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.api.SessionSpec;
import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.client.TollgateClient;
import dev.tollgate.engine.Bundle;
import dev.tollgate.json.ApiJson;
import dev.tollgate.server.People;
import dev.tollgate.server.Tokens;
import dev.tollgate.server.TollgateServer;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real server on a real store (SQLite or PostgreSQL), with people in each role and an agent. The
 * policies are the invoice example's, plus one that asks for four eyes on {@code invoices.pay}.
 */
final class ConsoleHarness implements AutoCloseable {
  static final String PASSWORD = "correct horse battery staple";
  private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

  /** How far the server's clock runs ahead of the real one. */
  final AtomicReference<Duration> ahead = new AtomicReference<>(Duration.ZERO);

  final JdbcStore store;
  final TollgateServer server;
  final String agentToken;
  final HttpClient http = HttpClient.newHttpClient();
  private final Path bundle;

  ConsoleHarness(StoreConfig config) throws Exception {
    bundle = Files.createTempDirectory("tollgate-console-bundle");
    Path example = Path.of("..", "examples", "invoice-vendor-mail");
    for (String file : List.of("agents.yaml", "catalog.yaml", "policies.yaml")) {
      Files.copy(example.resolve(file), bundle.resolve(file));
    }
    Files.writeString(
        bundle.resolve("four-eyes.yaml"),
        """
        policies:
          - name: payments-need-four-eyes
            description: Two people approve a payment, neither of them the user an agent pays for.
            match: {tools: ["invoices.pay"]}
            effect: ask
            approval: {fourEyes: true}
        """);
    store = JdbcStore.open(config);
    agentToken = Tokens.newToken();
    store.credentials().add("invoice-bot", Tokens.hash(agentToken), Instant.now());
    People people = new People(store, InstantSource.system());
    for (String role : List.of("approver", "admin", "auditor")) {
      people.add("test", role + "-1", Set.of(role), PASSWORD.toCharArray());
    }
    InstantSource clock = () -> Instant.now().plus(ahead.get());
    server =
        TollgateServer.builder()
            .port(0)
            .store(store)
            .clock(clock)
            .bundle(Bundle.load(bundle))
            .auditVerifier(() -> "ok: verified by the test")
            .start();
  }

  TollgateClient agent() {
    return TollgateClient.connect(server.uri(), "invoice-bot", agentToken);
  }

  /**
   * Sends mail outside the company over raw HTTP (the decision as JSON, with its approval and
   * grant): with an invoice number in the body, an ask.
   */
  JsonNode askToMail(String session, String body) throws Exception {
    return decide(session, "email.send", Map.of("to", List.of("ap@globex.example"), "body", body));
  }

  /** One action of the agent for alice over raw HTTP: the decision as JSON. */
  JsonNode decide(String session, String tool, Map<String, Object> args) throws Exception {
    String json =
        ApiJson.mapper()
            .writeValueAsString(
                Map.of(
                    "session", session, "user", "alice@acme.example", "tool", tool, "args", args));
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(server.uri().resolve("/v1/decide"))
                .header("Authorization", "Bearer " + agentToken)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return ApiJson.readTree(r.body());
  }

  String session() {
    return agent().openSession(SessionSpec.of("alice@acme.example", "Chase the Globex invoices"));
  }

  HttpResponse<String> get(String path, String cookie) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(server.uri().resolve(path)).GET();
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(
      String path, String cookie, Map<String, String> form, Map<String, String> headers)
      throws Exception {
    return postRaw(
        path,
        cookie,
        form.entrySet().stream()
            .map(
                e ->
                    URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                        + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
            .collect(Collectors.joining("&")),
        headers);
  }

  /** Posts a form body exactly as given. */
  HttpResponse<String> postRaw(String path, String cookie, String body, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(server.uri().resolve(path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    headers.forEach(b::header);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Signs in and returns the session cookie ({@code name=value}). */
  String signIn(String name) throws Exception {
    HttpResponse<String> r =
        post("/console/login", null, Map.of("name", name, "password", PASSWORD), Map.of());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
    String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
    return setCookie.substring(0, setCookie.indexOf(';'));
  }

  /** The CSRF token in the forms of a page. */
  static String csrf(String html) {
    Matcher m = CSRF.matcher(html);
    assertThat(m.find()).as("a form with a CSRF token in " + html).isTrue();
    return m.group(1);
  }

  static Map<String, String> form(String... kv) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      out.put(kv[i], kv[i + 1]);
    }
    return out;
  }

  /** The details of every audit record of kind {@code person}, oldest first. */
  List<Map<String, Object>> personEvents() {
    return store
        .audit()
        .search(
            new AuditQuery(
                null, null, null, null, AuditEntry.Kind.PERSON, null, null, null, 0, 10_000))
        .stream()
        .map(r -> r.entry().detail())
        .toList();
  }

  /** Every audit record as JSON, one per line: to check what the log never holds. */
  String auditText() {
    return store.audit().search(AuditQuery.after(0, 100_000)).stream()
        .map(ApiJson::write)
        .collect(Collectors.joining("\n"));
  }

  /** The session cookie ({@code name=value}) a response sets. */
  static String cookieOf(HttpResponse<String> r) {
    String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
    return setCookie.substring(0, setCookie.indexOf(';'));
  }

  /** Signs in with a password and returns the response. */
  HttpResponse<String> signIn(String name, String password) throws Exception {
    return post("/console/login", null, Map.of("name", name, "password", password), Map.of());
  }

  void skip(Duration d) {
    ahead.updateAndGet(a -> a.plus(d));
  }

  @Override
  public void close() {
    server.close();
    store.close();
    try (Stream<Path> files = Files.list(bundle)) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
      Files.delete(bundle);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
