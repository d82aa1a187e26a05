package dev.tollgate.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Loader errors pinned by golden files, as cel-java pins its error baselines. Each case is either
 * {@code golden/<case>.yaml} (one broken policy file, loaded under that name) or a directory {@code
 * golden/<case>/} (its files, loaded as one bundle, for catalog, agents and cross-file cases);
 * {@code golden/<case>.expected} holds exactly {@link BundleException#render()}.
 *
 * <p>Run with {@code -Dgolden.update=true} to rewrite the expected files; the test then fails so
 * that the new baselines are reviewed before they are committed.
 */
class GoldenErrorsTest {
  private static final Path GOLDEN = Path.of("src", "test", "resources", "golden");
  private static final boolean UPDATE = Boolean.getBoolean("golden.update");

  static Stream<String> cases() throws IOException {
    try (Stream<Path> entries = Files.list(GOLDEN)) {
      List<String> names =
          entries
              .map(p -> p.getFileName().toString())
              .filter(n -> !n.endsWith(".expected"))
              .map(n -> n.endsWith(".yaml") ? n.substring(0, n.length() - ".yaml".length()) : n)
              .sorted()
              .toList();
      assertThat(names).as("golden cases").hasSizeGreaterThanOrEqualTo(8);
      return names.stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void rendersLikeTheBaseline(String name) throws IOException {
    Map<String, String> files = new TreeMap<>();
    Path dir = GOLDEN.resolve(name);
    if (Files.isDirectory(dir)) {
      try (Stream<Path> entries = Files.list(dir)) {
        for (Path f : entries.sorted().toList()) {
          files.put(f.getFileName().toString(), Files.readString(f, StandardCharsets.UTF_8));
        }
      }
    } else {
      files.put(name + ".yaml", Files.readString(GOLDEN.resolve(name + ".yaml")));
    }
    BundleException e = catchThrowableOfType(BundleException.class, () -> Bundle.fromFiles(files));
    assertThat(e).as("golden case %s must be refused", name).isNotNull();
    String actual = e.render() + "\n";
    Path expectedFile = GOLDEN.resolve(name + ".expected");
    if (UPDATE) {
      Files.writeString(expectedFile, actual, StandardCharsets.UTF_8);
      fail("rewrote " + expectedFile + ": review the diff, then run without -Dgolden.update");
    }
    assertThat(expectedFile)
        .as("baseline for %s (create it with -Dgolden.update=true)", name)
        .exists();
    assertThat(actual).isEqualTo(Files.readString(expectedFile, StandardCharsets.UTF_8));
  }
}
