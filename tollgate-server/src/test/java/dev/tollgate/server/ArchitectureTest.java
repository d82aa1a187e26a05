package dev.tollgate.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The server's structure rules, kept by the build rather than by review. */
class ArchitectureTest {
  /** Past this many lines a class must say why it is long. */
  static final int MAX_LINES = 600;

  private static final Path SOURCES = Path.of("src", "main", "java");
  private static final Pattern FIRST_JAVADOC = Pattern.compile("/\\*\\*(.*?)\\*/", Pattern.DOTALL);

  private static JavaClasses main;

  @BeforeAll
  static void importClasses() {
    main =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
            .importPackages("dev.tollgate.server");
  }

  @Test
  void classesStaySmall() {
    assertThat(main.stream().filter(JavaClass::isTopLevelClass).count())
        .as("the server's main classes were found")
        .isGreaterThan(20);
    classes()
        .that()
        .areTopLevelClasses()
        .should(
            new ArchCondition<JavaClass>(
                "have at most " + MAX_LINES + " lines, or say \"Long because\" why") {
              @Override
              public void check(JavaClass c, ConditionEvents events) {
                String problem = sizeProblem(c.getName(), read(sourceOf(c)));
                events.add(new SimpleConditionEvent(c, problem == null, String.valueOf(problem)));
              }
            })
        .because("a class that does one thing fits in a reader's head; split it by concern")
        .check(main);
  }

  @Test
  void sizeRuleFailsALongClassThatDoesNotSayWhy() {
    List<String> longOne = new ArrayList<>(List.of("package p;", "", "/** Does things. */"));
    longOne.addAll(Collections.nCopies(MAX_LINES, "  int x;"));
    assertThat(sizeProblem("p.Big", longOne)).contains("p.Big", "603 lines");

    List<String> explained =
        new ArrayList<>(
            List.of(
                "package p;",
                "",
                "/**",
                " * Long because the grammar is one switch. More.",
                " */"));
    explained.addAll(Collections.nCopies(MAX_LINES, "  int x;"));
    assertThat(sizeProblem("p.Big", explained)).isNull();

    // Only the first sentence counts: a reason buried later is no reason.
    List<String> buried =
        new ArrayList<>(List.of("package p;", "/** Does things. Long because it does. */"));
    buried.addAll(Collections.nCopies(MAX_LINES, "  int x;"));
    assertThat(sizeProblem("p.Big", buried)).isNotNull();

    assertThat(sizeProblem("p.Small", List.of("package p;", "/** Small. */", "class Small {}")))
        .isNull();
  }

  /**
   * Why a class of {@code lines} is too long, or {@code null} when it is not: more than {@link
   * #MAX_LINES} lines and no "Long because" in the first sentence of its first javadoc.
   */
  static String sizeProblem(String name, List<String> lines) {
    if (lines.size() <= MAX_LINES) {
      return null;
    }
    String sentence = firstSentence(String.join("\n", lines));
    if (sentence.contains("Long because")) {
      return null;
    }
    return name
        + " has "
        + lines.size()
        + " lines (at most "
        + MAX_LINES
        + "): split it by concern, or start its javadoc with \"Long because\" and the reason";
  }

  private static String firstSentence(String source) {
    Matcher m = FIRST_JAVADOC.matcher(source);
    if (!m.find()) {
      return "";
    }
    String text = m.group(1).replaceAll("(?m)^\\s*\\*", " ").replaceAll("\\s+", " ").strip();
    int end = text.indexOf(". ");
    return end < 0 ? text : text.substring(0, end + 1);
  }

  private static Path sourceOf(JavaClass c) {
    String file =
        c.getSource()
            .flatMap(s -> s.getFileName())
            .orElseThrow(() -> new AssertionError("no source file name for " + c.getName()));
    return SOURCES.resolve(c.getPackageName().replace('.', '/')).resolve(file);
  }

  private static List<String> read(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + " to count its lines", e);
    }
  }
}
