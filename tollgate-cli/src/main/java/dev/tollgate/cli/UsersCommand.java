package dev.tollgate.cli;

import dev.tollgate.api.store.Store;
import dev.tollgate.server.Passwords;
import dev.tollgate.server.People;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tollgate users}: people who sign in to the console. */
@Command(
    name = "users",
    description = "Manage the people who sign in to the console.",
    subcommands = {UsersCommand.Add.class})
final class UsersCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "add",
      description =
          "Add a person. The password is read from stdin with --password-stdin, or generated"
              + " and printed once.")
  static final class Add implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "The sign-in name.")
    String name;

    @Option(
        names = "--role",
        required = true,
        split = ",",
        paramLabel = "ROLE",
        description =
            "approver (inbox, approve, deny), admin (everything) or auditor (read only); repeat"
                + " the option or separate roles with commas for several.")
    List<String> roles;

    @Option(
        names = "--password-stdin",
        description = "Read the password from the first line of standard input.")
    boolean passwordStdin;

    @Mixin StoreOptions source;

    @Override
    public Integer call() throws Exception {
      var err = spec.commandLine().getErr();
      String password;
      if (passwordStdin) {
        BufferedReader in =
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line = in.readLine();
        password = line == null ? "" : line;
      } else {
        password = Passwords.generate();
      }
      try (Store store = source.open(err)) {
        new People(store, InstantSource.system())
            .add("cli", name, new TreeSet<>(roles), password.toCharArray());
      } catch (People.PeopleException e) {
        err.println("error: " + e.getMessage());
        return e.code().equals("taken") ? Exit.FAILED : Exit.ERROR;
      } catch (Inputs.UsageException e) {
        err.println("error: " + e.getMessage());
        return Exit.ERROR;
      }
      if (!passwordStdin) {
        spec.commandLine().getOut().println(password);
      }
      err.println(
          "`"
              + name
              + "` added with role"
              + (roles.size() > 1 ? "s " : " ")
              + String.join(", ", new TreeSet<>(roles))
              + (passwordStdin ? "" : "; the password above is shown once")
              + ", stored only as a hash");
      return Exit.OK;
    }
  }
}
