package dev.tollgate.engine.internal.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The scanner reuses its state from one scan to the next (a pool of scans, a text per decoding
 * depth, pointers made only for hits). These tests pin what that must give: an action no detector
 * can match costs no allocation, and no state of one scan leaks into another, on one thread or
 * many.
 */
class ScanReuseTest {
  private static final Detectors DETECTORS = Detectors.builtIn();

  /** About 1 KB in 7 strings and 9 keys: no anchor, no digit, no {@code @}, nothing encoded. */
  static Map<String, Object> noMatchArgs() {
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("source", "meeting");
    meta.put("visibility", "team");
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("title", "Weekly sync");
    args.put(
        "body", "We talked about the roadmap and the hiring plan for next quarter. ".repeat(14));
    args.put("tags", List.of("team", "planning", "notes"));
    args.put("meta", meta);
    return args;
  }

  @Test
  void anActionNoDetectorMatchesAllocatesNothingOnceWarm() throws ScanLimitException {
    Map<String, Object> args = noMatchArgs();
    assertThat(DETECTORS.scan(args, "/args", new Budget(1 << 20))).isEmpty();
    // Other shapes of maps and lists first, and strings with hits and hidden characters: call
    // sites that saw several types are where an iterator or a lambda stops being optimised away.
    for (int i = 0; i < 300; i++) {
      DETECTORS.scan(
          Map.of(
              "to",
              "ap@globex.example",
              "z",
              new ArrayList<>(List.of("IBAN DE89 3704 0044 0532 0130 00", "zero\u200bwidth")),
              "s",
              new java.util.HashMap<>(Map.of("k", java.util.Set.of("a", "b")))),
          "/args",
          new Budget(1 << 20));
    }
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    int rounds = 2_000;
    Budget[] budgets = new Budget[rounds];
    for (int warm = 0; warm < 20; warm++) {
      for (int i = 0; i < rounds; i++) {
        budgets[i] = new Budget(1 << 20);
      }
      long before = threads.getCurrentThreadAllocatedBytes();
      for (int i = 0; i < rounds; i++) {
        DETECTORS.scan(args, "/args", budgets[i]);
      }
      long perScan = (threads.getCurrentThreadAllocatedBytes() - before) / rounds;
      if (perScan <= 64) {
        return;
      }
      if (warm == 19) {
        assertThat(perScan)
            .as("bytes allocated per scan of an action no detector matches")
            .isLessThanOrEqualTo(64);
      }
    }
  }

  @Test
  void aScanAfterOneWithHitsStartsClean() throws ScanLimitException {
    Map<String, Object> flagged = new LinkedHashMap<>();
    flagged.put("to", "jane.doe@acme.example");
    flagged.put("jane.roe@acme.example", "a key that is an address");
    flagged.put("body", "card 4242 4242 4242 4242, " + "padding ".repeat(100));
    List<Hit> first = DETECTORS.scan(flagged, "/args", new Budget(1 << 20));
    assertThat(first).extracting(Hit::detector).contains("email", "payment-card");
    assertThat(DETECTORS.scan(noMatchArgs(), "/args", new Budget(1 << 20))).isEmpty();
    List<Hit> again = DETECTORS.scan(flagged, "/args", new Budget(1 << 20));
    assertThat(again).isEqualTo(first);
    assertThat(again).extracting(Hit::path).contains("/args/to", "/args/body");
  }

  @Test
  void aScanThatRanOutOfBudgetLeavesNothingBehind() throws ScanLimitException {
    Map<String, Object> big = Map.of("body", "jane.doe@acme.example ".repeat(1000));
    assertThatThrownBy(() -> DETECTORS.scan(big, "/args", new Budget(500)))
        .isInstanceOf(ScanLimitException.class);
    assertThat(DETECTORS.scan(noMatchArgs(), "/args", new Budget(1 << 20))).isEmpty();
    assertThat(DETECTORS.scan(Map.of("to", "ap@globex.example"), "/args", new Budget(1 << 20)))
        .singleElement()
        .extracting(Hit::path)
        .isEqualTo("/args/to");
  }

  @Test
  void pointersNameNestedPlacesAsTheWalkReachedThem() throws ScanLimitException {
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("a/b", List.of("x", List.of("nothing", "mail ap@globex.example")));
    inner.put("c~d", "card 4242 4242 4242 4242");
    List<Hit> hits = DETECTORS.scan(Map.of("outer", inner), "/args", new Budget(1 << 20));
    assertThat(hits)
        .extracting(Hit::path)
        .containsExactly("/args/outer/a~1b/1/1", "/args/outer/c~0d");
  }

  @Test
  void scansOnManyThreadsAtOnceGiveWhatOneThreadGives() throws Exception {
    List<Map<String, Object>> inputs = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      Map<String, Object> args = new LinkedHashMap<>();
      args.put("n", "note " + "abc ".repeat(i));
      if (i % 3 == 0) {
        args.put("to", "user" + (char) ('a' + i % 26) + "@acme.example");
      }
      if (i % 4 == 0) {
        args.put("iban", List.of("IBAN DE89 3704 0044 0532 0130 00"));
      }
      inputs.add(args);
    }
    List<List<Hit>> expected = new ArrayList<>();
    for (Map<String, Object> in : inputs) {
      expected.add(DETECTORS.scan(in, "/args", new Budget(1 << 20)));
    }
    try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int offset = t;
        Callable<Boolean> task =
            () -> {
              for (int round = 0; round < 200; round++) {
                int k = (round + offset) % inputs.size();
                if (!DETECTORS
                    .scan(inputs.get(k), "/args", new Budget(1 << 20))
                    .equals(expected.get(k))) {
                  return false;
                }
              }
              return true;
            };
        results.add(pool.submit(task));
      }
      for (Future<Boolean> r : results) {
        assertThat(r.get()).isTrue();
      }
    }
  }
}
