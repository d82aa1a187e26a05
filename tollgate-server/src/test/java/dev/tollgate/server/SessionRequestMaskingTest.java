package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.api.store.SessionRecord;
import dev.tollgate.engine.Bundle;
import dev.tollgate.json.ApiJson;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A session's request and task through the real server on SQLite: mail addresses, phone numbers,
 * IBANs, cards and API keys in them reach neither the database file, nor the audit, nor the
 * console, nor the logs in clear, also when a policy's message quotes the request; and a policy
 * that asks unless the recipient was named by the user decides as before, also on a restarted
 * server and for a session stored in clear by an earlier version (masked when the server starts).
 */
class SessionRequestMaskingTest {
  static final String EMAIL = "jane.doe@globex.example";
  static final String PHONE = "+1 (415) 555-0100";
  static final String IBAN = "DE89 3704 0044 0532 0130 00";
  static final String CARD = "4111 1111 1111 1111";
  static final String KEY = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";

  /** Each clear value, also as digits or letters only, as a careless store might keep it. */
  static final List<String> CLEAR =
      List.of(
          EMAIL,
          "jane.doe@",
          PHONE,
          "4155550100",
          "415) 555-0100",
          IBAN,
          "DE89370400440532013000",
          CARD,
          "4111111111111111",
          KEY);

  static final String REQUEST =
      "Mail the invoice to "
          + EMAIL
          + " or text "
          + PHONE
          + "; pay to "
          + IBAN
          + " with card "
          + CARD
          + ", key "
          + KEY;

  static final String CATALOG =
      """
      tools:
        email.send: {kind: send, external: true, control: [to]}
        sms.send: {kind: send, external: true, control: [to]}
      """;
  static final String AGENTS =
      """
      agents:
        invoice-bot: {tools: ["email.send", "sms.send"]}
      """;
  static final String POLICIES =
      """
      policies:
        - name: recipient-named-by-the-user
          description: Mail or texts go only where the user said, or a person approves.
          match: {tools: ["email.send", "sms.send"]}
          when: provenance.to.origin != "request"
          effect: ask
          message: '"not named in the request `" + session.request + "` (" + session.task.contact + ")"'
      """;

  @TempDir Path dir;
  @TempDir Path bundleDir;

  private final HttpClient http = HttpClient.newHttpClient();
  private final List<String> logs = Collections.synchronizedList(new ArrayList<>());
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          logs.add(
              r.getLoggerName()
                  + " "
                  + r.getMessage()
                  + " "
                  + java.util.Arrays.toString(r.getParameters())
                  + " "
                  + r.getThrown());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  private JdbcStore store;
  private TollgateServer server;
  private String token;
  private final byte[] fingerprintKey = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  @BeforeEach
  void start() throws Exception {
    Logger.getLogger("").addHandler(capture);
    Files.writeString(bundleDir.resolve("catalog.yaml"), CATALOG);
    Files.writeString(bundleDir.resolve("agents.yaml"), AGENTS);
    Files.writeString(bundleDir.resolve("policies.yaml"), POLICIES);
    store = JdbcStore.open(StoreConfig.sqlite(dir));
    token = Tokens.newToken();
    store.credentials().add("invoice-bot", Tokens.hash(token), Instant.now());
    new People(store, InstantSource.system())
        .add("test", "approver-1", Set.of("approver", "auditor"), "correct horse".toCharArray());
    startServer();
  }

  private void startServer() throws Exception {
    server =
        TollgateServer.builder()
            .port(0)
            .store(store)
            .fingerprintKey(fingerprintKey)
            .bundle(Bundle.load(bundleDir))
            .start();
  }

  @AfterEach
  void stop() {
    Logger.getLogger("").removeHandler(capture);
    if (server != null) {
      server.close();
    }
    if (store != null) {
      store.close();
    }
  }

  @Test
  void noClearValueInTheStoreAuditConsoleOrLogsAndNamedRecipientsStillPass() throws Exception {
    HttpResponse<String> opened =
        post(
            "/v1/sessions",
            ApiJson.write(
                Map.of(
                    "id",
                    "s1",
                    "user",
                    "alice@acme.example",
                    "request",
                    REQUEST,
                    "task",
                    Map.of("contact", EMAIL + ", " + PHONE))));
    assertThat(opened.statusCode()).as(opened.body()).isEqualTo(201);

    assertThat(decide("email.send", EMAIL).path("effect").asText()).isEqualTo("allow");
    assertThat(decide("sms.send", "+1-415-555-0100").path("effect").asText()).isEqualTo("allow");
    JsonNode elsewhere = decide("email.send", "john.roe@globex.example");
    assertThat(elsewhere.path("effect").asText()).isEqualTo("ask");
    String reason = elsewhere.path("reasons").get(0).path("message").asText();
    assertThat(reason).startsWith("not named in the request `Mail the invoice to [email ");
    assertNoClearValue("the decision's reason", elsewhere.toString());

    // the console: the approval the ask opened (its reasons quote the request) and the audit
    String cookie = signIn();
    String approvalId = elsewhere.path("approval").path("id").asText();
    String console =
        get("/console/approvals", cookie)
            + get("/console/approvals/" + approvalId, cookie)
            + get("/console/audit", cookie)
            + get("/v1/decisions/" + elsewhere.path("id").asText(), null);
    assertThat(console).contains("not named in the request");
    assertNoClearValue("the console", console);

    // a restarted server knows the named recipients by their fingerprints in the stored request
    server.close();
    startServer();
    assertThat(decide("email.send", EMAIL).path("effect").asText()).isEqualTo("allow");
    assertThat(decide("sms.send", "+14155550100").path("effect").asText()).isEqualTo("allow");
    JsonNode after = decide("sms.send", "+1 415 555 0199");
    assertThat(after.path("effect").asText()).isEqualTo("ask");
    assertNoClearValue("the decision after a restart", after.toString());

    assertNoClearValue("the audit", auditText());
    assertNoClearValue("the logs", String.join("\n", logs));
    server.close();
    server = null;
    store.close();
    store = null;
    String files = files();
    assertThat(files).contains("Mail the invoice to ");
    assertNoClearValue("the data directory", files);
  }

  @Test
  void aSessionStoredInClearByAnEarlierVersionIsMaskedWhenTheServerStarts() throws Exception {
    server.close();
    // as version 9 of the schema left it: the request in clear, not marked masked
    store
        .sessions()
        .create(
            new SessionRecord(
                "invoice-bot/old",
                "invoice-bot",
                "alice@acme.example",
                REQUEST,
                Map.of("contact", EMAIL + ", " + PHONE),
                List.of(),
                List.of(),
                Instant.now()));
    try (Connection c =
            DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(StoreConfig.SQLITE_FILE));
        Statement s = c.createStatement()) {
      s.executeUpdate("UPDATE session SET masked = 0 WHERE id = 'invoice-bot/old'");
    }
    assertThat(store.sessions().unmasked(10)).hasSize(1);

    startServer();
    assertThat(store.sessions().unmasked(10)).isEmpty();
    SessionRecord stored = store.sessions().get("invoice-bot/old").orElseThrow();
    assertNoClearValue("the stored request", stored.request() + " " + stored.task());
    // and the recipient the user named is still named
    HttpResponse<String> r =
        post(
            "/v1/decide",
            ApiJson.write(
                Map.of(
                    "session",
                    "old",
                    "user",
                    "alice@acme.example",
                    "tool",
                    "email.send",
                    "args",
                    Map.of("to", EMAIL))));
    assertThat(ApiJson.readTree(r.body()).path("effect").asText()).as(r.body()).isEqualTo("allow");
    server.close();
    server = null;
    store.close();
    store = null;
    assertNoClearValue("the data directory", files());
  }

  private static void assertNoClearValue(String where, String text) {
    for (String clear : CLEAR) {
      assertThat(text.toLowerCase(java.util.Locale.ROOT))
          .as(where + " holds " + clear)
          .doesNotContain(clear.toLowerCase(java.util.Locale.ROOT));
    }
  }

  private JsonNode decide(String tool, String to) throws Exception {
    HttpResponse<String> r =
        post(
            "/v1/decide",
            ApiJson.write(
                Map.of(
                    "session",
                    "s1",
                    "user",
                    "alice@acme.example",
                    "tool",
                    tool,
                    "args",
                    Map.of("to", to, "body", "hello"))));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return ApiJson.readTree(r.body());
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(server.uri().resolve(path))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private String get(String path, String cookie) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(server.uri().resolve(path)).timeout(Duration.ofSeconds(30));
    b.header(
        cookie == null ? "Authorization" : "Cookie", cookie == null ? "Bearer " + token : cookie);
    HttpResponse<String> r = http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path + " " + r.body()).isEqualTo(200);
    return r.body();
  }

  private String signIn() throws Exception {
    String form =
        "name=approver-1&password=" + URLEncoder.encode("correct horse", StandardCharsets.UTF_8);
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(server.uri().resolve("/console/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
    String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
    return setCookie.substring(0, setCookie.indexOf(';'));
  }

  private String auditText() {
    return store.audit().search(AuditQuery.after(0, 100_000)).stream()
        .map(ApiJson::write)
        .collect(Collectors.joining("\n"));
  }

  /** Every file of the data directory, as bytes read as Latin-1 (UTF-8 text stays findable). */
  private String files() throws Exception {
    StringBuilder out = new StringBuilder();
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path f : all.filter(Files::isRegularFile).toList()) {
        out.append(new String(Files.readAllBytes(f), StandardCharsets.UTF_8));
      }
    }
    return out.toString();
  }
}
