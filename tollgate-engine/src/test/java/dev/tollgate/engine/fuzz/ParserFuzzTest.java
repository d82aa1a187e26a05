package dev.tollgate.engine.fuzz;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.BundleException;
import dev.tollgate.engine.Tollgate;
import dev.tollgate.engine.runner.Replayer;
import dev.tollgate.json.ApiJson;
import dev.tollgate.json.InputException;
import java.util.Map;

/**
 * Fuzzes the parsers that read what users and agents send: actions (JSON), bundles (YAML and CEL)
 * and traces (JSON Lines). Each may refuse its input, only with its own checked exception that
 * explains why; any other exception, or a decision that throws, is a finding.
 *
 * <p>Runs the seeds in {@code src/test/resources/.../ParserFuzzTestInputs} as regression tests on
 * every build; {@code .ci/run} also fuzzes each target for a bounded time (JAZZER_FUZZ=1).
 */
class ParserFuzzTest {
  private static final Tollgate ENGINE = engine();

  private static Tollgate engine() {
    try {
      return Tollgate.builder()
          .bundle(
              Bundle.fromFiles(
                  Map.of(
                      "p.yaml",
                      """
                      policies:
                        - name: mail
                          match: {tools: ["email.*"]}
                          when: action.args.to.exists(r, !r.endsWith("@acme.example"))
                          effect: ask
                        - name: amount
                          when: action.args.amount > 10
                          effect: deny
                      """)))
          .build();
    } catch (BundleException e) {
      throw new IllegalStateException(e);
    }
  }

  @FuzzTest(maxDuration = "20s")
  void actionJson(byte[] input) {
    Action action;
    try {
      action = ApiJson.readAction(input);
    } catch (InputException e) {
      assertNotNull(e.getMessage());
      return;
    }
    Decision d = ENGINE.decide("fuzz-bot", action);
    assertNotNull(d.effect());
  }

  @FuzzTest(maxDuration = "20s")
  void bundleYaml(FuzzedDataProvider data) {
    String policies = data.consumeString(4000);
    String catalog = data.consumeRemainingAsString();
    try {
      Bundle.fromFiles(Map.of("p.yaml", policies, "catalog.yaml", catalog));
    } catch (BundleException e) {
      assertNotNull(e.render());
    }
  }

  @FuzzTest(maxDuration = "20s")
  void traceLines(FuzzedDataProvider data) {
    try {
      Replayer.parse("fuzz.jsonl", data.consumeRemainingAsString());
    } catch (BundleException e) {
      assertNotNull(e.render());
    }
  }
}
