package dev.tollgate.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tollgate.api.Action;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small builders shared by the engine tests. */
final class Bundles {
  private Bundles() {}

  /**
   * What the tests of policies say in agents.yaml: their agents have no profiles, so they ask for
   * the permissive default in so many words (the gate denies unprofiled agents otherwise).
   */
  static final String UNPROFILED_ALLOWED = "defaults: {unprofiled: allow}\n";

  /**
   * A bundle from alternating file names and texts; without an {@code agents.yaml} among them, one
   * with {@link #UNPROFILED_ALLOWED} is added (tests of the default itself use {@link
   * Bundle#fromFiles}).
   */
  static Bundle of(String... namesAndTexts) {
    try {
      Map<String, String> files = files(namesAndTexts);
      files.putIfAbsent("agents.yaml", UNPROFILED_ALLOWED);
      return Bundle.fromFiles(files);
    } catch (BundleException e) {
      throw new AssertionError("bundle should load:\n" + e.render(), e);
    }
  }

  /** A bundle with one policy file holding {@code yaml}. */
  static Bundle policies(String yaml) {
    return of("policies.yaml", yaml);
  }

  /** The exception a broken bundle is refused with. */
  static BundleException refused(String... namesAndTexts) {
    BundleException e =
        catchThrowableOfType(BundleException.class, () -> Bundle.fromFiles(files(namesAndTexts)));
    assertThat(e).as("bundle should be refused").isNotNull();
    assertThat(e.problems()).isNotEmpty();
    return e;
  }

  /** The single problem of a refused one-file policy bundle. */
  static Problem problem(String yaml) {
    BundleException e = refused("policies.yaml", yaml);
    assertThat(e.problems()).as(e.render()).hasSize(1);
    return e.problems().get(0);
  }

  static Map<String, String> files(String... namesAndTexts) {
    if (namesAndTexts.length % 2 != 0) {
      throw new IllegalArgumentException("names and texts come in pairs");
    }
    Map<String, String> files = new LinkedHashMap<>();
    for (int i = 0; i < namesAndTexts.length; i += 2) {
      files.put(namesAndTexts[i], namesAndTexts[i + 1]);
    }
    return files;
  }

  static Tollgate tollgate(Bundle bundle) {
    return Tollgate.builder().bundle(bundle).build();
  }

  static Action action(String tool, Map<String, Object> args) {
    return Action.of(null, "alice@acme.example", tool, args);
  }

  static Action mail(String... to) {
    return action("email.send", Map.of("to", List.of(to), "body", "hello"));
  }

  /** Asserts file, line, column and message of a problem. */
  static void assertProblem(Problem p, String file, int line, int column, String message) {
    assertThat(p.file()).as(p.render()).isEqualTo(file);
    assertThat(p.line()).as(p.render()).isEqualTo(line);
    assertThat(p.column()).as(p.render()).isEqualTo(column);
    assertThat(p.message()).as(p.render()).isEqualTo(message);
  }
}
