package dev.tollgate.mcp;

import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.Tollgate;
import dev.tollgate.engine.ToolPins;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The gateway as a process of its own, as an MCP client starts it: the in-process engine on a
 * policy bundle, deciding as the configured agent. Arguments: the bundle directory, the gateway's
 * configuration file, and optionally a data directory for a SQLite store (else all in memory).
 */
public final class GatewayMain {
  private GatewayMain() {}

  public static void main(String[] args) throws Exception {
    GatewayConfig config = GatewayConfig.read(Path.of(args[1]));
    Tollgate.Builder b = Tollgate.builder().bundle(Bundle.load(Path.of(args[0])));
    if (args.length > 2) {
      b.store(JdbcStore.open(StoreConfig.sqlite(Path.of(args[2]))));
    }
    Tollgate tollgate = b.build();
    McpGateway.serveStdio(
        config,
        tollgate.gate(config.agent()),
        ApprovalWait.NONE,
        pinning(tollgate.toolPins(), config.agent()));
    System.exit(0);
  }

  /** The engine's pins as the gateway asks for them. */
  static ToolPinning pinning(ToolPins pins, String agent) {
    return new ToolPinning() {
      @Override
      public Pin check(String server, Map<String, Object> definition, List<String> concerns) {
        ToolPins.Verdict v = pins.check(agent, server, definition, concerns);
        return new Pin(v.shown(), v.why());
      }

      @Override
      public long version() {
        return pins.version();
      }

      @Override
      public void onAccepted(Runnable listener) {
        pins.subscribe(listener);
      }
    };
  }
}
