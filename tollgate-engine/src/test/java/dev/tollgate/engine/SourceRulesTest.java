package dev.tollgate.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Rules about the repository's main sources that the compiler cannot keep: a meaning is a typed
 * outcome, never a magic string; decisions are built by name, never by eight positional values.
 */
class SourceRulesTest {
  private static final Path ROOT = Path.of("..");

  /**
   * Main sources that still build a {@code Decision} positionally, and why: each is a decoder of a
   * stored or received decision that the shared codec ({@code tollgate-json}) replaces.
   */
  private static final Map<String, String> POSITIONAL_ALLOWED =
      Map.of(
          "tollgate-api/src/main/java/dev/tollgate/api/Decision.java", "the record itself",
          "tollgate-engine/src/main/java/dev/tollgate/engine/Requests.java",
              "the stored decision's codec, moving to ApiRecords",
          "tollgate-client/src/main/java/dev/tollgate/client/TollgateClient.java",
              "toDecision, moving to ApiRecords",
          "tollgate-server/src/main/java/dev/tollgate/server/TollgateServer.java",
              "fromAudit, moving to ApiRecords");

  private static List<Path> mainSources() throws IOException {
    List<Path> out = new ArrayList<>();
    try (Stream<Path> modules = Files.list(ROOT)) {
      for (Path module :
          modules.filter(p -> p.getFileName().toString().startsWith("tollgate-")).toList()) {
        Path main = module.resolve("src/main");
        if (Files.isDirectory(main)) {
          try (Stream<Path> files = Files.walk(main)) {
            files.filter(Files::isRegularFile).forEach(out::add);
          }
        }
      }
    }
    return out;
  }

  private static String relative(Path p) {
    return ROOT.toAbsolutePath().normalize().relativize(p.toAbsolutePath().normalize()).toString();
  }

  @Test
  void noMagicUnknownSessionPolicyName() throws IOException {
    List<String> found = new ArrayList<>();
    List<Path> all = new ArrayList<>(mainSources());
    try (Stream<Path> docs = Files.walk(ROOT.resolve("docs"))) {
      docs.filter(Files::isRegularFile).forEach(all::add);
    }
    all.add(ROOT.resolve("README.md"));
    for (Path p : all) {
      if (Files.readString(p, java.nio.charset.StandardCharsets.ISO_8859_1)
          .contains("tollgate:unknown-" + "session")) {
        found.add(relative(p));
      }
    }
    assertThat(found).as("an unknown session is Outcome.Refused, not a policy name").isEmpty();
  }

  @Test
  void decisionsAreBuiltByName() throws IOException {
    List<String> found = new ArrayList<>();
    for (Path p : mainSources()) {
      if (p.toString().endsWith(".java")
          && !POSITIONAL_ALLOWED.containsKey(relative(p))
          && Files.readString(p).contains("new Decision(")) {
        found.add(relative(p));
      }
    }
    assertThat(found)
        .as("use Decision.deny, Decision.builder or withFindings instead of the constructor")
        .isEmpty();
  }
}
