package dev.tollgate.cli;

import dev.tollgate.mcp.GatewayConfig;
import dev.tollgate.mcp.McpGateway;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tollgate mcp}: the MCP gateway. It runs the server of {@code tollgate serve} (store,
 * audit, approvals and the console, where a person approves what the gateway holds) and, on its
 * standard input and output, an MCP server in front of the configured MCP servers, every tool call
 * decided as the configured agent.
 */
@Command(
    name = "mcp",
    description = {
      "Gate an MCP client's tool calls: an MCP server on standard input and output in front of MCP"
          + " servers, every tools/call decided first. The console (for approvals) runs as with"
          + " `serve`, whose environment variables apply.",
      "  tollgate mcp --config mcp.yaml",
      "  tollgate mcp --agent desk-assistant -- npx -y @modelcontextprotocol/server-filesystem"
          + " /data"
    })
final class McpCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "The gateway's configuration: agent, servers (see docs/mcp.md).")
  Path config;

  @Option(
      names = "--agent",
      paramLabel = "NAME",
      description = "The agent the gateway decides as, without --config.")
  String agent;

  @Option(
      names = "--name",
      paramLabel = "NAME",
      description =
          "The server's name, its tools' prefix, without --config (default: from the command,"
              + " `filesystem` for @modelcontextprotocol/server-filesystem).")
  String name;

  @Option(
      names = "--for-user",
      paramLabel = "USER",
      description = "On whose behalf the agent acts, without --config.")
  String user;

  @Option(
      names = "--request",
      paramLabel = "TEXT",
      description = "The session's request (what the user asked), without --config.")
  String request;

  @Option(
      names = "--approval-wait",
      paramLabel = "DURATION",
      converter = DurationOption.class,
      description =
          "How long an asked call is held for a person to decide in the console, without --config"
              + " (default 60s; 0: answered at once with the approval's id).")
  java.time.Duration approvalWait;

  @Option(
      names = "--listen",
      paramLabel = "HOST:PORT",
      description =
          "Serve MCP clients over Streamable HTTP at http://HOST:PORT/mcp instead of standard input"
              + " and output, without --config (clients send a token of the agent: tollgate agents"
              + " add).")
  String listen;

  @Option(
      names = "--policies",
      defaultValue = "${env:TOLLGATE_POLICIES:-examples/invoice-vendor-mail}",
      paramLabel = "DIR",
      description = "The policy bundle (default ${DEFAULT-VALUE}; env TOLLGATE_POLICIES).")
  Path policies;

  @Option(
      names = "--data",
      defaultValue = "${env:TOLLGATE_DATA:-tollgate-data}",
      paramLabel = "DIR",
      description =
          "The data directory, as for serve (default ${DEFAULT-VALUE}; env TOLLGATE_DATA).")
  Path data;

  @Option(
      names = "--port",
      paramLabel = "N",
      defaultValue = "${env:TOLLGATE_PORT:-8181}",
      description = "The console's port; 0 picks a free one (default ${DEFAULT-VALUE}).")
  int port;

  @Parameters(
      paramLabel = "COMMAND",
      arity = "0..*",
      description = "After --: the MCP server to start, without --config.")
  List<String> command = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    GatewayConfig gateway;
    try {
      gateway = gatewayConfig();
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return Exit.ERROR;
    }
    // standard output is the protocol's channel: everything else goes to standard error
    PrintStream protocol = System.out;
    PrintStream log = new PrintStream(System.err, true, StandardCharsets.UTF_8);
    System.setOut(log);
    ServeCommand serve = new ServeCommand();
    CommandLine serveLine = new CommandLine(serve);
    PrintWriter logWriter =
        new PrintWriter(new java.io.OutputStreamWriter(log, StandardCharsets.UTF_8), true);
    serveLine.setOut(logWriter).setErr(logWriter);
    List<String> args = new ArrayList<>(List.of("--policies", policies.toString()));
    args.addAll(List.of("--data", data.toString(), "--port", Integer.toString(port)));
    if (gateway.agent().matches(Credentials.NAME)) {
      args.addAll(List.of("--first-agent", gateway.agent()));
    }
    serveLine.parseArgs(args.toArray(String[]::new));
    ServeCommand.Running running = serve.start();
    if (running == null) {
      return Exit.ERROR;
    }
    log.println("tollgate mcp: console at " + running.server.uri());
    dev.tollgate.mcp.ApprovalWait approvals = running.server.engine().approvals()::await;
    EnginePins pins = new EnginePins(running.server.engine().toolPins(), gateway.agent());
    dev.tollgate.api.Gate gate = running.server.engine().gate(gateway.agent());
    try (McpGateway g =
        gateway.listen() == null
            ? McpGateway.start(gateway, gate, approvals, pins, System.in, protocol, log)
            : McpGateway.startHttp(
                gateway,
                gate,
                approvals,
                pins,
                dev.tollgate.mcp.ClientTokens.of(running.store().credentials(), gateway.agent()),
                log)) {
      if (g.uri() != null) {
        // over HTTP the gateway serves until the process is stopped
        Runtime.getRuntime().addShutdownHook(new Thread(g::close));
      }
      g.awaitClosed();
    } catch (IllegalStateException e) {
      err.println("error: " + e.getMessage());
      return Exit.ERROR;
    } finally {
      running.close();
    }
    return Exit.OK;
  }

  /** The engine's tool pins, for the gateway's agent. */
  record EnginePins(dev.tollgate.engine.ToolPins pins, String agent)
      implements dev.tollgate.mcp.ToolPinning {
    @Override
    public Pin check(String server, Map<String, Object> definition, List<String> concerns) {
      dev.tollgate.engine.ToolPins.Verdict v = pins.check(agent, server, definition, concerns);
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
  }

  private GatewayConfig gatewayConfig() throws java.io.IOException {
    if (config != null) {
      if (!command.isEmpty() || agent != null || approvalWait != null || listen != null) {
        throw new IllegalArgumentException(
            "give either --config or --agent with a command after --, not both");
      }
      return GatewayConfig.read(config);
    }
    if (agent == null || command.isEmpty()) {
      throw new IllegalArgumentException(
          "give --config mcp.yaml, or --agent NAME and the server's command after --, for"
              + " example: tollgate mcp --agent desk-assistant -- npx -y"
              + " @modelcontextprotocol/server-filesystem /data");
    }
    String server = name != null ? name : nameOf(command);
    return new GatewayConfig(
        agent,
        user,
        request,
        approvalWait,
        listen,
        Map.of(server, GatewayConfig.ServerSpec.process(command, Map.of())));
  }

  /** A server's name from its command: what follows `server-` in a package, else the program. */
  static String nameOf(List<String> command) {
    for (String word : command) {
      int at = word.lastIndexOf("server-");
      if (at >= 0 && !word.startsWith("-")) {
        String rest = word.substring(at + "server-".length()).replaceAll("[^A-Za-z0-9_-].*$", "");
        if (!rest.isEmpty()) {
          return rest;
        }
      }
    }
    String program = Path.of(command.getFirst()).getFileName().toString();
    String cleaned = program.replaceAll("[^A-Za-z0-9_-]", "");
    return cleaned.isEmpty() ? "server" : cleaned;
  }
}
