package dev.tollgate.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** mcp.yaml: what it reads, and the place and fix of every mistake. */
class GatewayConfigTest {

  @Test
  void readsAgentServersAndTheApprovalWait() {
    GatewayConfig c =
        GatewayConfig.parse(
            """
            agent: desk-assistant
            user: erin@acme.example
            request: Tidy my notes
            approval_wait: 2m
            servers:
              filesystem:
                command: [npx, -y, "@modelcontextprotocol/server-filesystem", /data]
                env: {A: 1}
              memory:
                command: [npx, -y, "@modelcontextprotocol/server-memory"]
            """,
            "mcp.yaml");
    assertThat(c.agent()).isEqualTo("desk-assistant");
    assertThat(c.user()).isEqualTo("erin@acme.example");
    assertThat(c.approvalWait()).isEqualTo(Duration.ofMinutes(2));
    assertThat(c.servers().keySet()).containsExactly("filesystem", "memory");
    assertThat(c.servers().get("filesystem").command())
        .isEqualTo(List.of("npx", "-y", "@modelcontextprotocol/server-filesystem", "/data"));
    assertThat(c.servers().get("filesystem").env()).containsEntry("A", "1");
  }

  @Test
  void defaultsTheUserAndTheWait() {
    GatewayConfig c = GatewayConfig.parse("agent: a\nservers: {fs: {command: [node]}}\n", "x");
    assertThat(c.user()).isNotBlank();
    assertThat(c.approvalWait()).isEqualTo(GatewayConfig.DEFAULT_APPROVAL_WAIT);
  }

  @Test
  void everyMistakeNamesItsPlace() {
    assertThatThrownBy(() -> GatewayConfig.parse("agent: a\nservers: {}\n", "m.yaml"))
        .hasMessageContaining("m.yaml: `servers` must map each server's name to its `command`");
    assertThatThrownBy(() -> GatewayConfig.parse("agnet: a\n", "m.yaml"))
        .hasMessageContaining("m.yaml: unknown key `agnet`");
    assertThatThrownBy(
            () -> GatewayConfig.parse("agent: a\nservers: {fs: {command: node}}\n", "m.yaml"))
        .hasMessageContaining("m.yaml: servers.fs.command: expected a list");
    assertThatThrownBy(
            () -> GatewayConfig.parse("agent: a\nservers: {f.s: {command: [node]}}\n", "m.yaml"))
        .hasMessageContaining("server name `f.s`");
    assertThatThrownBy(
            () ->
                GatewayConfig.parse(
                    "agent: a\napproval_wait: soon\nservers: {fs: {command: [node]}}\n", "m.yaml"))
        .hasMessageContaining("m.yaml: approval_wait: `soon` is not a duration");
    assertThatThrownBy(() -> GatewayConfig.parse("servers: {fs: {command: [node]}}\n", "m.yaml"))
        .hasMessageContaining("m.yaml: the gateway needs an agent");
    assertThatThrownBy(() -> GatewayConfig.parse("agent: [\n", "m.yaml"))
        .hasMessageContaining("m.yaml: not YAML");
  }
}
