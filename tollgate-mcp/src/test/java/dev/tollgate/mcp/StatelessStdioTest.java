package dev.tollgate.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stateless revision 2026-07-28 on stdio: the official TypeScript client 2.x starts the gateway
 * as a child process, probes it with server/discover (the client's first line carries the revision
 * in its _meta), and speaks 2026-07-28 to it; without negotiation the same client speaks the 2025
 * revisions to the same command. Calls are gated either way. Towards a child-process server the
 * other way round: a TypeScript SDK 2.x server that rejects the 2025 handshake is spoken to in
 * 2026-07-28, gated, and started again after it crashes mid-call.
 */
class StatelessStdioTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  /** An open bundle but for one policy: {@code tool} never sends "launch codes". */
  private Path launchCodesNeverLeave(String tool) throws java.io.IOException {
    Path bundle = Gateways.openBundle(dir);
    Files.writeString(
        bundle.resolve("policies.yaml"),
        """
        policies:
          - name: no-launch-codes
            match: {tools: [%s]}
            when: 'string(action.args.text).contains("launch codes")'
            effect: deny
            message: '"launch codes never leave"'
        """
            .formatted(tool));
    return bundle;
  }

  JsonNode run(String negotiation) throws Exception {
    Path bundle = launchCodesNeverLeave("local.echo");
    Path config = dir.resolve("mcp.yaml");
    Files.writeString(
        config,
        "agent: desk\nservers:\n  local:\n    command: [node, "
            + Path.of("src/test/node/echo-stdio.mjs").toAbsolutePath()
            + "]\n");
    String calls =
        JSON.writeValueAsString(
            List.of(
                Map.of("name", "local.echo", "arguments", Map.of("text", "from node")),
                Map.of("name", "local.echo", "arguments", Map.of("text", "launch codes"))));
    List<String> command =
        new ArrayList<>(
            List.of(
                "node",
                Path.of("src/test/node/ts2-client.mjs").toAbsolutePath().toString(),
                calls,
                "--"));
    command.addAll(Gateways.command(bundle, config));
    ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().put("MCP_NEGOTIATION", negotiation);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    JsonNode r = JSON.readTree(out);
    assertThat(r.path("tools").toString()).contains("local.echo");
    assertThat(r.path("results").get(0).path("content").get(0).path("text").asText())
        .isEqualTo("echo: from node");
    JsonNode denied = r.path("results").get(1);
    assertThat(denied.path("isError").asBoolean()).isTrue();
    assertThat(denied.path("content").get(0).path("text").asText())
        .contains("Tollgate denied this call to local.echo")
        .contains("launch codes never leave");
    return r;
  }

  @Test
  void theTypeScriptClient2xNegotiatesTheStatelessRevisionOnStdio() throws Exception {
    assertThat(run("auto").path("protocolVersion").asText()).isEqualTo("2026-07-28");
  }

  @Test
  void withoutNegotiationItSpeaksThe2025RevisionsToTheSameCommand() throws Exception {
    assertThat(run("legacy").path("protocolVersion").asText()).isEqualTo("2025-11-25");
  }

  @Test
  void aChildProcessServerOfTheStatelessRevisionOnlyIsGatedAndRestartedAfterACrash()
      throws Exception {
    Path bundle = launchCodesNeverLeave("modern.echo");
    Path config = dir.resolve("mcp.yaml");
    Files.writeString(
        config,
        "agent: desk\nservers:\n  modern:\n    command: [node, "
            + Path.of("src/test/node/stateless-stdio-server.mjs").toAbsolutePath()
            + "]\n");
    var client = Gateways.client(bundle, config, "stateless-server-test");
    try {
      assertThat(client.listTools().tools())
          .extracting(io.modelcontextprotocol.spec.McpSchema.Tool::name)
          .containsExactlyInAnyOrder("modern.echo", "modern.crash");
      assertThat(Gateways.text(Gateways.call(client, "modern.echo", Map.of("text", "hello"))))
          .isEqualTo("echo: hello");
      var denied = Gateways.call(client, "modern.echo", Map.of("text", "the launch codes"));
      assertThat(denied.isError()).isTrue();
      assertThat(Gateways.text(denied)).contains("launch codes never leave");
      var crashed = Gateways.call(client, "modern.crash", Map.of());
      assertThat(crashed.isError()).isTrue();
      assertThat(Gateways.text(crashed))
          .contains("The MCP server behind modern.crash did not answer");
      var after = Gateways.call(client, "modern.echo", Map.of("text", "again"));
      assertThat(Gateways.text(after)).isEqualTo("echo: again");
    } finally {
      client.closeGracefully();
    }
  }
}
