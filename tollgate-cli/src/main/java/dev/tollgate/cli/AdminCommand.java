package dev.tollgate.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tollgate admin}: tokens for the admin API (approvals, grants, reload). */
@Command(
    name = "admin",
    description = "Manage tokens for the admin API (approvals, grants, policy reload).",
    subcommands = {AdminCommand.Token.class, AdminCommand.Revoke.class})
final class AdminCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The {@code --name} of an admin token, shared by token and revoke. */
  static final class Name {
    @Option(
        names = "--name",
        paramLabel = "NAME",
        description =
            "Whose token: the credential is @admin-NAME, the name approvals and grants record"
                + " (without it: @admin, the one serve creates on a new store).")
    String name;

    /** The credential name, or {@code null} after printing why {@code --name} is invalid. */
    String credential(CommandLine.Model.CommandSpec spec) {
      if (name != null && !name.matches(Credentials.NAME)) {
        spec.commandLine()
            .getErr()
            .println("error: invalid name `" + name + "`: use letters, digits, `.`, `_` and `-`");
        return null;
      }
      return Credentials.admin(name);
    }
  }

  @Command(
      name = "token",
      description = {
        "Mint a new admin token and print it, once; only its hash is stored, and the minting is"
            + " audited.",
        "Older tokens of the same name stay valid until `admin revoke`."
      })
  static final class Token implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin Name name;
    @Mixin StoreOptions source;

    @Override
    public Integer call() {
      String credential = name.credential(spec);
      if (credential == null) {
        return Exit.ERROR;
      }
      return source.create(
          spec,
          store -> {
            spec.commandLine().getOut().println(Credentials.add(store, credential, "cli"));
            spec.commandLine()
                .getErr()
                .println(
                    "admin token `"
                        + credential
                        + "` added; the token above is shown once and stored only as a hash");
            return Exit.OK;
          });
    }
  }

  @Command(name = "revoke", description = "Revoke every admin token of a name; audited.")
  static final class Revoke implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin Name name;
    @Mixin StoreOptions source;

    @Override
    public Integer call() {
      String credential = name.credential(spec);
      if (credential == null) {
        return Exit.ERROR;
      }
      return source.run(
          spec,
          store -> {
            int n = Credentials.revoke(store, credential, "cli");
            spec.commandLine()
                .getOut()
                .println(n + " token" + (n == 1 ? "" : "s") + " of `" + credential + "` revoked");
            return n > 0 ? Exit.OK : Exit.FAILED;
          });
    }
  }
}
