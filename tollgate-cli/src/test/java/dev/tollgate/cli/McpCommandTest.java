package dev.tollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `tollgate mcp`'s arguments: what it refuses, and the server name it gives a bare command. */
class McpCommandTest {
  @TempDir Path dir;

  @Test
  void withoutAConfigOrACommandItSaysWhatToGive() {
    CliTest.Run r = CliTest.run("mcp", "--agent", "desk-assistant");
    assertThat(r.code()).isEqualTo(Exit.ERROR);
    assertThat(r.err())
        .contains("give --config mcp.yaml, or --agent NAME and the server's command");
  }

  @Test
  void aConfigAndACommandTogetherAreRefused() throws Exception {
    Path config = dir.resolve("mcp.yaml");
    Files.writeString(config, "agent: a\nservers: {fs: {command: [node]}}\n");
    CliTest.Run r = CliTest.run("mcp", "--config", config.toString(), "--", "node", "x.js");
    assertThat(r.code()).isEqualTo(Exit.ERROR);
    assertThat(r.err()).contains("not both");
  }

  @Test
  void aMistakeInTheConfigIsNamedWithItsPlace() throws Exception {
    Path config = dir.resolve("mcp.yaml");
    Files.writeString(config, "agent: a\nservers:\n  fs: {comand: [node]}\n");
    CliTest.Run r = CliTest.run("mcp", "--config", config.toString());
    assertThat(r.code()).isEqualTo(Exit.ERROR);
    assertThat(r.err())
        .contains("servers.fs: unknown key `comand` (known: command, env, url, headers)");
  }

  @Test
  void aBareCommandIsNamedAfterItsPackage() {
    assertThat(
            McpCommand.nameOf(
                List.of("npx", "-y", "@modelcontextprotocol/server-filesystem", "/data")))
        .isEqualTo("filesystem");
    assertThat(McpCommand.nameOf(List.of("node", "/opt/servers/server-memory/dist/index.js")))
        .isEqualTo("memory");
    assertThat(McpCommand.nameOf(List.of("/usr/local/bin/my.tool", "--stdio"))).isEqualTo("mytool");
  }
}
