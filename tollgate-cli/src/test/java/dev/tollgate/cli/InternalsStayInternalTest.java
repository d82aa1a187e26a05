package dev.tollgate.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The engine's internals ({@code dev.tollgate.engine.internal..}, marked so by each package's
 * package-info) are used by the engine alone, and the contract's ({@code
 * dev.tollgate.api.internal}) by tollgate-api alone. Checked here because this module's test
 * classpath holds every module that could reach into them: the engine, server, store, client and
 * CLI.
 */
class InternalsStayInternalTest {

  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.tollgate");
  }

  @Test
  void noModuleOutsideTheEngineUsesItsInternals() {
    // The rule would pass vacuously if a module were missing from the import.
    assertThat(classes.stream().map(JavaClass::getPackageName).distinct())
        .contains(
            "dev.tollgate.engine",
            "dev.tollgate.engine.internal.decide",
            "dev.tollgate.server",
            "dev.tollgate.store.jdbc",
            "dev.tollgate.client",
            "dev.tollgate.cli",
            "dev.tollgate.json",
            "dev.tollgate.api",
            "dev.tollgate.api.internal");

    noClasses()
        .that()
        .resideOutsideOfPackage("dev.tollgate.engine..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.tollgate.engine.internal..")
        .because(
            "engine.internal has no compatibility promise: other modules use the engine's public"
                + " API (dev.tollgate.engine, dev.tollgate.engine.runner) or tollgate-json")
        .check(classes);
  }

  @Test
  void noModuleOutsideTheApiUsesItsInternals() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.tollgate.api..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.tollgate.api.internal..")
        .because(
            "api.internal holds helpers the contract's own packages share (public only because"
                + " they span two packages); it is no part of the contract")
        .check(classes);
  }
}
