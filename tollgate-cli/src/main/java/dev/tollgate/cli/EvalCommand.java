package dev.tollgate.cli;

import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.BundleException;
import dev.tollgate.engine.runner.Replayer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tollgate eval}: precision and recall of detectors and policies over a labelled corpus. */
@Command(
    name = "eval",
    description = {
      "Replay a labelled corpus (JSON Lines traces whose steps carry `expected`, and optionally"
          + " `expectPolicies` and `expectDetectors`) through the bundle and print, per detector"
          + " and per policy, TP, FP, FN, precision and recall, and the overall effect accuracy."
          + " See docs/evaluation.md.",
      "Exit 0 when the report is written, 3 on an error."
    })
final class EvalCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "BUNDLE", description = "The policy bundle.")
  Path bundle;

  @Parameters(
      index = "1..*",
      arity = "1..*",
      paramLabel = "CORPUS",
      description = "Trace files (.jsonl), or directories whose *.jsonl files are read.")
  List<Path> corpus;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description = "Write the report to FILE instead of standard output.")
  Path outFile;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      String report = run(Bundle.load(bundle), files(corpus)).render();
      if (outFile == null) {
        out.print(report);
      } else {
        Files.writeString(outFile, report, StandardCharsets.UTF_8);
        out.println(
            report.lines().filter(l -> l.startsWith("effect accuracy")).findFirst().orElse(""));
        out.println("report written to " + outFile);
      }
      return Exit.OK;
    } catch (BundleException e) {
      err.println(e.render());
      return Exit.ERROR;
    } catch (Inputs.UsageException | IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return Exit.ERROR;
    } catch (IOException e) {
      err.println("error: cannot write `" + outFile + "`: " + e.getMessage());
      return Exit.ERROR;
    }
  }

  /** Replays every corpus file through {@code bundle} and scores it. */
  static Evaluation run(Bundle bundle, List<Path> files)
      throws BundleException, Inputs.UsageException {
    Evaluation evaluation = new Evaluation(bundle.policyNames());
    for (Path file : files) {
      String text = Inputs.readText(file.toString(), System.in);
      evaluation.add(
          file.getFileName().toString(),
          Replayer.explain(bundle, Replayer.parse(file.toString(), text)));
    }
    return evaluation;
  }

  /** The files named, with each directory replaced by its {@code *.jsonl} files in name order. */
  static List<Path> files(List<Path> corpus) throws Inputs.UsageException {
    List<Path> out = new ArrayList<>();
    for (Path p : corpus) {
      if (Files.isDirectory(p)) {
        try (Stream<Path> entries = Files.list(p)) {
          entries
              .filter(f -> f.getFileName().toString().endsWith(".jsonl"))
              .sorted()
              .forEach(out::add);
        } catch (IOException e) {
          throw new Inputs.UsageException("cannot list `" + p + "`: " + e.getMessage());
        }
      } else {
        out.add(p);
      }
    }
    if (out.isEmpty()) {
      throw new Inputs.UsageException("no *.jsonl trace files in " + corpus);
    }
    return out;
  }
}
