package dev.tollgate.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway in front of the real @modelcontextprotocol/server-filesystem and server-memory
 * (installed by ./test from src/test/node), started as its own process and driven by the Java MCP
 * SDK's client, as an MCP client would: under examples/mcp-filesystem, reads pass, a key file is
 * refused before the server sees the call, a move waits for a person, a written card number reaches
 * the disk masked, and the memory server, outside the agent's profile, is never reached.
 */
class McpGatewayTest {
  static final Path SERVER =
      Path.of("src/test/node/node_modules/@modelcontextprotocol/server-filesystem/dist/index.js");

  static final Path MEMORY =
      Path.of("src/test/node/node_modules/@modelcontextprotocol/server-memory/dist/index.js");

  @TempDir static Path dir;
  static Path root;
  static McpSyncClient client;

  @BeforeAll
  static void start() throws IOException {
    assertThat(SERVER)
        .as(
            "the MCP filesystem server from npm: ./test installs it (npm ci --prefix"
                + " tollgate-mcp/src/test/node)")
        .exists();
    root = Files.createDirectories(dir.resolve("data")).toRealPath();
    Files.createDirectories(root.resolve("notes"));
    Files.createDirectories(root.resolve(".ssh"));
    Files.writeString(root.resolve("notes/todo.md"), "- buy milk\n");
    Files.writeString(root.resolve(".ssh/id_rsa"), "-----BEGIN KEY-----\n");
    Path config = dir.resolve("mcp.yaml");
    Files.writeString(
        config,
        "agent: desk-assistant\n"
            + "request: Tidy my notes folder\n"
            + "servers:\n"
            + "  filesystem:\n"
            + "    command: [node, "
            + SERVER.toAbsolutePath()
            + ", "
            + root
            + "]\n"
            + "  memory:\n"
            + "    command: [node, "
            + MEMORY.toAbsolutePath()
            + "]\n"
            + "    env: {MEMORY_FILE_PATH: "
            + dir.resolve("memory.jsonl")
            + "}\n");
    client =
        Gateways.client(
            Path.of("../examples/mcp-filesystem").toAbsolutePath(), config, "gateway-test");
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.closeGracefully();
    }
  }

  @Test
  void eachServersToolsAppearUnderItsName() {
    List<String> names = client.listTools().tools().stream().map(McpSchema.Tool::name).toList();
    assertThat(names)
        .contains("filesystem.read_text_file", "filesystem.write_file", "filesystem.move_file")
        .contains("memory.create_entities", "memory.read_graph")
        .allMatch(n -> n.startsWith("filesystem.") || n.startsWith("memory."));
  }

  @Test
  void aServerOutsideTheAgentsProfileIsDeniedByTheProfile() {
    McpSchema.CallToolResult r =
        call(
            "memory.create_entities",
            Map.of(
                "entities",
                List.of(
                    Map.of("name", "erin", "entityType", "person", "observations", List.of("x")))));
    assertThat(r.isError()).isTrue();
    assertThat(text(r)).contains("profile:desk-assistant");
    assertThat(dir.resolve("memory.jsonl")).doesNotExist();
  }

  @Test
  void anAllowedReadReachesTheServer() {
    McpSchema.CallToolResult r =
        call("filesystem.read_text_file", Map.of("path", root.resolve("notes/todo.md").toString()));
    assertThat(r.isError()).isNotEqualTo(Boolean.TRUE);
    assertThat(text(r)).contains("buy milk");
    assertThat(r.meta().get(McpGateway.DECISION_META))
        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
        .containsEntry("effect", "allow");
  }

  @Test
  void aDeniedCallNeverReachesTheServerAndTheModelLearnsWhy() {
    Path secret = root.resolve(".ssh/config");
    McpSchema.CallToolResult r =
        call("filesystem.write_file", Map.of("path", secret.toString(), "content", "Host *"));
    assertThat(r.isError()).isTrue();
    assertThat(text(r))
        .contains("Tollgate denied this call to filesystem.write_file")
        .contains("no-secret-files")
        .contains("never touches key or secret files");
    assertThat(secret).doesNotExist();
    assertThat(r.meta().get(McpGateway.DECISION_META))
        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
        .containsEntry("effect", "deny")
        .containsEntry("policies", List.of("no-secret-files"))
        .containsKey("id");
  }

  @Test
  void aMoveWaitsForAPersonAndIsNotMade() {
    Path from = root.resolve("notes/todo.md");
    Path to = root.resolve("notes/done.md");
    McpSchema.CallToolResult r =
        call(
            "filesystem.move_file",
            Map.of("source", from.toString(), "destination", to.toString()));
    assertThat(r.isError()).isTrue();
    assertThat(text(r)).contains("for a person's approval").contains("Approval ");
    assertThat(from).exists();
    assertThat(to).doesNotExist();
  }

  @Test
  void aWriteGoesWithItsCardNumberMasked() throws IOException {
    Path note = root.resolve("notes/card.md");
    McpSchema.CallToolResult r =
        call(
            "filesystem.write_file",
            Map.of("path", note.toString(), "content", "pay with 4111 1111 1111 1111 today"));
    assertThat(r.isError()).as(text(r)).isNotEqualTo(Boolean.TRUE);
    String written = Files.readString(note);
    assertThat(written).startsWith("pay with ").doesNotContain("4111 1111 1111 1111");
  }

  private static McpSchema.CallToolResult call(String tool, Map<String, Object> args) {
    return Gateways.call(client, tool, args);
  }

  private static String text(McpSchema.CallToolResult r) {
    return Gateways.text(r);
  }
}
