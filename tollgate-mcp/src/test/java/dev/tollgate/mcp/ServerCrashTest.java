package dev.tollgate.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
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
    Path bundle = Gateways.openBundle(dir);
    Path config = dir.resolve("mcp.yaml");
    Files.writeString(
        config,
        "agent: tester\nservers:\n  flaky:\n    command: [node, " + FLAKY.toAbsolutePath() + "]\n");
    McpSyncClient client = Gateways.client(bundle, config, "crash-test");
    try {
      assertThat(Gateways.text(Gateways.call(client, "flaky.echo", Map.of("text", "one"))))
          .isEqualTo("echo: one");
      McpSchema.CallToolResult crashed = Gateways.call(client, "flaky.crash", Map.of());
      assertThat(crashed.isError()).isTrue();
      assertThat(Gateways.text(crashed))
          .contains("The MCP server behind flaky.crash did not answer");
      McpSchema.CallToolResult after = Gateways.call(client, "flaky.echo", Map.of("text", "two"));
      assertThat(after.isError()).as(Gateways.text(after)).isNotEqualTo(Boolean.TRUE);
      assertThat(Gateways.text(after)).isEqualTo("echo: two");
    } finally {
      client.closeGracefully();
    }
  }
}
