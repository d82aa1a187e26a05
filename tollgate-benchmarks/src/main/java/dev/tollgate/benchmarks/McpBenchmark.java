package dev.tollgate.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.Tollgate;
import dev.tollgate.mcp.ApprovalWait;
import dev.tollgate.mcp.GatewayConfig;
import dev.tollgate.mcp.McpGateway;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * What the MCP gateway adds to a tools/call: the real @modelcontextprotocol/server-filesystem (from
 * tollgate-mcp/src/test/node, installed by ./test) reading a small note, called by the Java MCP
 * SDK's client over stdio {@code direct}ly, and through the gateway (a process of its own, deciding
 * under examples/mcp-filesystem with the engine's in-memory audit, observing the result). Run from
 * the repository's root. Target (issue 16): at most 1 ms added at p50 over stdio.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class McpBenchmark {
  static final Path SERVER =
      Path.of(
          "tollgate-mcp/src/test/node/node_modules/@modelcontextprotocol/server-filesystem/dist/index.js");

  @Param({"direct", "gateway"})
  public String path;

  private McpSyncClient client;
  private McpSchema.CallToolRequest request;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    if (!Files.exists(SERVER)) {
      throw new IllegalStateException(
          SERVER.toAbsolutePath() + " is missing: run from the repository's root after ./test");
    }
    Path root = Files.createTempDirectory("mcp-bench").toRealPath();
    Files.writeString(root.resolve("todo.md"), "- buy milk\n- call the bank\n");
    ServerParameters params;
    String tool;
    if (path.equals("direct")) {
      params =
          ServerParameters.builder("node")
              .args(SERVER.toAbsolutePath().toString(), root.toString())
              .build();
      tool = "read_text_file";
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
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      params =
          ServerParameters.builder(java)
              .args(
                  "-Xms256m",
                  "-Xmx256m",
                  "-cp",
                  System.getProperty("java.class.path"),
                  McpBenchmark.class.getName(),
                  Path.of("examples/mcp-filesystem").toAbsolutePath().toString(),
                  config.toString())
              .build();
      tool = "filesystem.read_text_file";
    }
    StdioClientTransport transport =
        new StdioClientTransport(params, new JacksonMcpJsonMapper(new ObjectMapper()));
    transport.setStdErrorHandler(line -> {});
    client =
        McpClient.sync(transport)
            .clientInfo(McpSchema.Implementation.builder("mcp-bench", "1").build())
            .requestTimeout(Duration.ofSeconds(30))
            .initializationTimeout(Duration.ofSeconds(60))
            .build();
    client.initialize();
    request =
        McpSchema.CallToolRequest.builder(tool)
            .arguments(Map.of("path", root.resolve("todo.md").toString()))
            .build();
    McpSchema.CallToolResult first = client.callTool(request);
    if (Boolean.TRUE.equals(first.isError())) {
      throw new IllegalStateException("the benchmark's read must succeed: " + first);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    client.closeGracefully();
  }

  @Benchmark
  public McpSchema.CallToolResult call() {
    return client.callTool(request);
  }

  /** The gateway's process: the engine on a bundle, serving stdin and stdout. */
  public static void main(String[] args) throws Exception {
    GatewayConfig config = GatewayConfig.read(Path.of(args[1]));
    Tollgate tollgate = Tollgate.builder().bundle(Bundle.load(Path.of(args[0]))).build();
    dev.tollgate.engine.ToolPins pins = tollgate.toolPins();
    McpGateway.serveStdio(
        config,
        tollgate.gate(config.agent()),
        ApprovalWait.NONE,
        new dev.tollgate.mcp.ToolPinning() {
          @Override
          public Pin check(
              String server, java.util.Map<String, Object> definition, java.util.List<String> c) {
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
        });
    System.exit(0);
  }
}
