package dev.tollgate.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code tollgate agents}: agent credentials. */
@Command(
    name = "agents",
    description = "Manage agent credentials.",
    subcommands = {AgentsCommand.Add.class, AgentsCommand.Revoke.class})
final class AgentsCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "add",
      description = "Add an agent and print its token, once; only its hash is stored. Audited.")
  static final class Add implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "The agent's name, as policies see it.")
    String name;

    @Mixin StoreOptions source;

    @Override
    public Integer call() throws Exception {
      if (!name.matches(Credentials.NAME)) {
        spec.commandLine()
            .getErr()
            .println(
                "error: invalid agent name `" + name + "`: use letters, digits, `.`, `_` and `-`");
        return Exit.ERROR;
      }
      return source.create(
          spec,
          store -> {
            String token = Credentials.add(store, name, "cli");
            spec.commandLine().getOut().println(token);
            spec.commandLine()
                .getErr()
                .println(
                    "agent `"
                        + name
                        + "` added; the token above is"
                        + " shown once and stored only as a hash");
            return Exit.OK;
          });
    }
  }

  @Command(name = "revoke", description = "Revoke every token of an agent. Audited.")
  static final class Revoke implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "NAME")
    String name;

    @Mixin StoreOptions source;

    @Override
    public Integer call() {
      return source.run(
          spec,
          store -> {
            int n = Credentials.revoke(store, name, "cli");
            spec.commandLine().getOut().println(n + " token" + (n == 1 ? "" : "s") + " revoked");
            return n > 0 ? Exit.OK : Exit.FAILED;
          });
    }
  }
}
