package dev.tollgate.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code tollgate} command. Each subcommand is one small class over a library runner; every
 * command and subcommand inherits {@code --help} and {@code --version} from here.
 */
@Command(
    name = "tollgate",
    scope = CommandLine.ScopeType.INHERIT,
    mixinStandardHelpOptions = true,
    version = "tollgate 0.1.0",
    description = "A runtime action gate for AI agents.",
    subcommands = {
      CheckCommand.class,
      TestCommand.class,
      ValidateCommand.class,
      BundleCommand.class,
      ReplayCommand.class,
      EvalCommand.class,
      DemoCommand.class,
      ServeCommand.class,
      McpCommand.class,
      AgentsCommand.class,
      AdminCommand.class,
      UsersCommand.class,
      AuditCommand.class,
      ApprovalsCommand.class,
      ApprovalsCommand.GrantsCommand.class,
      PauseCommand.Pause.class,
      PauseCommand.Resume.class,
      PauseCommand.List.class,
      ToolsCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(utf8(System.out), utf8(System.err), args));
  }

  private static PrintWriter utf8(java.io.PrintStream stream) {
    return new PrintWriter(
        new java.io.OutputStreamWriter(stream, java.nio.charset.StandardCharsets.UTF_8), true);
  }

  /** Runs the command line and returns its exit code; used by {@link #main} and by tests. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(out);
    cli.setErr(err);
    setErrorCodes(cli);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine.getErr().println("error: " + e.getMessage());
          return Exit.ERROR;
        });
    int code = cli.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  private static void setErrorCodes(CommandLine cli) {
    cli.getCommandSpec().exitCodeOnInvalidInput(Exit.ERROR);
    cli.getCommandSpec().exitCodeOnExecutionException(Exit.ERROR);
    cli.getSubcommands().values().forEach(Main::setErrorCodes);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
