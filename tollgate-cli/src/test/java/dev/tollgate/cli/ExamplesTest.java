package dev.tollgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Keeps examples/ honest: every bundle's tests and traces pass through the real commands. The gated
 * agents beside them (LangChain4j, Spring Boot) are Maven modules with tests of their own.
 */
class ExamplesTest {
  private static final Path EXAMPLES = Path.of("..", "examples");

  static List<Path> bundles() throws IOException {
    try (Stream<Path> dirs = Files.list(EXAMPLES)) {
      // a bundle is a directory with traces to replay, as `tollgate demo` finds them
      return dirs.filter(d -> Files.isRegularFile(d.resolve("traces.jsonl"))).sorted().toList();
    }
  }

  @Test
  void theFourIncidentsAndTheGatewaysBundleAreThere() throws IOException {
    assertEquals(
        List.of(
            "config-push-everywhere",
            "crm-wrong-record",
            "invoice-vendor-mail",
            "mcp-filesystem",
            "wrong-vendor"),
        bundles().stream().map(p -> p.getFileName().toString()).toList());
  }

  @Test
  void theGatedAgentsAreThereBesideTheBundles() {
    for (String agent : List.of("langchain4j-agent", "spring-boot-agent")) {
      assertTrue(Files.isRegularFile(EXAMPLES.resolve(agent).resolve("pom.xml")), agent);
      assertTrue(Files.isRegularFile(EXAMPLES.resolve(agent).resolve("README.md")), agent);
    }
  }

  @TestFactory
  Stream<DynamicTest> everyExamplePassesTestAndReplay() throws IOException {
    return bundles().stream()
        .flatMap(
            b ->
                Stream.of(
                    DynamicTest.dynamicTest(
                        "test " + b.getFileName(),
                        () -> {
                          CliTest.Run r = CliTest.run("test", b.toString());
                          assertEquals(0, r.code(), r.out() + r.err());
                          assertTrue(r.out().contains(" passed, 0 failed"), r.out());
                        }),
                    DynamicTest.dynamicTest(
                        "replay " + b.getFileName(),
                        () -> {
                          CliTest.Run r =
                              CliTest.run(
                                  "replay",
                                  "--policies",
                                  b.toString(),
                                  b.resolve("traces.jsonl").toString());
                          assertEquals(0, r.code(), r.out() + r.err());
                          assertTrue(r.out().contains("expected decisions matched"), r.out());
                        })));
  }

  @Test
  void demoExplainsEveryExample() {
    CliTest.Run r = CliTest.run("demo", "--examples", EXAMPLES.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("5 example bundles, 0 decisions differ"), r.out());
    assertTrue(r.out().contains("== invoice-vendor-mail"), r.out());
  }
}
