package dev.tollgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every {@code serve} option can be set in the environment, is named so in {@code --help} and in
 * the one table of docs/server.md; and a variable really sets what the command line leaves unsaid.
 */
class ServeEnvironmentTest {
  private static final Pattern ENV = Pattern.compile("\\$\\{env:(TOLLGATE_[A-Z_]+)");

  @TempDir Path dir;

  /**
   * The variable an option is read from: {@code ${env:...}}, or for {@code --x-env} its default.
   */
  private static String variable(OptionSpec o) {
    String raw = o.defaultValueString(false);
    if (raw == null) {
      return null;
    }
    Matcher m = ENV.matcher(raw);
    if (m.find()) {
      return m.group(1);
    }
    return o.longestName().endsWith("-env") && raw.startsWith("TOLLGATE_") ? raw : null;
  }

  @Test
  void everyServeOptionHasAVariableNamedInHelpAndInTheDocsTable() throws Exception {
    CommandLine serve = new CommandLine(new Main()).getSubcommands().get("serve");
    String help = serve.getUsageMessage(CommandLine.Help.Ansi.OFF);
    List<String> table =
        Files.readAllLines(Path.of("..", "docs", "server.md")).stream()
            .filter(l -> l.startsWith("| `--"))
            .toList();
    List<String> options = new ArrayList<>();
    for (OptionSpec o : serve.getCommandSpec().options()) {
      if (o.usageHelp() || o.versionHelp()) {
        continue;
      }
      String name = o.longestName();
      options.add(name);
      String var = variable(o);
      assertNotNull(var, name + " has no environment variable");
      assertTrue(help.contains(var), name + ": --help does not name " + var + "\n" + help);
      assertTrue(
          table.stream()
              .anyMatch(l -> l.startsWith("| `" + name + "`") || l.startsWith("| `" + name + " ")),
          name + " is missing from the table in docs/server.md");
      assertTrue(
          table.stream()
              .filter(l -> l.startsWith("| `" + name))
              .anyMatch(l -> l.contains("`" + var + "`")),
          name + ": docs/server.md does not name " + var);
    }
    assertTrue(options.containsAll(List.of("--jdbc", "--user", "--password-env", "--keys")));
    assertEquals(options.size(), table.size(), "one row per option: " + table);
  }

  @Test
  void aVariableSetsWhatTheCommandLineLeavesOutAndTheCommandLineWins() throws Exception {
    Path broken = Files.createDirectories(dir.resolve("broken"));
    Files.writeString(
        broken.resolve("p.yaml"), "policies:\n  - name: bad\n    when: 1 +\n    effect: deny\n");
    Path fromEnv = dir.resolve("from-env");
    Path fromArgs = dir.resolve("from-args");

    Process p = serve(List.of(), fromEnv, broken);
    assertEquals(3, p.exitValue(), "a bundle that does not load stops serve");
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(err.contains("p.yaml:3"), "TOLLGATE_POLICIES was read: " + err);
    assertEquals(
        "rwx------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(fromEnv)),
        "TOLLGATE_DATA was read");

    Process q = serve(List.of("--data", fromArgs.toString()), dir.resolve("unused"), broken);
    assertEquals(3, q.exitValue());
    assertTrue(Files.isDirectory(fromArgs));
    assertFalse(Files.exists(dir.resolve("unused")), "the option wins over TOLLGATE_DATA");
  }

  private static Process serve(List<String> args, Path data, Path policies) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "serve"));
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("TOLLGATE_DATA", data.toString());
    pb.environment().put("TOLLGATE_POLICIES", policies.toString());
    pb.environment().put("TOLLGATE_PORT", "0");
    pb.environment().put("TOLLGATE_WEBHOOK", "");
    Process p = pb.start();
    p.getOutputStream().close();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "serve did not stop");
    return p;
  }
}
