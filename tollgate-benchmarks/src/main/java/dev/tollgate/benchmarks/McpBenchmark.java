package dev.tollgate.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.Tollgate;
import dev.tollgate.mcp.ApprovalWait;
import dev.tollgate.mcp.ClientTokens;
import dev.tollgate.mcp.GatewayConfig;
import dev.tollgate.mcp.McpGateway;
import dev.tollgate.mcp.ToolPinning;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the MCP gateway adds to a tools/call, against the same call made directly, in the same run:
 *
 * <ul>
 *   <li>over stdio ({@code direct}, {@code gateway}): the
 *       real @modelcontextprotocol/server-filesystem (from tollgate-mcp/src/test/node, installed by
 *       ./test) reading a small note, called by the Java MCP SDK's client, directly or through the
 *       gateway (a process of its own, deciding under examples/mcp-filesystem with the engine's
 *       in-memory audit, observing the result);
 *   <li>over Streamable HTTP ({@code direct-http}, {@code gateway-http}): a TypeScript SDK server
 *       over HTTP (tollgate-mcp/src/test/node/http-server.mjs) echoing a text, called directly, or
 *       through the gateway serving HTTP itself (its client's token checked against a SQLite
 *       store's credentials, a masking policy on the call);
 *   <li>each side alone: {@code http-in}, a client over HTTP to the gateway in front of the same
 *       echo over stdio (echo-stdio.mjs, called directly as {@code direct-echo}); {@code http-out},
 *       a client over stdio to the gateway in front of http-server.mjs (against {@code
 *       direct-http}).
 * </ul>
 *
 * Run from the repository's root. Target (issue 16): at most 1 ms added at p50 over stdio, 2 ms
 * over Streamable HTTP.
 *
 * <p>The warm-up is long on purpose: a path keeps two or three processes busy, and on a 2-core host
 * the gateway's JIT compilers share the cores with the client and the server, so a gateway path
 * takes about a minute of calls to settle (its p50 falls from some 14 ms in the first seconds to
 * under 2 ms). A shorter warm-up measures the compiler rather than the gateway.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 45, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class McpBenchmark {
  static final Path SERVER =
      Path.of(
          "tollgate-mcp/src/test/node/node_modules/@modelcontextprotocol/server-filesystem/dist/index.js");
  static final Path HTTP_SERVER = Path.of("tollgate-mcp/src/test/node/http-server.mjs");
  static final Path ECHO = Path.of("tollgate-mcp/src/test/node/echo-stdio.mjs");
  static final String UPSTREAM_TOKEN = "bench-upstream-token";
  static final String CLIENT_TOKEN = "tg_bench-client-token";

  @Param({"direct", "gateway", "direct-http", "gateway-http", "direct-echo", "http-in", "http-out"})
  public String path;

  private McpSyncClient client;
  private McpSchema.CallToolRequest request;
  private final List<Process> processes = new ArrayList<>();

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    if (!Files.exists(SERVER)) {
      throw new IllegalStateException(
          SERVER.toAbsolutePath() + " is missing: run from the repository's root after ./test");
    }
    Path root = Files.createTempDirectory("mcp-bench").toRealPath();
    Files.writeString(root.resolve("todo.md"), "- buy milk\n- call the bank\n");
    McpClientTransport transport;
    String tool;
    Map<String, Object> args;
    if (path.contains("http")) {
      String upstream = startHttpServer();
      args = Map.of("text", "call the bank about the card");
      if (path.equals("direct-http")) {
        transport = http(URI.create(upstream), "Bearer " + UPSTREAM_TOKEN);
        tool = "echo";
      } else if (path.equals("http-out")) {
        Path bundle = Files.createDirectories(root.resolve("bundle"));
        Files.writeString(bundle.resolve("agents.yaml"), "defaults: {unprofiled: allow}\n");
        Files.writeString(bundle.resolve("policies.yaml"), "policies: []\n");
        Path config = root.resolve("mcp.yaml");
        Files.writeString(
            config,
            "agent: desk-assistant\nservers:\n  remote:\n    url: "
                + upstream
                + "\n    headers: {Authorization: Bearer "
                + UPSTREAM_TOKEN
                + "}\n");
        List<String> command = gatewayCommand(bundle, config, null);
        StdioClientTransport stdio =
            new StdioClientTransport(
                ServerParameters.builder(command.getFirst())
                    .args(command.subList(1, command.size()))
                    .build(),
                new JacksonMcpJsonMapper(new ObjectMapper()));
        stdio.setStdErrorHandler(line -> {});
        transport = stdio;
        tool = "remote.echo";
      } else {
        Path bundle = Files.createDirectories(root.resolve("bundle"));
        Files.writeString(bundle.resolve("agents.yaml"), "defaults: {unprofiled: allow}\n");
        Files.writeString(
            bundle.resolve("policies.yaml"),
            "policies:\n  - name: echo-masked\n    match: {tools: [remote.echo]}\n"
                + "    effect: allow\n    redact: mask\n");
        Path data = root.resolve("data");
        try (JdbcStore store = JdbcStore.open(StoreConfig.sqlite(data))) {
          store
              .credentials()
              .add("desk-assistant", dev.tollgate.server.Tokens.hash(CLIENT_TOKEN), Instant.now());
        }
        Path config = root.resolve("mcp.yaml");
        Files.writeString(
            config,
            path.equals("http-in")
                ? "agent: desk-assistant\nlisten: 127.0.0.1:0\nservers:\n  remote:\n    command: [node, "
                    + ECHO.toAbsolutePath()
                    + "]\n"
                : "agent: desk-assistant\nlisten: 127.0.0.1:0\nservers:\n  remote:\n    url: "
                    + upstream
                    + "\n    headers: {Authorization: Bearer "
                    + UPSTREAM_TOKEN
                    + "}\n");
        Process gateway =
            start(
                new ProcessBuilder(gatewayCommand(bundle, config, data))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD));
        String url =
            firstLine(
                gateway.getErrorStream(), "tollgate mcp: serving MCP over Streamable HTTP at ");
        transport = http(URI.create(url), "Bearer " + CLIENT_TOKEN);
        tool = "remote.echo";
      }
    } else {
      args = Map.of("path", root.resolve("todo.md").toString());
      ServerParameters params;
      if (path.equals("direct")) {
        params =
            ServerParameters.builder("node")
                .args(SERVER.toAbsolutePath().toString(), root.toString())
                .build();
        tool = "read_text_file";
      } else if (path.equals("direct-echo")) {
        params = ServerParameters.builder("node").args(ECHO.toAbsolutePath().toString()).build();
        tool = "echo";
        args = Map.of("text", "call the bank about the card");
      } else {
        Path config = root.resolve("mcp.yaml");
        Files.writeString(
            config,
            "agent: desk-assistant\nrequest: Tidy my notes\nservers:\n  filesystem:\n"
                + "    command: [node, "
                + SERVER.toAbsolutePath()
                + ", "
                + root
                + "]\n");
        List<String> command =
            gatewayCommand(Path.of("examples/mcp-filesystem").toAbsolutePath(), config, null);
        params =
            ServerParameters.builder(command.getFirst())
                .args(command.subList(1, command.size()))
                .build();
        tool = "filesystem.read_text_file";
      }
      StdioClientTransport stdio =
          new StdioClientTransport(params, new JacksonMcpJsonMapper(new ObjectMapper()));
      stdio.setStdErrorHandler(line -> {});
      transport = stdio;
    }
    client =
        McpClient.sync(transport)
            .clientInfo(McpSchema.Implementation.builder("mcp-bench", "1").build())
            .requestTimeout(Duration.ofSeconds(30))
            .initializationTimeout(Duration.ofSeconds(60))
            .build();
    client.initialize();
    request = McpSchema.CallToolRequest.builder(tool).arguments(args).build();
    McpSchema.CallToolResult first = client.callTool(request);
    if (Boolean.TRUE.equals(first.isError())) {
      throw new IllegalStateException("the benchmark's call must succeed: " + first);
    }
  }

  private static List<String> gatewayCommand(Path bundle, Path config, Path data) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "-Xms256m",
                "-Xmx256m",
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                McpBenchmark.class.getName(),
                bundle.toString(),
                config.toString()));
    if (data != null) {
      command.add(data.toString());
    }
    return command;
  }

  private Process start(ProcessBuilder pb) throws java.io.IOException {
    Process p = pb.start();
    processes.add(p);
    return p;
  }

  /** Starts the TypeScript HTTP server; its endpoint. */
  private String startHttpServer() throws java.io.IOException {
    Process p =
        start(
            new ProcessBuilder("node", HTTP_SERVER.toAbsolutePath().toString(), UPSTREAM_TOKEN)
                .redirectError(ProcessBuilder.Redirect.DISCARD));
    String port = firstLine(p.getInputStream(), "listening ");
    return "http://127.0.0.1:" + port.strip() + "/mcp";
  }

  /** What follows {@code prefix} on the first line of {@code in} that starts with it. */
  private static String firstLine(java.io.InputStream in, String prefix)
      throws java.io.IOException {
    java.io.BufferedReader lines =
        new java.io.BufferedReader(
            new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8));
    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
      if (line.startsWith(prefix)) {
        String found = line.substring(prefix.length());
        // keep draining, so that the process never blocks on a full pipe
        Thread.ofVirtual().start(() -> lines.lines().forEach(l -> {}));
        return found;
      }
    }
    throw new IllegalStateException("the process ended before printing `" + prefix + "`");
  }

  private static McpClientTransport http(URI endpoint, String authorization) {
    return HttpClientStreamableHttpTransport.builder(
            endpoint.getScheme() + "://" + endpoint.getRawAuthority())
        .endpoint(endpoint.getRawPath())
        .jsonMapper(new JacksonMcpJsonMapper(new ObjectMapper()))
        .httpRequestCustomizer(
            (builder, method, uri, body, context) -> builder.header("Authorization", authorization))
        .build();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    client.closeGracefully();
    processes.forEach(Process::destroy);
  }

  @Benchmark
  public McpSchema.CallToolResult call() {
    return client.callTool(request);
  }

  /**
   * The gateway's process: the engine on a bundle, serving stdin and stdout, or with a third
   * argument (a data directory: a SQLite store holding the clients' credentials) HTTP at the
   * configuration's {@code listen} address. The audit is the engine's memory log either way.
   */
  public static void main(String[] args) throws Exception {
    GatewayConfig config = GatewayConfig.read(Path.of(args[1]));
    Tollgate.Builder b = Tollgate.builder().bundle(Bundle.load(Path.of(args[0])));
    JdbcStore store = null;
    if (args.length > 2) {
      // the store holds the clients' credentials only: the engine's audit stays in memory, as on
      // stdio, so that both measure the gateway rather than the disk
      store = JdbcStore.open(StoreConfig.sqlite(Path.of(args[2])));
    }
    Tollgate tollgate = b.build();
    dev.tollgate.engine.ToolPins pins = tollgate.toolPins();
    ToolPinning pinning =
        new ToolPinning() {
          @Override
          public Pin check(String server, Map<String, Object> definition, List<String> c) {
            dev.tollgate.engine.ToolPins.Verdict v =
                pins.check(config.agent(), server, definition, c);
            return new Pin(v.shown(), v.why());
          }

          @Override
          public long version() {
            return pins.version();
          }

          @Override
          public void onAccepted(Runnable listener) {
            pins.subscribe(listener);
          }
        };
    if (store == null) {
      McpGateway.serveStdio(config, tollgate.gate(config.agent()), ApprovalWait.NONE, pinning);
    } else {
      McpGateway g =
          McpGateway.startHttp(
              config,
              tollgate.gate(config.agent()),
              ApprovalWait.NONE,
              pinning,
              ClientTokens.of(store.credentials(), config.agent()),
              System.err);
      g.awaitClosed();
    }
    System.exit(0);
  }
}
