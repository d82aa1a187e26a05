package dev.tollgate.cli;

import dev.tollgate.api.store.Store;
import dev.tollgate.api.store.ToolPinRecord;
import dev.tollgate.engine.Tollgate;
import dev.tollgate.engine.ToolPins;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tollgate tools [accept]}: the MCP tool definitions the gateways pinned, on the store they
 * use, and a person accepting one. A gateway hides a tool whose server defines it otherwise than
 * its accepted definition (a changed, flagged or superseded one) until it is accepted, here, in the
 * console or through the API; the acceptance holds on every server sharing the store and is
 * audited.
 */
@Command(
    name = "tools",
    description = {
      "The MCP tool definitions the gateways pinned: one line each (status, agent, tool,"
          + " fingerprint, first seen, accepted by), and for one waiting for a person its concerns"
          + " and what it changes.",
      "A waiting or superseded definition's tool is hidden until `tollgate tools accept`."
    },
    subcommands = {ToolsCommand.Accept.class})
final class ToolsCommand implements Callable<Integer> {
  /** Digits of a fingerprint shown, and the fewest {@code --fingerprint} takes as a prefix. */
  static final int SHORT_HEX = 12;

  private static final String SHA256 = "sha256:";
  private static final Pattern HEX = Pattern.compile("[0-9a-f]+");

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @Mixin StoreOptions source;

  @Option(names = "--pending", description = "Only the definitions waiting for a person.")
  boolean pending;

  static ToolPins pins(Store store) {
    return Tollgate.builder().store(store).build().toolPins();
  }

  @Override
  public Integer call() {
    return source.run(
        spec,
        store -> {
          ToolPins pins = pins(store);
          List<ToolPinRecord> all = pins.list();
          PrintWriter out = spec.commandLine().getOut();
          for (ToolPinRecord p : all) {
            if (pending && p.status() != ToolPinRecord.Status.PENDING) {
              continue;
            }
            print(out, p);
            if (p.status() == ToolPinRecord.Status.PENDING) {
              for (String concern : p.concerns()) {
                out.println("    concern: " + concern);
              }
              Optional<ToolPinRecord> accepted = pins.acceptedBeside(p, all);
              if (accepted.isPresent()) {
                out.println(
                    "    changed from " + shortFingerprint(accepted.get().fingerprint()) + ":");
                ToolPins.diff(accepted.get().definition(), p.definition())
                    .forEach(line -> out.println("    " + line));
              } else {
                p.definition().lines().forEach(line -> out.println("      " + line));
              }
            }
          }
          return Exit.OK;
        });
  }

  static void print(PrintWriter out, ToolPinRecord p) {
    out.printf(
        "%-10s %-16s %-28s %s  seen %s%s%n",
        p.status().wireName(),
        p.agent(),
        p.shownName(),
        shortFingerprint(p.fingerprint()),
        p.seenAt(),
        p.decidedBy() == null ? "" : "  by " + p.decidedBy());
  }

  static String shortFingerprint(String fingerprint) {
    int end = SHA256.length() + SHORT_HEX;
    return fingerprint.length() > end ? fingerprint.substring(0, end) : fingerprint;
  }

  @Command(
      name = "accept",
      description = {
        "Accept a recorded definition of a tool: the agent's gateways show it and pass calls to"
            + " it again while its server defines it this way; the one accepted before is"
            + " superseded. Audited.",
        "Read what it changes first with `tollgate tools --pending`."
      })
  static final class Accept implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin StoreOptions source;

    @Option(
        names = "--agent",
        required = true,
        paramLabel = "NAME",
        description = "The agent whose gateway saw it.")
    String agent;

    @Option(
        names = "--tool",
        required = true,
        paramLabel = "SERVER.TOOL",
        description = "The tool as the gateway shows it: its server and name (fs.read_file).")
    String tool;

    @Option(
        names = "--fingerprint",
        required = true,
        paramLabel = "sha256:HEX",
        description =
            "The definition's fingerprint, or a prefix of it of "
                + SHORT_HEX
                + " hex digits or more, as `tollgate tools` shows it.")
    String fingerprint;

    @Option(names = "--by", required = true, paramLabel = "NAME", description = "Who accepts.")
    String by;

    @Override
    public Integer call() {
      PrintWriter err = spec.commandLine().getErr();
      String prefix = fingerprint.strip().toLowerCase(Locale.ROOT);
      String hex = prefix.startsWith(SHA256) ? prefix.substring(SHA256.length()) : "";
      if (hex.length() < SHORT_HEX || !HEX.matcher(hex).matches()) {
        err.println(
            "error: --fingerprint `"
                + fingerprint
                + "` is not a fingerprint: write sha256: and at least "
                + SHORT_HEX
                + " of its hex digits, as `tollgate tools` shows it");
        return Exit.ERROR;
      }
      return source.run(
          spec,
          store -> {
            ToolPins pins = pins(store);
            List<ToolPinRecord> matching =
                pins.list().stream()
                    .filter(
                        p ->
                            p.agent().equals(agent)
                                && p.shownName().equals(tool)
                                && p.fingerprint().startsWith(prefix))
                    .toList();
            if (matching.isEmpty()) {
              err.println(
                  "error: no definition of `"
                      + tool
                      + "` for agent `"
                      + agent
                      + "` has a fingerprint starting `"
                      + prefix
                      + "`: `tollgate tools` lists the recorded ones");
              return Exit.FAILED;
            }
            if (matching.size() > 1) {
              err.println(
                  "error: "
                      + matching.size()
                      + " definitions of `"
                      + tool
                      + "` have a fingerprint starting `"
                      + prefix
                      + "` ("
                      + String.join(
                          ", ", matching.stream().map(ToolPinRecord::fingerprint).toList())
                      + "): give more of it");
              return Exit.ERROR;
            }
            ToolPinRecord chosen = matching.getFirst();
            // listed a moment ago, and the store never forgets a definition
            ToolPinRecord done =
                pins.accept(
                        chosen.agent(), chosen.server(), chosen.tool(), chosen.fingerprint(), by)
                    .orElseThrow(
                        () -> new IllegalStateException("the definition is no longer recorded"));
            PrintWriter out = spec.commandLine().getOut();
            out.println(
                "accepted "
                    + done.shownName()
                    + " for "
                    + done.agent()
                    + " ("
                    + done.fingerprint()
                    + "): its gateways show it again while its server defines it this way");
            return Exit.OK;
          });
    }
  }
}
