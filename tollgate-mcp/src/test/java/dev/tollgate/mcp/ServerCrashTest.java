package dev.tollgate.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server that crashes in the middle of a call (flaky-server.mjs, on the official TypeScript SDK):
 * the call in flight fails cleanly with a tool error, the client is not left hanging, and the next
 * call finds the server started again.
 */
class ServerCrashTest {
  static final Path FLAKY = Path.of("src/test/node/flaky-server.mjs");

  @TempDir Path dir;

  @Test
  void aCrashFailsTheCallInFlightAndTheServerIsStartedAgain() throws Exception {
    assertThat(Path.of("src/test/node/node_modules/@modelcontextprotocol/sdk"))
        .as("./test installs it: npm ci --prefix tollgate-mcp/src/test/node")
        .exists();
    Path bundle = Files.createDirectories(dir.resolve("bundle"));
    Files.writeString(bundle.resolve("agents.yaml"), "defaults: {unprofiled: allow}\n");
    Files.writeString(bundle.resolve("policies.yaml"), "policies: []\n");
    Path config = dir.resolve("mcp.yaml");
    Files.writeString(
        config,
        "agent: tester\nservers:\n  flaky:\n    command: [node, " + FLAKY.toAbsolutePath() + "]\n");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    StdioClientTransport transport =
        new StdioClientTransport(
            ServerParameters.builder(java)
                .args(
                    "-cp",
                    System.getProperty("java.class.path"),
                    GatewayMain.class.getName(),
                    bundle.toString(),
                    config.toString())
                .build(),
            new JacksonMcpJsonMapper(new ObjectMapper()));
    McpSyncClient client =
        McpClient.sync(transport)
            .clientInfo(McpSchema.Implementation.builder("crash-test", "1").build())
            .requestTimeout(Duration.ofSeconds(30))
            .initializationTimeout(Duration.ofSeconds(60))
            .build();
    try {
      client.initialize();
      assertThat(text(call(client, "flaky.echo", Map.of("text", "one")))).isEqualTo("echo: one");
      McpSchema.CallToolResult crashed = call(client, "flaky.crash", Map.of());
      assertThat(crashed.isError()).isTrue();
      assertThat(text(crashed)).contains("The MCP server behind flaky.crash did not answer");
      McpSchema.CallToolResult after = call(client, "flaky.echo", Map.of("text", "two"));
      assertThat(after.isError()).as(text(after)).isNotEqualTo(Boolean.TRUE);
      assertThat(text(after)).isEqualTo("echo: two");
    } finally {
      client.closeGracefully();
    }
  }

  private static McpSchema.CallToolResult call(
      McpSyncClient client, String tool, Map<String, Object> args) {
    return client.callTool(McpSchema.CallToolRequest.builder(tool).arguments(args).build());
  }

  private static String text(McpSchema.CallToolResult r) {
    return r.content().stream()
        .filter(McpSchema.TextContent.class::isInstance)
        .map(c -> ((McpSchema.TextContent) c).text())
        .collect(Collectors.joining("\n"));
  }
}
