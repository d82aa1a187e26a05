package dev.tollgate.mcp;

import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.Tollgate;
import java.nio.file.Path;

/**
 * The gateway as a process of its own, as an MCP client starts it: the in-process engine on a
 * policy bundle, deciding as the configured agent. Arguments: the bundle directory and the
 * gateway's configuration file.
 */
public final class GatewayMain {
  private GatewayMain() {}

  public static void main(String[] args) throws Exception {
    GatewayConfig config = GatewayConfig.read(Path.of(args[1]));
    Tollgate tollgate = Tollgate.builder().bundle(Bundle.load(Path.of(args[0]))).build();
    McpGateway.serveStdio(
        config, tollgate.gate(config.agent()), ApprovalWait.NONE, tollgate::inspect);
    System.exit(0);
  }
}
