package dev.tollgate.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.Tollgate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The conformance corpus against the in-process engine. */
class LibraryConformanceTest {
  static final GateFactory LIBRARY = Conformance.LIBRARY;

  static GateFactory.Way way(Tollgate engine) {
    return Conformance.inProcess(engine);
  }

  @TestFactory
  Stream<DynamicTest> everyCasePassesOnTheLibrary() {
    Map<String, String> skips = Conformance.skips("library");
    return Conformance.cases().stream()
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.id(),
                    () -> {
                      Conformance.Result r = Conformance.run(c, LIBRARY, skips);
                      if (r.status() == Conformance.Status.FAILED) {
                        fail(c.scenario().where() + "\n" + String.join("\n", r.failures()));
                      }
                      // A skip is printed, never silent: the library has none, so none may appear.
                      assertEquals(Conformance.Status.PASSED, r.status(), r.skipReason());
                    }));
  }

  @Test
  void theCorpusIsLargeEnoughToMean() {
    assertTrue(Conformance.cases().size() >= 30, "cases: " + Conformance.cases().size());
  }

  @Test
  void noSkipNamesAMissingCase() {
    assertEquals(List.of(), Conformance.staleSkips(Conformance.skips("library")));
  }

  @Test
  void everySuiteFileIsListed() throws IOException {
    Path dir = Path.of("src/main/resources/conformance");
    try (Stream<Path> files = Files.list(dir)) {
      List<String> onDisk =
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".yaml") && !n.equals("skip.yaml"))
              .sorted()
              .toList();
      assertEquals(onDisk, Conformance.suiteNames().stream().sorted().toList());
    }
  }

  @Test
  void aFailingCaseIsReportedAsFailed() {
    Conformance.Case any = Conformance.cases().get(0);
    GateFactory allowsNothing =
        bundle ->
            way(
                Tollgate.builder()
                    .bundle(
                        Bundle.fromFiles(
                            Map.of(
                                "deny.yaml", "policies:\n  - name: deny-all\n    effect: deny\n")))
                    .build());
    Conformance.Result r = Conformance.run(any, allowsNothing, Map.of());
    assertEquals(Conformance.Status.FAILED, r.status());
  }
}
