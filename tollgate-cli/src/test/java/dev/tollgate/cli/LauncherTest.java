package dev.tollgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code tollgate} launcher script, run from a copy of the repository's root with a fake JDK
 * whose {@code java} prints the arguments it was given: which JVM flags each command gets on which
 * JDK, and that a missing jar is built first.
 */
@DisabledOnOs(OS.WINDOWS)
class LauncherTest {
  @TempDir Path dir;
  private Path root;
  private Path jar;

  private record Run(int code, List<String> javaArgs, String err) {}

  @BeforeEach
  void copyTheLauncher() throws IOException {
    root = Files.createDirectory(dir.resolve("repo"));
    Path launcher = root.resolve("tollgate");
    Files.copy(Path.of("..", "tollgate"), launcher, StandardCopyOption.COPY_ATTRIBUTES);
    jar = root.resolve("tollgate-cli/target/tollgate.jar");
    Files.createDirectories(jar.getParent());
    Files.writeString(jar, "not really a jar");
  }

  /**
   * A JDK whose {@code java -version} says {@code version}; with {@code releaseFile}, its {@code
   * release} file says it too (the launcher reads that first, without starting a JVM).
   */
  private Path jdk(String version, boolean releaseFile) throws IOException {
    Path home = Files.createDirectories(dir.resolve("jdk-" + version + "-" + releaseFile));
    Path bin = Files.createDirectories(home.resolve("bin"));
    Path java = bin.resolve("java");
    Files.writeString(
        java,
        "#!/usr/bin/env bash\n"
            + "if [ \"$1\" = -version ]; then\n"
            + "  echo 'openjdk version \""
            + version
            + "\" 2026-01-01' >&2\n"
            + "  echo 'OpenJDK Runtime Environment' >&2\n"
            + "  exit 0\n"
            + "fi\n"
            + "printf '%s\\n' \"$@\"\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    if (releaseFile) {
      Files.writeString(
          home.resolve("release"),
          "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"" + version + "\"\nOS_NAME=\"Linux\"\n");
    }
    return home;
  }

  private Run run(Path javaHome, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", root.resolve("tollgate").toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    pb.environment().put("JAVA_HOME", javaHome.toString());
    Path err = dir.resolve("err.txt");
    pb.redirectError(err.toFile());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the launcher did not end");
    return new Run(p.exitValue(), out.lines().toList(), Files.readString(err));
  }

  private static final String UNSAFE = "--sun-misc-unsafe-memory-access=allow";
  private static final String C1_ONLY = "-XX:TieredStopAtLevel=1";

  @Test
  void jdk21GetsNoFlagItRefusesAndServeGetsTheFullJit() throws Exception {
    for (boolean releaseFile : List.of(true, false)) {
      Path jdk21 = jdk("21.0.2", releaseFile);
      Run check = run(jdk21, "check", "--policies", "p", "a.json");
      assertEquals(0, check.code(), check.err());
      assertFalse(check.javaArgs().contains(UNSAFE), "JDK 21 refuses it: " + check.javaArgs());
      assertTrue(check.javaArgs().contains("--enable-native-access=ALL-UNNAMED"));
      assertTrue(check.javaArgs().contains(C1_ONLY), "a short command starts fast");
      assertEquals(
          List.of("-jar", jar.toString(), "check", "--policies", "p", "a.json"),
          check.javaArgs().subList(check.javaArgs().indexOf("-jar"), check.javaArgs().size()));

      Run serve = run(jdk21, "serve", "--port", "0");
      assertFalse(serve.javaArgs().contains(C1_ONLY), "serve: full JIT " + serve.javaArgs());
      assertFalse(serve.javaArgs().contains(UNSAFE));
    }
    Run jdk22 = run(jdk("22", true), "validate", "x");
    assertFalse(jdk22.javaArgs().contains(UNSAFE), "JDK 22 refuses it too: " + jdk22.javaArgs());
  }

  @Test
  void jdk23AndLaterGetTheUnsafeFlag() throws Exception {
    for (String version : List.of("23", "25.0.3", "26-ea")) {
      Path jdk = jdk(version, version.equals("25.0.3"));
      Run serve = run(jdk, "serve");
      assertTrue(serve.javaArgs().contains(UNSAFE), version + ": " + serve.javaArgs());
      assertFalse(serve.javaArgs().contains(C1_ONLY), version + ": " + serve.javaArgs());
      Run help = run(jdk, "--help");
      assertTrue(help.javaArgs().contains(C1_ONLY), version + ": " + help.javaArgs());
    }
  }

  @Test
  void aJdkOlderThan21IsRefusedWithTheFix() throws Exception {
    for (String version : List.of("17.0.15", "1.8.0_401")) {
      Run r = run(jdk(version, false), "validate", "x");
      assertEquals(3, r.code());
      assertEquals(List.of(), r.javaArgs());
      assertTrue(r.err().contains("needs Java 21 or later"), r.err());
      assertTrue(r.err().contains("set JAVA_HOME"), r.err());
    }
  }

  @Test
  void theCliIsBuiltOnFirstUse() throws Exception {
    Files.delete(jar);
    Path mvnw = root.resolve("mvnw");
    Files.writeString(
        mvnw,
        "#!/usr/bin/env bash\n"
            + "echo \"$@\" > \"$(dirname \"$0\")/mvnw-args.txt\"\n"
            + "mkdir -p tollgate-cli/target && echo jar > tollgate-cli/target/tollgate.jar\n");
    Files.setPosixFilePermissions(mvnw, PosixFilePermissions.fromString("rwxr-xr-x"));
    Run first = run(jdk("25", true), "validate", "x");
    assertEquals(0, first.code(), first.err());
    assertTrue(first.err().contains("building the CLI (once)"), first.err());
    assertTrue(Files.readString(root.resolve("mvnw-args.txt")).contains("-pl tollgate-cli -am"));
    assertTrue(first.javaArgs().contains("-jar"), first.javaArgs().toString());

    Files.delete(root.resolve("mvnw-args.txt"));
    Run second = run(jdk("25", true), "validate", "x");
    assertFalse(second.err().contains("building"), second.err());
    assertFalse(Files.exists(root.resolve("mvnw-args.txt")), "built once");
  }
}
