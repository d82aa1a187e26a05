package dev.tollgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The committed evaluation figures (evaluation/results.txt) are a floor: re-running the baseline
 * pack over the corpus must reach every precision, recall and accuracy written there. After an
 * improvement, rewrite the file (docs/evaluation.md says how) so the floor rises with it.
 */
class EvaluationResultsTest {
  static final Path PACK = Path.of("..", "policies", "baseline");
  static final Path CORPUS = Path.of("..", "evaluation");
  static final Path RESULTS = CORPUS.resolve("results.txt");

  @Test
  void noFigureFallsBelowTheCommittedOne() {
    CliTest.Run r =
        CliTest.run("eval", PACK.toString(), CORPUS.toString(), "--compare", RESULTS.toString());
    assertEquals(0, r.code(), r.err() + r.out());
  }

  /**
   * The scenario corpora, each with its own committed report: the design half (scenarios/), the
   * held-out half nobody designing the pack reads (held-out/), attacks written by someone who had
   * read the pack (adaptive/), and the rates corpus's two halves (rates/design, rates/held-out:
   * fan-out, bursts, sums, first-time targets, written by someone who had not read the pack).
   * Attack success may not rise and utility may not fall in any.
   */
  @ParameterizedTest
  @ValueSource(strings = {"scenarios", "held-out", "adaptive", "rates/design", "rates/held-out"})
  void noScenarioFigureFallsBelowTheCommittedOne(String corpus) {
    Path dir = CORPUS.resolve(corpus);
    CliTest.Run r =
        CliTest.run(
            "eval",
            PACK.toString(),
            dir.toString(),
            "--compare",
            dir.resolve("results.txt").toString());
    assertEquals(0, r.code(), r.err() + r.out());
    assertTrue(r.out().contains("attack success: "), r.out());
  }

  @Test
  void theScenarioCorpusSpansSixDomainsAndOver400Scenarios() throws IOException {
    long scenarios = 0;
    java.util.Set<String> domains = new java.util.TreeSet<>();
    for (String corpus : java.util.List.of("scenarios", "held-out", "adaptive")) {
      try (var files = Files.list(CORPUS.resolve(corpus))) {
        for (Path f : files.filter(p -> p.toString().endsWith(".jsonl")).toList()) {
          for (String line : Files.readAllLines(f)) {
            if (!line.isBlank()) {
              scenarios++;
            }
          }
          domains.add(f.getFileName().toString().replace(".jsonl", ""));
        }
      }
    }
    assertTrue(scenarios > 400, "scenarios: " + scenarios);
    assertTrue(domains.size() >= 6, "domains: " + domains);
  }

  @Test
  void theCorpusHasAtLeast150LabelledScenarios() throws IOException {
    String committed = Files.readString(RESULTS);
    Map<String, double[]> figures = Evaluation.figures(committed);
    assertTrue(figures.containsKey("effect accuracy"), committed);
    String counts =
        committed.lines().filter(l -> l.contains("labelled steps")).findFirst().orElseThrow();
    long steps = Long.parseLong(counts.split(" ")[2]);
    assertTrue(steps >= 150, counts);
  }
}
