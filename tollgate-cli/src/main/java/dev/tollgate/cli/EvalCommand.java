package dev.tollgate.cli;

import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.BundleException;
import dev.tollgate.engine.runner.Replayer;
import dev.tollgate.json.ApiJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
          + " and per policy, TP, FP, FN, precision and recall; how many steps that should be"
          + " stopped were (ask or deny), and the exact effect accuracy. See docs/evaluation.md.",
      "Exit 0 when the report is written (and, with --compare, no figure fell), 1 when a figure"
          + " fell below the compared report, 3 on an error."
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

  @Option(names = "--json", description = "Print the report as one JSON object.")
  boolean json;

  @Option(
      names = "--compare",
      paramLabel = "FILE",
      description =
          "A text report written earlier (for example the committed evaluation/results.txt):"
              + " exit 1 when any precision, recall, accuracy or utility is now below the one in"
              + " FILE, or attack success above it.")
  Path compareFile;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      Evaluation evaluation = run(Bundle.load(bundle), files(corpus));
      String text = evaluation.render();
      String report = json ? ApiJson.writePretty(evaluation.toJson()) + "\n" : text;
      if (outFile == null) {
        out.print(report);
      } else {
        Files.writeString(outFile, report, StandardCharsets.UTF_8);
        text.lines()
            .filter(l -> l.startsWith("effect accuracy") || l.startsWith("block accuracy"))
            .forEach(out::println);
        out.println("report written to " + outFile);
      }
      if (compareFile != null) {
        List<String> fell = fell(Evaluation.figures(read(compareFile)), Evaluation.figures(text));
        if (!fell.isEmpty()) {
          err.println(fell.size() + " figure(s) fell below " + compareFile + ":");
          fell.forEach(f -> err.println("  " + f));
          return Exit.FAILED;
        }
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

  private static String read(Path file) throws Inputs.UsageException {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new Inputs.UsageException("cannot read `" + file + "`: " + e.getMessage());
    }
  }

  /**
   * The figures of {@code before} that {@code now} does not reach: a lower value, or none where
   * there was one. A figure undefined before (nothing fired, nothing expected) cannot fall.
   */
  static List<String> fell(Map<String, double[]> before, Map<String, double[]> now) {
    List<String> out = new ArrayList<>();
    before.forEach(
        (name, was) -> {
          double[] is = now.get(name);
          boolean oneValue =
              name.endsWith("accuracy")
                  || name.equals(Evaluation.ATTACK_SUCCESS)
                  || name.equals("benign utility")
                  || name.equals("utility under attack");
          String[] what = oneValue ? new String[] {"", ""} : new String[] {" precision", " recall"};
          for (int i = 0; i < 2; i++) {
            if (Double.isNaN(was[i]) || (i == 1 && oneValue)) {
              continue;
            }
            double v = is == null ? Double.NaN : is[i];
            if (name.equals(Evaluation.ATTACK_SUCCESS)) {
              // lower is better: it falls short when it rises
              if (Double.isNaN(v) || v > was[i] + 1e-9) {
                out.add(name + ": " + Evaluation.ratio(v) + " > " + Evaluation.ratio(was[i]));
              }
            } else if (Double.isNaN(v) || v < was[i] - 1e-9) {
              out.add(
                  name + what[i] + ": " + Evaluation.ratio(v) + " < " + Evaluation.ratio(was[i]));
            }
          }
        });
    return out;
  }

  /** Replays every corpus file through {@code bundle} and scores it. */
  static Evaluation run(Bundle bundle, List<Path> files)
      throws BundleException, Inputs.UsageException {
    Evaluation evaluation = new Evaluation(bundle.policyNames(), bundle.detectorNames());
    for (Path file : files) {
      String text = Inputs.readText(file.toString(), System.in);
      evaluation.add(
          shownName(file, files), Replayer.explain(bundle, Replayer.parse(file.toString(), text)));
    }
    return evaluation;
  }

  /**
   * A corpus file's name in the report: its own name, or with its directory when another file of
   * the corpus has the same name ({@code held-out/payments.jsonl} beside {@code
   * scenarios/payments.jsonl}), so that their rows are not added up as one.
   */
  static String shownName(Path file, List<Path> files) {
    String name = file.getFileName().toString();
    long same = files.stream().filter(f -> f.getFileName().toString().equals(name)).count();
    if (same < 2 || file.getParent() == null || file.getParent().getFileName() == null) {
      return name;
    }
    return file.getParent().getFileName() + "/" + name;
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
