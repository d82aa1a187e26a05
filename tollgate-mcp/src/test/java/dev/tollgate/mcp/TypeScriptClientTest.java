package dev.tollgate.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official TypeScript client (@modelcontextprotocol/sdk 1.x, the session-based revisions
 * desktop clients speak) drives the gateway in front of the real filesystem server: it sees the
 * namespaced tools, an allowed read answers the file, a denied read answers Tollgate's reason with
 * the decision in the result's _meta.
 */
class TypeScriptClientTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void theTypeScriptClientIsGatedLikeAnyOther() throws Exception {
    Path client = Path.of("src/test/node/ts-client.mjs").toAbsolutePath();
    Path root = Files.createDirectories(dir.resolve("data")).toRealPath();
    Files.writeString(root.resolve("todo.md"), "- buy milk\n");
    Path config = dir.resolve("mcp.yaml");
    Files.writeString(
        config,
        "agent: desk-assistant\nservers:\n  filesystem:\n    command: [node, "
            + McpGatewayTest.SERVER.toAbsolutePath()
            + ", "
            + root
            + "]\n");
    String calls =
        JSON.writeValueAsString(
            List.of(
                java.util.Map.of(
                    "name",
                    "filesystem.read_text_file",
                    "arguments",
                    java.util.Map.of("path", root.resolve("todo.md").toString())),
                java.util.Map.of(
                    "name",
                    "filesystem.read_text_file",
                    "arguments",
                    java.util.Map.of("path", root.resolve(".env").toString()))));
    List<String> command = new ArrayList<>(List.of("node", client.toString(), calls, "--"));
    command.addAll(
        Gateways.command(Path.of("../examples/mcp-filesystem").toAbsolutePath(), config));
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    JsonNode r = JSON.readTree(out);
    assertThat(r.path("server").path("name").asText()).isEqualTo("tollgate-mcp-gateway");
    List<String> tools = new ArrayList<>();
    r.path("tools").forEach(t -> tools.add(t.asText()));
    assertThat(tools).contains("filesystem.read_text_file", "filesystem.write_file");
    JsonNode allowed = r.path("results").get(0);
    assertThat(allowed.path("isError").asBoolean(false)).isFalse();
    assertThat(allowed.path("content").get(0).path("text").asText()).contains("buy milk");
    JsonNode denied = r.path("results").get(1);
    assertThat(denied.path("isError").asBoolean()).isTrue();
    assertThat(denied.path("content").get(0).path("text").asText())
        .contains("Tollgate denied this call to filesystem.read_text_file");
    assertThat(denied.path("_meta").path(McpGateway.DECISION_META).path("effect").asText())
        .isEqualTo("deny");
  }
}
