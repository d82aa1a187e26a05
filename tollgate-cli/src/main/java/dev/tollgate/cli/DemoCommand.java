package dev.tollgate.cli;

import dev.tollgate.api.Reason;
import dev.tollgate.api.ShadowOutcome;
import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.BundleException;
import dev.tollgate.engine.runner.Replayer;
import dev.tollgate.engine.runner.Trace;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tollgate demo}: decides the example sessions with the example policies and explains every
 * decision, without a server.
 */
@Command(
    name = "demo",
    description =
        "Decide the example sessions of examples/ with their policies, explaining each"
            + " decision.")
final class DemoCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--examples",
      paramLabel = "DIR",
      defaultValue = "examples",
      description = "The folder of example bundles (default: ${DEFAULT-VALUE}).")
  Path examples;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!Files.isDirectory(examples)) {
      err.println(
          "error: no examples folder `"
              + examples
              + "`: run from the repository root"
              + " or pass --examples DIR");
      return Exit.ERROR;
    }
    List<Path> bundles;
    try (Stream<Path> dirs = Files.list(examples)) {
      bundles = dirs.filter(d -> Files.isRegularFile(d.resolve("traces.jsonl"))).sorted().toList();
    }
    int mismatches = 0;
    for (Path dir : bundles) {
      try {
        Bundle bundle = Bundle.load(dir);
        List<Trace> traces =
            Replayer.parse(
                dir.resolve("traces.jsonl").toString(),
                Files.readString(dir.resolve("traces.jsonl")));
        Replayer.Report report = Replayer.replay(bundle, traces);
        out.println("== " + dir.getFileName() + " (" + bundle.policyNames().size() + " policies)");
        for (Trace t : traces) {
          out.println(
              "\n  "
                  + t.id()
                  + ": "
                  + t.agent()
                  + " for "
                  + t.user()
                  + ": \""
                  + t.request()
                  + "\"");
          report.steps().stream()
              .filter(s -> s.trace().equals(t.id()))
              .forEach(
                  s -> {
                    out.printf("    %-5s %s%n", s.effect().wireName(), s.tool());
                    for (Reason r : s.reasons()) {
                      out.println("          " + r.policy() + ": " + r.message());
                    }
                    for (ShadowOutcome o : s.shadow()) {
                      out.println(
                          "          (shadow "
                              + o.effect().wireName()
                              + ") "
                              + o.policy()
                              + ": "
                              + o.message());
                    }
                  });
        }
        mismatches += report.mismatches().size();
        out.println();
      } catch (BundleException e) {
        err.println(e.render());
        return Exit.ERROR;
      }
    }
    out.println(
        bundles.size()
            + " example bundles, "
            + mismatches
            + " decisions differ from what the traces expect");
    return mismatches == 0 ? Exit.OK : Exit.FAILED;
  }
}
