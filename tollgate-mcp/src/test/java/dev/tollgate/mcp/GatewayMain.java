package dev.tollgate.mcp;

import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.Tollgate;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The gateway as a process of its own, as an MCP client starts it: the in-process engine on a
 * policy bundle, deciding as the configured agent. Arguments: the bundle directory and the
 * gateway's configuration file.
 */
public final class GatewayMain {
  private GatewayMain() {}

  public static void main(String[] args) throws Exception {
    PrintStream protocol = System.out;
    PrintStream log = new PrintStream(System.err, true, StandardCharsets.UTF_8);
    System.setOut(log);
    GatewayConfig config = GatewayConfig.read(Path.of(args[1]));
    Tollgate tollgate = Tollgate.builder().bundle(Bundle.load(Path.of(args[0]))).build();
    try (McpGateway g =
        McpGateway.start(config, tollgate.gate(config.agent()), System.in, protocol, log)) {
      g.awaitClosed();
    }
    System.exit(0);
  }
}
