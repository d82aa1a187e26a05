package dev.tollgate.benchmarks;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The CLI's rule that nothing outside the engine uses {@code dev.tollgate.engine.internal..}, for
 * this module, less the benchmarks that measure an internal stage on its own.
 */
class InternalsStayInternalTest {
  /** Benchmarks that measure internals directly, with what they measure. */
  private static final Set<String> MEASURE_INTERNALS =
      Set.of(
          // the detectors alone (scan)
          "dev.tollgate.benchmarks.ScanBenchmark",
          // CEL evaluation with the engine's facts (decide, cel, bundle)
          "dev.tollgate.benchmarks.CelFactsBenchmark",
          // the pure decision function without the shell's stores (decide)
          "dev.tollgate.benchmarks.DecideBenchmark",
          // the built-in detector names, to write a detectors.yaml that disables them all
          "dev.tollgate.benchmarks.PolicySets");

  @Test
  void onlyTheBenchmarksOfInternalsUseThem() {
    JavaClasses classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.tollgate.benchmarks");
    assertThat(classes.stream().map(JavaClass::getName))
        .as("the allow-list names classes that exist")
        .containsAll(MEASURE_INTERNALS);

    noClasses()
        .that(
            DescribedPredicate.describe(
                "are not benchmarks of internals",
                (JavaClass c) -> !MEASURE_INTERNALS.contains(topLevel(c))))
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.tollgate.engine.internal..")
        .because("engine.internal has no compatibility promise; measure through the public API")
        .check(classes);
  }

  private static String topLevel(JavaClass c) {
    int nested = c.getName().indexOf('$');
    return nested < 0 ? c.getName() : c.getName().substring(0, nested);
  }
}
