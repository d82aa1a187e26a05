package dev.tollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tollgate mcp} as an MCP client starts it: the packaged jar, in front of the real
 *
 * @modelcontextprotocol/server-filesystem from npm, driven by the Java MCP SDK's client. A move
 *     asks; the gateway holds the call, telling the client it waits; a person approves it through
 *     the server's API with the admin token the gateway printed on its standard error; the held
 *     call then goes through and the file moves.
 */
class McpGatewayIT {
  private static final Pattern APPROVAL = Pattern.compile("\\(approval ([A-Za-z0-9_]+)\\)");
  private static final Path JAR = Path.of("target", "tollgate.jar");
  private static final Path SERVER =
      Path.of(
          "..",
          "tollgate-mcp/src/test/node/node_modules/@modelcontextprotocol/server-filesystem",
          "dist/index.js");

  @TempDir Path dir;

  @Test
  void anAskedCallIsHeldUntilAPersonApprovesItThenGoesThrough() throws Exception {
    assertThat(JAR).as("run `mvn package` first").isRegularFile();
    assertThat(SERVER)
        .as("./test installs it: npm ci --prefix tollgate-mcp/src/test/node")
        .exists();
    Path root = Files.createDirectories(dir.resolve("notes")).toRealPath();
    Files.writeString(root.resolve("groceries.md"), "- milk\n");
    BlockingQueue<String> stderr = new LinkedBlockingQueue<>();
    BlockingQueue<String> progress = new LinkedBlockingQueue<>();
    String java = ProcessHandle.current().info().command().orElse("java");
    StdioClientTransport transport =
        new StdioClientTransport(
            ServerParameters.builder(java)
                .args(
                    "--enable-native-access=ALL-UNNAMED",
                    "-jar",
                    JAR.toString(),
                    "mcp",
                    "--agent",
                    "desk-assistant",
                    "--policies",
                    "../examples/mcp-filesystem",
                    "--data",
                    dir.resolve("data").toString(),
                    "--port",
                    "0",
                    "--approval-wait",
                    "60s",
                    "--",
                    "node",
                    SERVER.toAbsolutePath().toString(),
                    root.toString())
                .build(),
            new JacksonMcpJsonMapper(new ObjectMapper()));
    transport.setStdErrorHandler(stderr::add);
    McpSyncClient client =
        McpClient.sync(transport)
            .clientInfo(McpSchema.Implementation.builder("gateway-it", "1").build())
            .requestTimeout(Duration.ofSeconds(90))
            .initializationTimeout(Duration.ofSeconds(90))
            .progressConsumer(p -> progress.add(p.message()))
            .build();
    try {
      client.initialize();
      String admin = lineAfter(stderr, "admin token");
      URI console = URI.create(value(stderr, "tollgate mcp: console at "));
      CompletableFuture<McpSchema.CallToolResult> moved =
          CompletableFuture.supplyAsync(
              () ->
                  client.callTool(
                      McpSchema.CallToolRequest.builder("filesystem.move_file")
                          .arguments(
                              Map.of(
                                  "source",
                                  root.resolve("groceries.md").toString(),
                                  "destination",
                                  root.resolve("old-groceries.md").toString()))
                          .progressToken("move-1")
                          .build()));
      HttpClient http = HttpClient.newHttpClient();
      // the held call tells the client which approval it waits for
      String waiting = progress.poll(60, TimeUnit.SECONDS);
      assertThat(waiting).as("a progress notification while the call is held").isNotNull();
      assertThat(waiting).contains("waiting for a person to approve");
      Matcher id = APPROVAL.matcher(waiting);
      assertThat(id.find()).as(waiting).isTrue();
      String approval = id.group(1);
      assertThat(moved).isNotDone();
      assertThat(root.resolve("groceries.md")).exists();
      HttpResponse<String> approved =
          http.send(
              HttpRequest.newBuilder(console.resolve("/v1/approvals/" + approval + "/approve"))
                  .header("Authorization", "Bearer " + admin)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"note\":\"fine\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
      McpSchema.CallToolResult result = moved.get(60, TimeUnit.SECONDS);
      assertThat(result.isError()).as(text(result)).isNotEqualTo(Boolean.TRUE);
      assertThat(root.resolve("old-groceries.md")).hasContent("- milk");
      assertThat(root.resolve("groceries.md")).doesNotExist();
    } finally {
      client.closeGracefully();
    }
  }

  @Test
  void overStreamableHttpAClientPresentsTheAgentsToken() throws Exception {
    assertThat(JAR).as("run `mvn package` first").isRegularFile();
    Path root = Files.createDirectories(dir.resolve("notes")).toRealPath();
    Files.writeString(root.resolve("todo.md"), "- call the bank\n");
    Files.createDirectories(root.resolve(".ssh"));
    Files.writeString(root.resolve(".ssh/id_rsa"), "-----BEGIN KEY-----\n");
    String java = ProcessHandle.current().info().command().orElse("java");
    Process gateway =
        new ProcessBuilder(
                java,
                "--enable-native-access=ALL-UNNAMED",
                "-jar",
                JAR.toString(),
                "mcp",
                "--agent",
                "desk-assistant",
                "--policies",
                "../examples/mcp-filesystem",
                "--data",
                dir.resolve("data").toString(),
                "--port",
                "0",
                "--listen",
                "127.0.0.1:0",
                "--",
                "node",
                SERVER.toAbsolutePath().toString(),
                root.toString())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    BlockingQueue<String> stderr = new LinkedBlockingQueue<>();
    Thread.ofVirtual()
        .start(
            () ->
                new BufferedReader(
                        new InputStreamReader(gateway.getErrorStream(), StandardCharsets.UTF_8))
                    .lines()
                    .forEach(
                        line -> {
                          System.err.println("[gateway] " + line);
                          stderr.add(line);
                        }));
    try {
      String token = lineAfter(stderr, "first agent `desk-assistant`");
      URI endpoint =
          URI.create(value(stderr, "tollgate mcp: serving MCP over Streamable HTTP at "));
      HttpResponse<String> anonymous =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(endpoint)
                      .header("Content-Type", "application/json")
                      .header("Accept", "application/json, text/event-stream")
                      .POST(HttpRequest.BodyPublishers.ofString("{}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(anonymous.statusCode()).isEqualTo(401);
      McpSyncClient client =
          McpClient.sync(
                  io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport
                      .builder(endpoint.getScheme() + "://" + endpoint.getRawAuthority())
                      .endpoint(endpoint.getRawPath())
                      .jsonMapper(new JacksonMcpJsonMapper(new ObjectMapper()))
                      .httpRequestCustomizer(
                          (request, method, u, body, context) ->
                              request.header("Authorization", "Bearer " + token))
                      .build())
              .requestTimeout(Duration.ofSeconds(60))
              .build();
      try {
        client.initialize();
        McpSchema.CallToolResult read =
            client.callTool(
                McpSchema.CallToolRequest.builder("filesystem.read_text_file")
                    .arguments(Map.of("path", root.resolve("todo.md").toString()))
                    .build());
        assertThat(text(read)).contains("call the bank");
        McpSchema.CallToolResult key =
            client.callTool(
                McpSchema.CallToolRequest.builder("filesystem.read_text_file")
                    .arguments(Map.of("path", root.resolve(".ssh/id_rsa").toString()))
                    .build());
        assertThat(key.isError()).isTrue();
        assertThat(text(key)).contains("Tollgate denied").doesNotContain("BEGIN KEY");
      } finally {
        client.closeGracefully();
      }
    } finally {
      gateway.destroy();
      assertThat(gateway.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  /** The line after the first that starts with {@code marker}, as the gateway prints it. */
  private static String lineAfter(BlockingQueue<String> lines, String marker) throws Exception {
    next(lines, marker);
    return next(lines, "").strip();
  }

  private static String value(BlockingQueue<String> lines, String prefix) throws Exception {
    return next(lines, prefix).substring(prefix.length()).strip();
  }

  /** Takes lines until one starts with {@code prefix}, waiting for each at most a minute. */
  private static String next(BlockingQueue<String> lines, String prefix) throws Exception {
    while (true) {
      String line = lines.poll(60, TimeUnit.SECONDS);
      if (line == null) {
        throw new AssertionError("the gateway did not print `" + prefix + "`");
      }
      if (line.startsWith(prefix)) {
        return line;
      }
    }
  }

  private static String text(McpSchema.CallToolResult r) {
    return r.content().stream()
        .filter(McpSchema.TextContent.class::isInstance)
        .map(c -> ((McpSchema.TextContent) c).text())
        .collect(Collectors.joining("\n"));
  }
}
