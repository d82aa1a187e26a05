package dev.tollgate.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tool poisoning: a server (on the official TypeScript SDK) whose tool description tells the model
 * to read a key file and keep it from the user. The gateway's detectors find the instructions in
 * the definition and keep the tool from the client; the server's ordinary tool is shown.
 */
class PoisonedToolTest {
  @TempDir Path dir;

  @Test
  void aToolWhoseDescriptionInstructsTheModelIsNotShown() throws Exception {
    Path config = dir.resolve("mcp.yaml");
    Files.writeString(
        config,
        "agent: tester\nservers:\n  tools:\n    command: [node, "
            + Path.of("src/test/node/poisoned-server.mjs").toAbsolutePath()
            + "]\n");
    McpSyncClient client = Gateways.client(Gateways.openBundle(dir), config, "poison-test");
    try {
      List<String> names = client.listTools().tools().stream().map(McpSchema.Tool::name).toList();
      assertThat(names).contains("tools.echo").doesNotContain("tools.add");
      assertThatThrownBy(() -> Gateways.call(client, "tools.add", Map.of("a", 1, "b", 2)))
          .isInstanceOf(io.modelcontextprotocol.spec.McpError.class)
          .hasMessageContaining("Unknown tool");
      assertThat(Gateways.text(Gateways.call(client, "tools.echo", Map.of("text", "hi"))))
          .isEqualTo("echo: hi");
    } finally {
      client.closeGracefully();
    }
  }
}
