package dev.tollgate.engine;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The dependency rules of STYLE.md, kept by the build rather than by review. */
class ArchitectureTest {
  private static final String INTERNAL = "dev.tollgate.engine.internal.";
  private static final int MAX_LINES = 600;
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.tollgate");
  }

  @Test
  void hotPathDoesNoIo() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "dev.tollgate.engine.internal.decide..",
            "dev.tollgate.engine.internal.scan..",
            "dev.tollgate.engine.internal.flow..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("java.net..", "java.sql..", "java.nio.file..", "java.net.http..")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.io.File")
        .because("decide is a pure function of its inputs: I/O belongs to the shell around it")
        .check(classes);
  }

  /**
   * Each stage may use only the stages before it: the hot path (decide, scan, flow) is built from
   * what the bundle compiled, never the other way round, and the leaves (cel, yaml, scan, memory)
   * use no other stage. The keys are the stages; the values, what each may use.
   */
  private static final Map<String, List<String>> STAGES =
      Map.of(
          "decide", List.of("bundle", "cel", "scan", "flow", "rate"),
          "rate", List.of("bundle", "cel", "scan", "flow"),
          "bundle", List.of("cel", "yaml", "scan"),
          "cel", List.of(),
          "yaml", List.of(),
          "scan", List.of(),
          "flow", List.of("scan"),
          "judge", List.of("decide"),
          "memory", List.of());

  @Test
  void stagesDoNotReachBackwards() {
    for (var stage : STAGES.entrySet()) {
      String[] others =
          STAGES.keySet().stream()
              .filter(s -> !s.equals(stage.getKey()) && !stage.getValue().contains(s))
              .map(s -> INTERNAL + s + "..")
              .toArray(String[]::new);
      noClasses()
          .that()
          .resideInAPackage(INTERNAL + stage.getKey() + "..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(others)
          .because(stage.getKey() + " may use only " + stage.getValue())
          .check(classes);
    }
  }

  @Test
  void everyInternalClassIsInAStage() {
    classes()
        .that()
        .resideInAPackage("dev.tollgate.engine.internal..")
        .should()
        .resideInAnyPackage(
            STAGES.keySet().stream().map(s -> INTERNAL + s + "..").toArray(String[]::new))
        .because("internals live in the package of their stage, so the rule above sees them")
        .check(classes);
  }

  /**
   * A class over {@value #MAX_LINES} lines is hard to read in one sitting; one that must be longer
   * says why in the first sentence of its javadoc ("Long because ...", or "...; long because ...").
   */
  @Test
  void classesStaySmall() throws IOException {
    List<String> tooLong = new ArrayList<>();
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        List<String> lines = Files.readAllLines(file);
        if (lines.size() > MAX_LINES
            && !firstSentence(lines).toLowerCase(Locale.ROOT).contains("long because")) {
          tooLong.add(file + " (" + lines.size() + " lines)");
        }
      }
    }
    assertThat(tooLong)
        .as(
            "classes over %d lines: split them where a seam exists, or begin the class javadoc"
                + " with the reason (\"Long because ...\")",
            MAX_LINES)
        .isEmpty();
  }

  /** The first sentence of a file's first javadoc comment (its class's), or "" when it has none. */
  private static String firstSentence(List<String> lines) {
    StringBuilder doc = new StringBuilder();
    boolean in = false;
    for (String line : lines) {
      String t = line.strip();
      if (!in && t.startsWith("/**")) {
        in = true;
        t = t.substring(3);
      } else if (!in) {
        continue;
      }
      int end = t.indexOf("*/");
      doc.append(' ').append((end >= 0 ? t.substring(0, end) : t).replaceFirst("^\\*", "").strip());
      if (end >= 0) {
        break;
      }
    }
    String text = doc.toString().strip();
    int stop = text.indexOf(". ");
    return stop >= 0 ? text.substring(0, stop + 1) : text;
  }

  @Test
  void apiDependsOnlyOnTheJdk() {
    noClasses()
        .that()
        .resideInAPackage("dev.tollgate.api..")
        .should()
        .dependOnClassesThat()
        .resideOutsideOfPackages("dev.tollgate.api..", "java..")
        .because("the contract module has no dependencies")
        .check(classes);
  }

  @Test
  void publicApiDoesNotLeakCel() {
    noClasses()
        .that()
        .resideInAnyPackage("dev.tollgate.engine", "dev.tollgate.engine.runner")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.cel..", "org.yaml..")
        .because("CEL and YAML are implementation details kept in dev.tollgate.engine.internal")
        .check(classes);
  }
}
