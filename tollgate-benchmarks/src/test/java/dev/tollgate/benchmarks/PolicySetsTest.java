package dev.tollgate.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.api.Decision;
import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.Tollgate;
import dev.tollgate.json.ApiJson;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Keeps the benchmark inputs honest: they load, decide without errors, and have the shape claimed.
 */
class PolicySetsTest {

  @ParameterizedTest
  @ValueSource(strings = {"specific", "wildcard"})
  void setsLoadAndDecideWithoutErrors(String mix) throws Exception {
    var action = ApiJson.readAction(PolicySets.actionJson());
    for (int count : List.of(10, 100)) {
      for (Bundle bundle :
          List.of(
              Bundle.fromFiles(PolicySets.realistic(count, mix)),
              Bundle.fromFiles(PolicySets.cedarEquivalent(count, mix).tollgateFiles()))) {
        assertEquals(count, bundle.policyNames().size());
        Decision d = Tollgate.builder().bundle(bundle).build().decide(PolicySets.AGENT, action);
        assertFalse(d.toString().contains("failed at decision time"), d::toString);
        assertFalse(
            d.reasons().stream().anyMatch(r -> r.policy().equals(Tollgate.INTERNAL)), d::toString);
      }
    }
  }

  @org.junit.jupiter.api.Test
  void theNoMatchActionHasNoHitsAndDecidesWithoutErrors() throws Exception {
    var action = ApiJson.readAction(PolicySets.noMatchActionJson());
    var realistic = ApiJson.readAction(PolicySets.actionJson());
    assertEquals(realistic.args().keySet(), action.args().keySet());
    Decision d =
        Tollgate.builder()
            .bundle(Bundle.fromFiles(PolicySets.realistic(100, "specific")))
            .build()
            .decide(PolicySets.AGENT, action);
    assertTrue(d.findings().isEmpty(), d::toString);
    assertFalse(d.toString().contains("failed at decision time"), d::toString);
    java.util.Map<String, String> off =
        new java.util.HashMap<>(PolicySets.realistic(100, "specific"));
    off.put("detectors.yaml", PolicySets.ALL_DETECTORS_OFF);
    Decision none =
        Tollgate.builder()
            .bundle(Bundle.fromFiles(off))
            .build()
            .decide(PolicySets.AGENT, realistic);
    assertTrue(none.findings().isEmpty(), none::toString);
  }

  @ParameterizedTest
  @ValueSource(ints = {10, 100, 1000})
  void specificMixGivesTheDecidedToolAboutFivePolicies(int count) {
    long hits =
        java.util.stream.IntStream.range(0, count)
            .filter(i -> PolicySets.tools(i, count, "specific").contains(PolicySets.TOOL))
            .count();
    assertEquals(5, hits);
  }

  @org.junit.jupiter.api.Test
  void actionArgumentsAreAboutTwoKilobytes() {
    StringBuilder args = new StringBuilder();
    PolicySets.writeJson(args, PolicySets.args());
    assertTrue(args.length() > 1800 && args.length() < 2400, () -> "args: " + args.length());
  }
}
