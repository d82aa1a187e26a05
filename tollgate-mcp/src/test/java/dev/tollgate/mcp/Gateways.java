package dev.tollgate.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** What the gateway's tests share: a gateway process, a client of it, a result's text. */
final class Gateways {
  private Gateways() {}

  /** A bundle letting every agent use every tool, with no policies: the gateway alone is tested. */
  static Path openBundle(Path dir) throws IOException {
    Path bundle = Files.createDirectories(dir.resolve("bundle"));
    Files.writeString(bundle.resolve("agents.yaml"), "defaults: {unprofiled: allow}\n");
    Files.writeString(bundle.resolve("policies.yaml"), "policies: []\n");
    return bundle;
  }

  /**
   * Starts a node script that serves HTTP and prints {@code listening <port>} first; its port. Its
   * standard error goes to the test's.
   */
  static Listening listening(String script, String... args) throws IOException {
    return listening(ProcessBuilder.Redirect.INHERIT, script, args);
  }

  /** As {@link #listening(String, String...)}, its standard error going to {@code errors}. */
  static Listening listening(ProcessBuilder.Redirect errors, String script, String... args)
      throws IOException {
    List<String> command =
        new java.util.ArrayList<>(
            List.of("node", Path.of("src/test/node", script).toAbsolutePath().toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectError(errors).start();
    String line =
        new java.io.BufferedReader(
                new java.io.InputStreamReader(
                    p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))
            .readLine();
    if (line == null || !line.startsWith("listening ")) {
      p.destroyForcibly();
      throw new IllegalStateException(script + " did not start listening: " + line);
    }
    return new Listening(p, Integer.parseInt(line.substring("listening ".length()).strip()));
  }

  /** A node server over HTTP, at {@code http://127.0.0.1:<port>/mcp}. */
  record Listening(Process process, int port) implements AutoCloseable {
    String url() {
      return "http://127.0.0.1:" + port + "/mcp";
    }

    @Override
    public void close() {
      process.destroy();
    }
  }

  /**
   * A gateway in this process serving Streamable HTTP as agent {@code desk}, whose clients present
   * {@code token}, with an open bundle and a SQLite store in {@code dir}; {@code servers} is the
   * configuration's {@code servers:} block.
   */
  static HttpGateway httpGateway(Path dir, String token, String servers, java.io.PrintStream log)
      throws Exception {
    Path bundle = openBundle(dir);
    dev.tollgate.store.jdbc.JdbcStore store =
        dev.tollgate.store.jdbc.JdbcStore.open(
            dev.tollgate.store.jdbc.StoreConfig.sqlite(dir.resolve("data")));
    try {
      store.credentials().add("desk", StreamableHttpTest.sha256(token), java.time.Instant.now());
      dev.tollgate.engine.Tollgate tollgate =
          dev.tollgate.engine.Tollgate.builder()
              .store(store)
              .bundle(dev.tollgate.engine.Bundle.load(bundle))
              // as `tollgate mcp`'s engine: a decision names the trace it was made in
              .tracing(dev.tollgate.opentelemetry.OpenTelemetryTracing.global())
              .build();
      McpGateway gateway =
          McpGateway.startHttp(
              GatewayConfig.parse(
                  "agent: desk\nlisten: 127.0.0.1:0\nservers:\n" + servers, "mcp.yaml"),
              tollgate.gate("desk"),
              ApprovalWait.NONE,
              GatewayMain.pinning(tollgate.toolPins(), "desk"),
              ClientTokens.of(store.credentials(), "desk"),
              log);
      return new HttpGateway(store, tollgate, gateway);
    } catch (Exception | Error e) {
      store.close();
      throw e;
    }
  }

  private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newHttpClient();

  /** A request of the session-based revisions to a gateway over HTTP, with a client's token. */
  static java.net.http.HttpRequest.Builder request(java.net.URI uri, String token, String session) {
    java.net.http.HttpRequest.Builder b =
        java.net.http.HttpRequest.newBuilder(uri)
            .header("Authorization", "Bearer " + token)
            .header("Accept", "application/json, text/event-stream")
            .header("MCP-Protocol-Version", "2025-11-25");
    return session == null ? b : b.header("Mcp-Session-Id", session);
  }

  /** Posts one JSON-RPC message. */
  static java.net.http.HttpRequest post(
      java.net.URI uri, String token, String session, String body) {
    return request(uri, token, session)
        .header("Content-Type", "application/json")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  /** Opens an MCP session (initialize, then initialized); its id. */
  static String openSession(java.net.URI uri, String token) throws Exception {
    java.net.http.HttpResponse<String> init =
        HTTP.send(
            post(
                uri,
                token,
                null,
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
                    + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
                    + "\"clientInfo\":{\"name\":\"gateway-test\",\"version\":\"1\"}}}"),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    if (init.statusCode() != 200) {
      throw new IllegalStateException(
          "initialize answered " + init.statusCode() + ": " + init.body());
    }
    String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
    HTTP.send(
        post(uri, token, session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"),
        java.net.http.HttpResponse.BodyHandlers.discarding());
    return session;
  }

  /** A gateway over HTTP, its engine and its store; closing closes all three. */
  record HttpGateway(
      dev.tollgate.store.jdbc.JdbcStore store,
      dev.tollgate.engine.Tollgate tollgate,
      McpGateway gateway)
      implements AutoCloseable {
    java.net.URI uri() {
      return gateway.uri();
    }

    @Override
    public void close() {
      gateway.close();
      store.close();
    }
  }

  /** The command that starts {@link GatewayMain} on a bundle and a configuration. */
  static List<String> command(Path bundle, Path config) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return List.of(
        java,
        "-cp",
        System.getProperty("java.class.path"),
        GatewayMain.class.getName(),
        bundle.toString(),
        config.toString());
  }

  /** An initialized Java SDK client of a gateway process. */
  static McpSyncClient client(Path bundle, Path config, String name) {
    List<String> command = command(bundle, config);
    StdioClientTransport transport =
        new StdioClientTransport(
            ServerParameters.builder(command.getFirst())
                .args(command.subList(1, command.size()))
                .build(),
            new JacksonMcpJsonMapper(new ObjectMapper()));
    transport.setStdErrorHandler(line -> System.err.println("[gateway] " + line));
    McpSyncClient client =
        McpClient.sync(transport)
            .clientInfo(McpSchema.Implementation.builder(name, "1").build())
            .requestTimeout(Duration.ofSeconds(30))
            .initializationTimeout(Duration.ofSeconds(60))
            .build();
    client.initialize();
    return client;
  }

  /** An initialized Java SDK client of a gateway over Streamable HTTP, with a bearer token. */
  static McpSyncClient httpClient(java.net.URI uri, String token) {
    return httpClient(uri, token, progress -> {});
  }

  /** As {@link #httpClient(java.net.URI, String)}, telling {@code progress} what it hears. */
  static McpSyncClient httpClient(
      java.net.URI uri,
      String token,
      java.util.function.Consumer<McpSchema.ProgressNotification> progress) {
    McpSyncClient c =
        McpClient.sync(
                io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport.builder(
                        uri.getScheme() + "://" + uri.getRawAuthority())
                    .endpoint(uri.getRawPath())
                    .jsonMapper(new JacksonMcpJsonMapper(new ObjectMapper()))
                    .httpRequestCustomizer(
                        (request, method, u, body, context) ->
                            request.header("Authorization", "Bearer " + token))
                    .build())
            .requestTimeout(Duration.ofSeconds(30))
            .progressConsumer(progress)
            .build();
    c.initialize();
    return c;
  }

  /**
   * As {@link #httpClient(java.net.URI, String, java.util.function.Consumer)}, but the SDK's
   * asynchronous client with {@code progress} called in line, so that what it hears is in the order
   * the gateway sent it and complete when the call's answer arrives (the synchronous client hands
   * each notification to a thread of its own).
   */
  static io.modelcontextprotocol.client.McpAsyncClient orderedHttpClient(
      java.net.URI uri,
      String token,
      java.util.function.Consumer<McpSchema.ProgressNotification> progress) {
    io.modelcontextprotocol.client.McpAsyncClient c =
        McpClient.async(
                io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport.builder(
                        uri.getScheme() + "://" + uri.getRawAuthority())
                    .endpoint(uri.getRawPath())
                    .jsonMapper(new JacksonMcpJsonMapper(new ObjectMapper()))
                    .httpRequestCustomizer(
                        (request, method, u, body, context) ->
                            request.header("Authorization", "Bearer " + token))
                    .build())
            .requestTimeout(Duration.ofSeconds(30))
            .progressConsumer(
                n -> reactor.core.publisher.Mono.fromRunnable(() -> progress.accept(n)))
            .build();
    c.initialize().block();
    return c;
  }

  static McpSchema.CallToolResult call(
      McpSyncClient client, String tool, Map<String, Object> args) {
    return client.callTool(McpSchema.CallToolRequest.builder(tool).arguments(args).build());
  }

  static String text(McpSchema.CallToolResult r) {
    return r.content().stream()
        .filter(McpSchema.TextContent.class::isInstance)
        .map(c -> ((McpSchema.TextContent) c).text())
        .collect(Collectors.joining("\n"));
  }
}
