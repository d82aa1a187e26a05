package dev.tollgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command and subcommand answers {@code --help} and {@code -h} with its usage, exit 0. */
class HelpTest {
  private static void collect(CommandLine cli, List<String> path, List<List<String>> out) {
    out.add(path);
    cli.getSubcommands()
        .forEach(
            (name, sub) -> {
              // aliases appear once per name; the command's own name is enough
              if (name.equals(sub.getCommandName())) {
                List<String> next = new ArrayList<>(path);
                next.add(name);
                collect(sub, next, out);
              }
            });
  }

  @Test
  void everyCommandInTheTreeAnswersHelp() {
    List<List<String>> paths = new ArrayList<>();
    collect(new CommandLine(new Main()), List.of(), paths);
    assertTrue(paths.size() > 20, "the whole tree is walked: " + paths);
    for (List<String> path : paths) {
      for (String flag : List.of("--help", "-h")) {
        List<String> args = new ArrayList<>(path);
        args.add(flag);
        CliTest.Run r = CliTest.run(args.toArray(String[]::new));
        String shown = String.join(" ", args);
        assertEquals(0, r.code(), shown + ": " + r.err());
        String usage = ("Usage: tollgate " + String.join(" ", path)).strip();
        assertTrue(r.out().contains(usage), shown + " printed: " + r.out() + r.err());
        assertEquals("", r.err(), shown);
      }
    }
  }
}
