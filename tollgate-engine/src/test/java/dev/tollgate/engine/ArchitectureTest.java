package dev.tollgate.engine;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The dependency rules of STYLE.md, kept by the build rather than by review. */
class ArchitectureTest {
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
        .resideInAPackage("dev.tollgate.engine.internal..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("java.net..", "java.sql..", "java.nio.file..", "java.net.http..")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.io.File")
        .because("decide is a pure function of its inputs: I/O belongs to the shell around it")
        .check(classes);
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
