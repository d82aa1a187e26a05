package dev.tollgate.cli;

import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Finding;
import dev.tollgate.engine.PolicyOutcome;
import dev.tollgate.engine.runner.Replayer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Scores replayed corpus steps against their labels (docs/evaluation.md): per detector and per
 * policy true positives, false positives and false negatives, and the overall effect accuracy.
 *
 * <p>A step is labelled when it carries {@code expected}. On a labelled step, a missing {@code
 * expectPolicies} or {@code expectDetectors} means that none is expected. A policy <em>fires</em>
 * on a step when it matched (enforced or shadow) or failed; a detector fires when the decision has
 * a finding of it. Everything is sorted, so that the same corpus always renders the same report.
 */
final class Evaluation {
  /** True positives, false positives and false negatives of one detector or policy. */
  record Score(long tp, long fp, long fn) {
    Score plus(boolean expected, boolean fired) {
      return new Score(
          tp + (expected && fired ? 1 : 0),
          fp + (!expected && fired ? 1 : 0),
          fn + (expected && !fired ? 1 : 0));
    }

    /** TP / (TP + FP), or NaN when nothing fired. */
    double precision() {
      return tp + fp == 0 ? Double.NaN : (double) tp / (tp + fp);
    }

    /** TP / (TP + FN), or NaN when nothing was expected. */
    double recall() {
      return tp + fn == 0 ? Double.NaN : (double) tp / (tp + fn);
    }
  }

  /** A labelled step decided or scored differently from its labels. */
  record Miss(
      String file,
      String trace,
      int step,
      String tool,
      Effect expected,
      Effect decided,
      Set<String> policiesExpected,
      Set<String> policiesFired,
      Set<String> detectorsExpected,
      Set<String> detectorsFired) {}

  private final Map<String, Score> detectors = new TreeMap<>();
  private final Map<String, Score> policies = new TreeMap<>();
  private final Map<String, long[]> files = new TreeMap<>();
  private final long[][] confusion = new long[3][3];
  private final List<Miss> misses = new ArrayList<>();
  private final Set<String> errors = new TreeSet<>();
  private long traces;
  private long steps;
  private long correct;

  /** Starts an evaluation whose policy table lists every policy of the bundle, fired or not. */
  Evaluation(List<String> bundlePolicies) {
    bundlePolicies.forEach(p -> policies.put(p, new Score(0, 0, 0)));
  }

  /**
   * Scores the explained steps of one corpus file.
   *
   * @throws IllegalArgumentException when a step expects a policy the bundle does not have
   */
  @SuppressWarnings("EnumOrdinal") // the confusion table is laid out in Effect order
  void add(String file, List<Replayer.Explained> explained) {
    long[] perFile = files.computeIfAbsent(file, f -> new long[2]);
    Set<String> seen = new TreeSet<>();
    for (Replayer.Explained e : explained) {
      seen.add(e.trace().id());
      if (e.step().expected() == null) {
        continue;
      }
      Decision d = e.explanation().decision();
      Set<String> policiesExpected = names(e.step().expectPolicies());
      Set<String> detectorsExpected = names(e.step().expectDetectors());
      Set<String> policiesFired = new TreeSet<>();
      for (PolicyOutcome o : e.explanation().considered()) {
        if (o.status() == PolicyOutcome.Status.MATCHED) {
          policiesFired.add(o.policy());
        } else if (o.status() == PolicyOutcome.Status.FAILED) {
          policiesFired.add(o.policy());
          errors.add(o.policy() + ": " + o.message());
        }
      }
      Set<String> detectorsFired = new TreeSet<>();
      for (Finding f : d.findings()) {
        detectorsFired.add(f.detector());
      }
      for (String p : policiesExpected) {
        if (!policies.containsKey(p)) {
          throw new IllegalArgumentException(
              file
                  + ": trace `"
                  + e.trace().id()
                  + "` step "
                  + e.index()
                  + " expects policy `"
                  + p
                  + "`, which the bundle does not have");
        }
      }
      score(policies, policiesExpected, policiesFired);
      score(detectors, detectorsExpected, detectorsFired);
      steps++;
      perFile[0]++;
      confusion[e.step().expected().ordinal()][d.effect().ordinal()]++;
      boolean effectOk = e.step().expected() == d.effect();
      if (effectOk) {
        correct++;
        perFile[1]++;
      }
      if (!effectOk
          || !policiesExpected.equals(policiesFired)
          || !detectorsExpected.equals(detectorsFired)) {
        misses.add(
            new Miss(
                file,
                e.trace().id(),
                e.index(),
                e.step().tool(),
                e.step().expected(),
                d.effect(),
                policiesExpected,
                policiesFired,
                detectorsExpected,
                detectorsFired));
      }
    }
    traces += seen.size();
  }

  private static Set<String> names(List<String> list) {
    return list == null ? Set.of() : new TreeSet<>(list);
  }

  private static void score(Map<String, Score> table, Set<String> expected, Set<String> fired) {
    Set<String> all = new TreeSet<>(expected);
    all.addAll(fired);
    for (String name : all) {
      table.merge(
          name,
          new Score(0, 0, 0).plus(expected.contains(name), fired.contains(name)),
          (a, b) -> new Score(a.tp() + b.tp(), a.fp() + b.fp(), a.fn() + b.fn()));
    }
  }

  Map<String, Score> detectors() {
    return detectors;
  }

  Map<String, Score> policies() {
    return policies;
  }

  long steps() {
    return steps;
  }

  long correct() {
    return correct;
  }

  List<Miss> misses() {
    return misses;
  }

  /** The report: counts, effect accuracy, the two tables, then every step that missed. */
  @SuppressWarnings("EnumOrdinal")
  String render() {
    StringBuilder out = new StringBuilder();
    out.append("# tollgate eval\n\n");
    out.append(
        String.format(
            Locale.ROOT,
            "%d traces, %d labelled steps, %d corpus files%n%n",
            traces,
            steps,
            files.size()));
    out.append(
        String.format(
            Locale.ROOT,
            "effect accuracy: %d/%d = %s%n%n",
            correct,
            steps,
            ratio(steps == 0 ? Double.NaN : (double) correct / steps)));
    out.append("expected \\ decided   allow     ask    deny\n");
    for (Effect e : Effect.values()) {
      long[] row = confusion[e.ordinal()];
      out.append(
          String.format(
              Locale.ROOT, "%-19s %6d  %6d  %6d%n", e.wireName(), row[0], row[1], row[2]));
    }
    out.append("\n");
    int fileWidth = Math.max(4, files.keySet().stream().mapToInt(String::length).max().orElse(4));
    out.append(
        String.format(Locale.ROOT, "%-" + fileWidth + "s  steps  correct  accuracy%n", "file"));
    files.forEach(
        (f, c) ->
            out.append(
                String.format(
                    Locale.ROOT,
                    "%-" + fileWidth + "s  %5d  %7d  %8s%n",
                    f,
                    c[0],
                    c[1],
                    ratio(c[0] == 0 ? Double.NaN : (double) c[1] / c[0]))));
    out.append("\n");
    table(out, "detector", detectors);
    out.append("\n");
    table(out, "policy", policies);
    if (!errors.isEmpty()) {
      out.append("\nfailed conditions (").append(errors.size()).append("):\n");
      errors.forEach(e -> out.append("  ").append(e).append('\n'));
    }
    out.append("\nmisses (").append(misses.size()).append("):\n");
    for (Miss m : misses) {
      out.append(
          String.format(
              Locale.ROOT,
              "  %s %s step %d (%s): expected %s, decided %s",
              m.file(),
              m.trace(),
              m.step(),
              m.tool(),
              m.expected().wireName(),
              m.decided().wireName()));
      if (!m.policiesExpected().equals(m.policiesFired())) {
        out.append("; policies expected ")
            .append(m.policiesExpected())
            .append(" fired ")
            .append(m.policiesFired());
      }
      if (!m.detectorsExpected().equals(m.detectorsFired())) {
        out.append("; detectors expected ")
            .append(m.detectorsExpected())
            .append(" fired ")
            .append(m.detectorsFired());
      }
      out.append('\n');
    }
    return out.toString();
  }

  private static void table(StringBuilder out, String what, Map<String, Score> scores) {
    int width =
        Math.max(what.length(), scores.keySet().stream().mapToInt(String::length).max().orElse(0));
    out.append(
        String.format(
            Locale.ROOT,
            "%-" + width + "s  %5s  %5s  %5s  %9s  %6s%n",
            what,
            "TP",
            "FP",
            "FN",
            "precision",
            "recall"));
    scores.forEach(
        (name, s) ->
            out.append(
                String.format(
                    Locale.ROOT,
                    "%-" + width + "s  %5d  %5d  %5d  %9s  %6s%n",
                    name,
                    s.tp(),
                    s.fp(),
                    s.fn(),
                    ratio(s.precision()),
                    ratio(s.recall()))));
  }

  /** Three decimals, or {@code -} when undefined. */
  static String ratio(double value) {
    return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.3f", value);
  }

  /**
   * Reads the precision and recall rows of a rendered report: "detector NAME" or "policy NAME" to
   * {precision, recall}, NaN where the report shows {@code -}.
   */
  static Map<String, double[]> figures(String report) {
    Map<String, double[]> out = new TreeMap<>();
    String section = null;
    for (String line : report.split("\n", -1)) {
      String[] cols = line.trim().split("\\s+");
      if (cols.length == 6 && cols[1].equals("TP") && cols[4].equals("precision")) {
        section = cols[0];
        continue;
      }
      if (line.isBlank()) {
        section = null;
        continue;
      }
      if (section != null && cols.length == 6) {
        out.put(section + " " + cols[0], new double[] {parse(cols[4]), parse(cols[5])});
      }
    }
    return out;
  }

  private static double parse(String ratio) {
    return ratio.equals("-") ? Double.NaN : Double.parseDouble(ratio);
  }
}
