package dev.tollgate.engine.runner;

import dev.tollgate.api.Gate;
import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.BundleException;
import dev.tollgate.engine.Problem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Policy unit tests in the manner of {@code opa test}: the YAML files in a bundle's {@code tests/}
 * folder, each with a {@code tests:} list of {@link Scenario}s, run against the bundle. Every case
 * runs on a fresh engine so that cases cannot leak sessions into each other.
 */
public final class PolicyTests {
  private PolicyTests() {}

  /** The result of a run. */
  public record Report(Path bundle, List<Scenarios.Outcome> outcomes) {
    public long failed() {
      return outcomes.stream().filter(o -> !o.passed()).count();
    }

    public boolean passed() {
      return failed() == 0;
    }

    /** One line per case (PASS / FAIL with what was decided instead), then a count. */
    public String render(boolean verbose) {
      StringBuilder out = new StringBuilder();
      for (Scenarios.Outcome o : outcomes) {
        if (o.passed()) {
          if (verbose) {
            out.append("PASS  ").append(o.scenario().name()).append('\n');
          }
          continue;
        }
        out.append("FAIL  ")
            .append(o.scenario().name())
            .append("  (")
            .append(o.scenario().where())
            .append(")\n");
        for (String f : o.failures()) {
          out.append("      ").append(f).append('\n');
        }
      }
      long failed = failed();
      out.append(outcomes.size() - failed).append(" passed, ").append(failed).append(" failed");
      return out.toString();
    }
  }

  /**
   * Loads the bundle in {@code directory} and runs every case under {@code directory/tests}.
   *
   * @throws BundleException when the bundle or a test file cannot be read; nothing runs then
   */
  public static Report run(Path directory) throws BundleException {
    Bundle bundle = Bundle.load(directory);
    List<Scenario> scenarios = readTests(directory.resolve("tests"));
    List<Scenarios.Outcome> outcomes = new ArrayList<>(scenarios.size());
    for (Scenario s : scenarios) {
      ReplayClock clock = new ReplayClock();
      Gate gate = Replayer.engine(bundle, clock).gate(s.agent());
      outcomes.add(Scenarios.run(agent -> gate, s, clock));
    }
    return new Report(directory, outcomes);
  }

  /** Reads every {@code *.yaml} / {@code *.yml} file of a tests folder, in name order. */
  static List<Scenario> readTests(Path tests) throws BundleException {
    if (!Files.isDirectory(tests)) {
      throw new BundleException(
          List.of(
              new Problem(
                  tests.toString(),
                  0,
                  0,
                  "no tests folder",
                  "put test files (`tests:` lists of cases) in " + tests,
                  null)));
    }
    List<Scenario> out = new ArrayList<>();
    List<Problem> problems = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> list = Files.list(tests)) {
      files =
          list.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
              .sorted()
              .toList();
    } catch (IOException e) {
      throw new BundleException(
          List.of(
              new Problem(
                  tests.toString(),
                  0,
                  0,
                  "cannot read: " + e.getMessage(),
                  "check the path and its permissions",
                  null)));
    }
    for (Path file : files) {
      try {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        out.addAll(Scenarios.parse(file.toString(), text, "tests", Set.of()).scenarios());
      } catch (BundleException e) {
        problems.addAll(e.problems());
      } catch (IOException e) {
        problems.add(
            new Problem(
                file.toString(),
                0,
                0,
                "cannot read: " + e.getMessage(),
                "save the file as UTF-8 text",
                null));
      }
    }
    if (!problems.isEmpty()) {
      throw new BundleException(problems);
    }
    return out;
  }
}
