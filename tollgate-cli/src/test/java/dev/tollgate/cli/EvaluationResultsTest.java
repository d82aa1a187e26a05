package dev.tollgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

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
