package dev.tollgate.cli;

import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.BundleException;
import dev.tollgate.engine.runner.Replayer;
import dev.tollgate.engine.runner.Trace;
import dev.tollgate.json.ApiJson;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tollgate replay}: runs recorded sessions through the policies. */
@Command(
    name = "replay",
    description = {
      "Replay recorded sessions (JSON Lines traces) through a fresh engine and print each"
          + " step's decision; where steps carry `expected`, print a confusion table and every"
          + " mismatch.",
      "Exit 0 when every expectation holds, 1 on a mismatch, 3 on an error."
    })
final class ReplayCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--policies",
      required = true,
      paramLabel = "DIR",
      description = "The policy bundle to replay with.")
  Path policies;

  @Option(
      names = "--baseline",
      paramLabel = "DIR",
      description =
          "A second bundle (for example the one in production): also list the steps"
              + " whose decision flips between the two.")
  Path baseline;

  @Option(names = "--json", description = "Print JSON Lines, one object per step.")
  boolean json;

  @Parameters(paramLabel = "TRACES", description = "The traces file (.jsonl), or - for stdin.")
  String tracesFile;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      Bundle bundle = Bundle.load(policies);
      List<Trace> traces = Replayer.parse(tracesFile, Inputs.readText(tracesFile, System.in));
      Replayer.Report report = Replayer.replay(bundle, traces);
      if (json) {
        report.steps().forEach(s -> out.println(ApiJson.write(s.toJson())));
      } else {
        out.print(report.render());
      }
      if (baseline != null) {
        Replayer.Report before = Replayer.replay(Bundle.load(baseline), traces);
        List<Replayer.Flip> flips = Replayer.flips(before, report);
        if (!json) {
          out.println(
              "\n"
                  + flips.size()
                  + " decision"
                  + (flips.size() == 1 ? "" : "s")
                  + " flip between "
                  + baseline
                  + " and "
                  + policies);
          flips.forEach(
              f ->
                  out.printf(
                      "  %s step %d (%s): %s -> %s%n",
                      f.trace(), f.step(), f.tool(), f.before().wireName(), f.after().wireName()));
        }
      }
      return report.mismatches().isEmpty() ? Exit.OK : Exit.FAILED;
    } catch (BundleException e) {
      err.println(e.render());
      return Exit.ERROR;
    } catch (Inputs.UsageException e) {
      err.println("error: " + e.getMessage());
      return Exit.ERROR;
    }
  }
}
