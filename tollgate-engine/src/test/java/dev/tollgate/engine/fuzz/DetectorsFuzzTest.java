package dev.tollgate.engine.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tollgate.api.Action;
import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.BundleException;
import dev.tollgate.engine.Tollgate;
import dev.tollgate.engine.internal.scan.Budget;
import dev.tollgate.engine.internal.scan.Detectors;
import dev.tollgate.engine.internal.scan.Fold;
import dev.tollgate.engine.internal.scan.Hit;
import dev.tollgate.engine.internal.scan.ScanLimitException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes the scanner and the reader of {@code detectors.yaml}. The scanner may refuse its input
 * only with {@link ScanLimitException}; its spans must lie in the scanned string and its excerpts
 * must not show the value. The detectors file may be refused only with a {@link BundleException};
 * when it loads, its detectors must scan fuzzed text under the same rules (a configured regex that
 * backtracks without end is stopped by the budget).
 *
 * <p>Runs the seeds in {@code src/test/resources/.../DetectorsFuzzTestInputs} as regression tests
 * on every build; the build also fuzzes each target for a bounded time (JAZZER_FUZZ=1).
 */
class DetectorsFuzzTest {
  private static final Detectors CONFIGURED =
      Detectors.builder()
          .regex("ids", "personal", "EMP-[0-9]{4,8}", List.of())
          .keywords("codenames", "confidential", List.of("bluebird", "night jar"))
          .exact("customers", "financial", List.of("CUST-00123", "C-9981-77"))
          .build();

  @FuzzTest(maxDuration = "20s")
  void scan(FuzzedDataProvider data) {
    boolean configured = data.consumeBoolean();
    long budget = data.consumeLong(1, 200_000);
    List<String> strings = new ArrayList<>();
    Object json = value(data, strings, 0);
    Detectors detectors = configured ? CONFIGURED : Detectors.builtIn();
    check(detectors, json, budget, strings);
  }

  @FuzzTest(maxDuration = "20s")
  void detectorsYaml(FuzzedDataProvider data) {
    String yaml = data.consumeString(3000);
    String values = data.consumeString(500);
    String text = data.consumeRemainingAsString();
    Bundle bundle;
    try {
      bundle =
          Bundle.fromFiles(Map.of("detectors.yaml", yaml, "ids.txt", values, "ids.csv", values));
    } catch (BundleException e) {
      assertNotNull(e.render());
      return;
    }
    Tollgate tollgate = Tollgate.builder().bundle(bundle).build();
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("body", text);
    assertNotNull(
        tollgate
            .decide("fuzz-bot", new Action(null, "u", "email.send", args, null, null))
            .effect());
  }

  /** A JSON value drawn from the data: strings (of any code points), numbers, lists and maps. */
  private static Object value(FuzzedDataProvider data, List<String> strings, int depth) {
    int kind = depth > 6 ? 0 : data.consumeInt(0, 4);
    switch (kind) {
      case 1 -> {
        return data.consumeLong();
      }
      case 2 -> {
        List<Object> list = new ArrayList<>();
        int n = data.consumeInt(0, 4);
        for (int i = 0; i < n; i++) {
          list.add(value(data, strings, depth + 1));
        }
        return list;
      }
      case 3 -> {
        Map<String, Object> map = new LinkedHashMap<>();
        int n = data.consumeInt(0, 4);
        for (int i = 0; i < n; i++) {
          String key = data.consumeString(40);
          strings.add(key);
          map.put(key, value(data, strings, depth + 1));
        }
        return map;
      }
      case 4 -> {
        return null;
      }
      default -> {
        String s = data.consumeString(2000);
        strings.add(s);
        return s;
      }
    }
  }

  static void check(Detectors detectors, Object json, long budget, List<String> strings) {
    List<Hit> hits;
    try {
      hits = detectors.scan(json, "/args", new Budget(budget));
    } catch (ScanLimitException e) {
      assertNotNull(e.getMessage());
      return;
    }
    int longest = strings.stream().mapToInt(String::length).max().orElse(20);
    for (Hit h : hits) {
      assertTrue(
          h.start() >= 0 && h.start() <= h.end() && h.end() <= Math.max(longest, 20), h::toString);
      assertTrue(h.path().startsWith("/args"), h::toString);
      if (!h.value().isEmpty()) {
        assertFalse(Fold.fold(h.excerpt()).contains(h.value()), h::toString);
        // toString is made of the detector, the label and the excerpt only (a short value may
        // occur in a detector's name by chance: "secre" in "secret")
        assertEquals(
            "Hit["
                + h.detector()
                + ", "
                + h.label()
                + ", "
                + h.excerpt()
                + (h.key() ? ", in a key" : "")
                + "]",
            h.toString());
      }
    }
  }
}
