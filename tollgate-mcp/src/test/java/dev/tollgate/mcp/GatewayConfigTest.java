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

  @Test
  void readsServersOverHttpAndWhereToListen() {
    GatewayConfig c =
        GatewayConfig.parse(
            """
            agent: a
            listen: 127.0.0.1:8182
            servers:
              tickets:
                url: https://tickets.example/mcp?x=1
                headers: {Authorization: "Bearer ${HOME}", X-Team: desk}
            """,
            "mcp.yaml");
    assertThat(c.listenHost()).isEqualTo("127.0.0.1");
    assertThat(c.listenPort()).isEqualTo(8182);
    GatewayConfig.ServerSpec tickets = c.servers().get("tickets");
    assertThat(tickets.url()).hasToString("https://tickets.example/mcp?x=1");
    assertThat(tickets.command()).isEmpty();
    assertThat(tickets.headers())
        .containsEntry("Authorization", "Bearer " + System.getenv("HOME"))
        .containsEntry("X-Team", "desk");
  }

  @Test
  void everyHttpMistakeNamesItsPlace() {
    assertThatThrownBy(
            () ->
                GatewayConfig.parse(
                    "agent: a\nservers: {t: {url: 'http://x/mcp', command: [node]}}\n", "m.yaml"))
        .hasMessageContaining("m.yaml: servers.t: give either `url` (and `headers`) or `command`");
    assertThatThrownBy(
            () -> GatewayConfig.parse("agent: a\nservers: {t: {url: 'ftp://x/mcp'}}\n", "m.yaml"))
        .hasMessageContaining("m.yaml: servers.t: a server's url must be http:// or https://");
    assertThatThrownBy(
            () ->
                GatewayConfig.parse(
                    "agent: a\nservers: {t: {url: 'http://x/mcp', headers: {A: '${TOLLGATE_NO_SUCH_VARIABLE}'}}}\n",
                    "m.yaml"))
        .hasMessageContaining(
            "m.yaml: servers.t.headers.A: the environment variable TOLLGATE_NO_SUCH_VARIABLE is not set");
    assertThatThrownBy(
            () ->
                GatewayConfig.parse(
                    "agent: a\nservers: {t: {command: [node], headers: {A: b}}}\n", "m.yaml"))
        .hasMessageContaining("m.yaml: servers.t.headers: only a server with a `url` has headers");
    assertThatThrownBy(
            () ->
                GatewayConfig.parse(
                    "agent: a\nlisten: everywhere\nservers: {t: {command: [node]}}\n", "m.yaml"))
        .hasMessageContaining("m.yaml: listen: `everywhere` is not host:port");
  }
}
