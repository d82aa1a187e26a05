package dev.tollgate.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.Tollgate;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway over Streamable HTTP on both sides: clients (the Java SDK's and the official
 * TypeScript SDK's) post to it with a bearer token of its agent, and it reaches a server over
 * Streamable HTTP (a TypeScript SDK server that wants a token of its own). Allowed, denied and
 * redacted calls; a token refused; one Tollgate session per client conversation.
 */
class StreamableHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "tg_http-test-token-of-the-desk-agent";

  @TempDir static Path dir;
  static Gateways.Listening remote;
  static Gateways.Listening stateless;
  static JdbcStore store;
  static Tollgate tollgate;
  static McpGateway gateway;
  static String remoteUri;

  private static final java.time.Duration HEARTBEAT = Heartbeat.every;

  @BeforeAll
  static void start() throws Exception {
    // a heartbeat comment every millisecond lands between the lines of the answers' events: every
    // client here must read through them
    Heartbeat.every = java.time.Duration.ofMillis(1);
    remote = Gateways.listening("http-server.mjs", "upstream-secret");
    int port = remote.port();
    stateless = Gateways.listening("stateless-server.mjs");
    int statelessPort = stateless.port();
    remoteUri = "http://127.0.0.1:" + port + "/mcp";

    Path bundle = Files.createDirectories(dir.resolve("bundle"));
    Files.writeString(bundle.resolve("agents.yaml"), "defaults: {unprofiled: allow}\n");
    Files.writeString(
        bundle.resolve("policies.yaml"),
        """
        policies:
          - name: no-launch-codes
            match: {tools: [remote.echo, stateless.echo]}
            when: 'string(action.args.text).contains("launch codes")'
            effect: deny
            message: '"launch codes never leave"'
          - name: echo-masked
            match: {tools: [remote.echo]}
            effect: allow
            redact: mask
        """);
    store = JdbcStore.open(StoreConfig.sqlite(dir.resolve("data")));
    store.credentials().add("desk", sha256(TOKEN), Instant.now());
    store.credentials().add("other-agent", sha256("tg_another-agents-token"), Instant.now());
    tollgate = Tollgate.builder().store(store).bundle(Bundle.load(bundle)).build();
    GatewayConfig config =
        GatewayConfig.parse(
            "agent: desk\nlisten: 127.0.0.1:0\nservers:\n  remote:\n    url: http://127.0.0.1:"
                + port
                + "/mcp\n    headers: {Authorization: Bearer upstream-secret}\n"
                + "  stateless:\n    url: http://127.0.0.1:"
                + statelessPort
                + "/mcp\n",
            "mcp.yaml");
    gateway =
        McpGateway.startHttp(
            config,
            tollgate.gate("desk"),
            ApprovalWait.NONE,
            GatewayMain.pinning(tollgate.toolPins(), "desk"),
            ClientTokens.of(store.credentials(), "desk"),
            System.err);
  }

  @AfterAll
  static void stop() {
    Heartbeat.every = HEARTBEAT;
    if (gateway != null) {
      gateway.close();
    }
    if (remote != null) {
      remote.close();
    }
    if (stateless != null) {
      stateless.close();
    }
    if (store != null) {
      store.close();
    }
  }

  static String sha256(String token) throws Exception {
    return "sha256:"
        + java.util.HexFormat.of()
            .formatHex(
                java.security.MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
  }

  static McpSyncClient client(String token) {
    return Gateways.httpClient(gateway.uri(), token);
  }

  static McpSchema.CallToolResult echo(McpSyncClient c, String text, Map<String, Object> meta) {
    return c.callTool(
        McpSchema.CallToolRequest.builder("remote.echo")
            .arguments(Map.of("text", text))
            .meta(meta)
            .build());
  }

  @SuppressWarnings("unchecked")
  static String sessionOf(McpSchema.CallToolResult r) {
    String decision =
        (String) ((Map<String, Object>) r.meta().get(McpGateway.DECISION_META)).get("id");
    return tollgate.audit().search(AuditQuery.decision(decision)).getFirst().entry().session();
  }

  @Test
  void callsOverHttpAreAllowedDeniedAndRedacted() {
    McpSyncClient c = client(TOKEN);
    try {
      assertThat(c.listTools().tools()).extracting(McpSchema.Tool::name).contains("remote.echo");
      assertThat(Gateways.text(echo(c, "hello", null))).isEqualTo("echo: hello");
      String masked = Gateways.text(echo(c, "card 4111 1111 1111 1111 please", null));
      assertThat(masked).startsWith("echo: card ").doesNotContain("4111 1111 1111 1111");
      McpSchema.CallToolResult denied = echo(c, "the launch codes are 0000", null);
      assertThat(denied.isError()).isTrue();
      assertThat(Gateways.text(denied))
          .contains("Tollgate denied this call to remote.echo")
          .contains("launch codes never leave");
    } finally {
      c.closeGracefully();
    }
  }

  @Test
  void aClientWithoutTheAgentsTokenIsRefused() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String initialize =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
            + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"x\",\"version\":\"1\"}}}";
    for (String authorization :
        new String[] {null, "Bearer nope", "Bearer tg_another-agents-token"}) {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(gateway.uri())
              .header("Content-Type", "application/json")
              .header("Accept", "application/json, text/event-stream")
              .POST(HttpRequest.BodyPublishers.ofString(initialize));
      if (authorization != null) {
        b.header("Authorization", authorization);
      }
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(String.valueOf(authorization)).isEqualTo(401);
      assertThat(r.headers().firstValue("WWW-Authenticate"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
      assertThat(JSON.readTree(r.body()).path("error").path("message").asText()).isNotBlank();
    }
    // a web page's request (it carries an Origin) is refused even with the token
    HttpResponse<String> fromPage =
        http.send(
            HttpRequest.newBuilder(gateway.uri())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .header("Authorization", "Bearer " + TOKEN)
                .header("Origin", "https://evil.example")
                .POST(HttpRequest.BodyPublishers.ofString(initialize))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(fromPage.statusCode()).isEqualTo(403);
    assertThatThrownBy(() -> client("tg_wrong")).isInstanceOf(RuntimeException.class);
  }

  @Test
  void eachClientConversationHasASessionOfItsOwn() {
    McpSyncClient a = client(TOKEN);
    McpSyncClient b = client(TOKEN);
    try {
      String first = sessionOf(echo(a, "one", null));
      assertThat(sessionOf(echo(a, "two", null))).isEqualTo(first);
      assertThat(sessionOf(echo(b, "three", null))).isNotEqualTo(first);
      // a conversation the client names is one session, whichever MCP session it comes on
      Map<String, Object> named = Map.of(Conversations.CONVERSATION_META, "ticket-7");
      String conversation = sessionOf(echo(a, "four", named));
      assertThat(conversation).isNotEqualTo(first);
      assertThat(sessionOf(echo(b, "five", named))).isEqualTo(conversation);
    } finally {
      a.closeGracefully();
      b.closeGracefully();
    }
  }

  @Test
  void aServerOfTheStatelessRevisionOnlyIsReachedInIt() {
    McpSyncClient c = client(TOKEN);
    try {
      assertThat(c.listTools().tools())
          .extracting(McpSchema.Tool::name)
          .contains("stateless.echo", "remote.echo");
      McpSchema.CallToolResult allowed =
          c.callTool(
              McpSchema.CallToolRequest.builder("stateless.echo")
                  .arguments(Map.of("text", "across eras"))
                  .build());
      assertThat(Gateways.text(allowed)).isEqualTo("echo: across eras");
      McpSchema.CallToolResult denied =
          c.callTool(
              McpSchema.CallToolRequest.builder("stateless.echo")
                  .arguments(Map.of("text", "the launch codes"))
                  .build());
      assertThat(denied.isError()).isTrue();
      assertThat(Gateways.text(denied)).contains("launch codes never leave");

      // its progress on a call reaches the client that made the call, under the client's token,
      // all of it, in order and before the answer: the server sends both notifications and its
      // answer back to back, which is where handing them on from threads of their own lost some
      List<McpSchema.ProgressNotification> heard =
          new java.util.concurrent.CopyOnWriteArrayList<>();
      io.modelcontextprotocol.client.McpAsyncClient listening =
          Gateways.orderedHttpClient(gateway.uri(), TOKEN, heard::add);
      try {
        for (int i = 0; i < 20; i++) {
          heard.clear();
          McpSchema.CallToolResult counted =
              listening
                  .callTool(
                      McpSchema.CallToolRequest.builder("stateless.count")
                          .arguments(Map.of())
                          .progressToken("client-token-" + i)
                          .build())
                  .block();
          assertThat(Gateways.text(counted)).isEqualTo("counted to 2");
          assertThat(heard)
              .as("call %d", i)
              .extracting(McpSchema.ProgressNotification::progressToken)
              .containsOnly("client-token-" + i);
          assertThat(heard)
              .as("call %d", i)
              .extracting(McpSchema.ProgressNotification::progress)
              .containsExactly(1.0, 2.0);
        }
      } finally {
        listening.closeGracefully().block();
      }

      // its resources and prompts pass through as a session-based server's do
      assertThat(c.listResources().resources())
          .extracting(McpSchema.Resource::uri)
          .contains("notes://today");
      McpSchema.ReadResourceResult note =
          c.readResource(new McpSchema.ReadResourceRequest("notes://today"));
      assertThat(((McpSchema.TextResourceContents) note.contents().getFirst()).text())
          .isEqualTo("a note of the stateless server");
      assertThat(c.listPrompts().prompts()).extracting(McpSchema.Prompt::name).contains("greet");
      McpSchema.GetPromptResult greeting =
          c.getPrompt(new McpSchema.GetPromptRequest("greet", Map.of("who", "Ada")));
      assertThat(((McpSchema.TextContent) greeting.messages().getFirst().content()).text())
          .isEqualTo("Hello, Ada");
    } finally {
      c.closeGracefully();
    }
  }

  /** Runs one of the official TypeScript clients against the gateway; its JSON line. */
  static JsonNode typeScript(String script, String negotiation) throws Exception {
    String calls =
        JSON.writeValueAsString(
            List.of(
                Map.of("name", "remote.echo", "arguments", Map.of("text", "from node")),
                Map.of("name", "remote.echo", "arguments", Map.of("text", "launch codes"))));
    List<String> command =
        List.of(
            "node",
            Path.of("src/test/node", script).toAbsolutePath().toString(),
            calls,
            "--",
            gateway.uri().toString());
    ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().put("MCP_TOKEN", TOKEN);
    pb.environment().put("MCP_NEGOTIATION", negotiation);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    JsonNode r = JSON.readTree(out);
    assertThat(r.path("results").get(0).path("content").get(0).path("text").asText())
        .isEqualTo("echo: from node");
    JsonNode denied = r.path("results").get(1);
    assertThat(denied.path("isError").asBoolean()).isTrue();
    assertThat(denied.path("content").get(0).path("text").asText())
        .contains("Tollgate denied this call to remote.echo");
    return r;
  }

  @Test
  void theTypeScriptClientReachesTheGatewayOverHttp() throws Exception {
    assertThat(typeScript("ts-client.mjs", "legacy").path("server").path("name").asText())
        .isEqualTo("tollgate-mcp-gateway");
  }

  @Test
  void theTypeScriptClient2xSpeaksEitherEraToTheSameEndpoint() throws Exception {
    JsonNode modern = typeScript("ts2-client.mjs", "auto");
    assertThat(modern.path("tools").toString()).contains("remote.echo");
    assertThat(modern.path("protocolVersion").asText()).isEqualTo("2026-07-28");
    assertThat(typeScript("ts2-client.mjs", "legacy").path("protocolVersion").asText())
        .isEqualTo("2025-11-25");
  }

  /** A client of the stateless revision 2026-07-28 (the SDK's {@code modern} client). */
  static io.modelcontextprotocol.modern.client.McpSyncClient statelessClient(String token) {
    return io.modelcontextprotocol.modern.client.McpClient.sync(
            io.modelcontextprotocol.modern.client.transport.HttpClientMcpTransport.builder(
                    gateway.uri())
                .jsonMapper(
                    new io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper(
                        new ObjectMapper()))
                .requestCustomizer(
                    io.modelcontextprotocol.modern.client.transport.McpHttpRequestCustomizer
                        .fromSync(
                            (request, headers, context) ->
                                headers.set("Authorization", "Bearer " + token)))
                .build())
        .clientInfo(
            io.modelcontextprotocol.modern.McpSchema.Implementation.builder("stateless", "1")
                .build())
        .jsonMapper(
            new io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper(new ObjectMapper()))
        .build();
  }

  @Test
  void aClientOfTheStatelessRevisionIsGatedOnTheSameEndpoint() {
    io.modelcontextprotocol.modern.client.McpSyncClient c = statelessClient(TOKEN);
    assertThat(c.discover().supportedVersions()).contains("2026-07-28");
    assertThat(c.listTools().list().tools())
        .extracting(io.modelcontextprotocol.modern.McpSchema.Tool::name)
        .contains("remote.echo");
    io.modelcontextprotocol.modern.McpSchema.CallToolResult allowed =
        c.tool("remote.echo").arguments(Map.of("text", "no session")).call();
    assertThat(allowed.content().toString()).contains("echo: no session");
    assertThat(allowed.meta()).containsKey(McpGateway.DECISION_META);
    io.modelcontextprotocol.modern.McpSchema.CallToolResult denied =
        c.tool("remote.echo").arguments(Map.of("text", "launch codes")).call();
    assertThat(denied.isError()).isTrue();
    assertThat(denied.content().toString()).contains("Tollgate denied this call to remote.echo");
    // a stateless server's progress on the call, through to a stateless client
    List<Double> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
    io.modelcontextprotocol.modern.McpSchema.CallToolResult counted =
        c.tool("stateless.count").progress(p -> heard.add(p.progress())).call();
    assertThat(counted.content().toString()).contains("counted to 2");
    assertThat(heard).contains(2.0).isSubsetOf(1.0, 2.0);
    assertThatThrownBy(
            () ->
                statelessClient("tg_wrong")
                    .tool("remote.echo")
                    .arguments(Map.of("text", "x"))
                    .call())
        .isInstanceOf(RuntimeException.class);
  }
}
