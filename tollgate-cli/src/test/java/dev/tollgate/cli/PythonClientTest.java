package dev.tollgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Python client ({@code clients/python}) against a real {@code tollgate serve}: the package is
 * installed into a fresh venv under {@code target/} the way a user installs it offline ({@code pip
 * install --no-build-isolation --no-index ./clients/python}), so its tests import the installed
 * package and not the source tree, then its {@code unittest} suite runs with the server's URL, the
 * agent's token and an admin token in the environment. Python's output is the failure message. A
 * machine without {@code python3} (or its {@code venv} module) fails here, never skips: {@code
 * ./test} installs them.
 */
class PythonClientTest {
  private static final Path CLIENT = Path.of("..", "clients", "python");
  private static final Path VENV = Path.of("target", "python-client-venv");

  @TempDir Path data;
  @TempDir Path elsewhere;

  @Test
  void thePythonClientsTestsPassAgainstARealServer() throws Exception {
    String python = System.getenv().getOrDefault("TOLLGATE_PYTHON", "python3");
    Run version = run(List.of(python, "--version"), Path.of("."), Map.of(), 60);
    if (version.exit != 0) {
      fail(
          "python3 is needed for the Python client's tests and was not found or did not run"
              + " (`./test` installs Debian's python3 and python3-venv; TOLLGATE_PYTHON names"
              + " another interpreter): "
              + version.out);
    }
    deleteTree(VENV);
    Run venv =
        run(
            List.of(python, "-m", "venv", "--system-site-packages", VENV.toString()),
            Path.of("."),
            Map.of(),
            120);
    assertEquals(
        0,
        venv.exit,
        "cannot create a venv (`apt-get install python3-venv` on Debian): " + venv.out);
    String venvPython = VENV.toAbsolutePath().resolve("bin").resolve("python").toString();
    Run install =
        run(
            List.of(
                venvPython,
                "-m",
                "pip",
                "install",
                "--no-build-isolation",
                "--no-index",
                CLIENT.toAbsolutePath().normalize().toString()),
            Path.of("."),
            Map.of("PIP_DISABLE_PIP_VERSION_CHECK", "1"),
            300);
    assertEquals(0, install.exit, "pip install ./clients/python failed:\n" + install.out);

    Path creds = elsewhere.resolve("tollgate.env");
    Served served = Served.start(data, "--credentials-file", creds.toString());
    try (ServeCommand.Running running = served.running()) {
      Properties secrets = new Properties();
      try (Reader r = Files.newBufferedReader(creds, StandardCharsets.UTF_8)) {
        secrets.load(r);
      }
      String url = running.server.uri().toString().replaceAll("/$", "");
      Run tests =
          run(
              List.of(venvPython, "-m", "unittest", "discover", "-s", "tests", "-t", ".", "-v"),
              CLIENT,
              Map.of(
                  "TOLLGATE_URL",
                  url,
                  "TOLLGATE_TOKEN",
                  secrets.getProperty("TOLLGATE_AGENT_TOKEN"),
                  "TOLLGATE_ADMIN_TOKEN",
                  secrets.getProperty("TOLLGATE_ADMIN_TOKEN"),
                  "PYTHONDONTWRITEBYTECODE",
                  "1"),
              600);
      System.out.println(tests.out);
      assertEquals(0, tests.exit, "the Python client's tests failed:\n" + tests.out);
      assertTrue(tests.out.contains("OK"), tests.out);
    }
  }

  private record Run(int exit, String out) {}

  /** Runs {@code command} in {@code dir} with {@code env} added, stderr into stdout. */
  private static Run run(List<String> command, Path dir, Map<String, String> env, long seconds)
      throws InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command));
    pb.directory(dir.toFile());
    pb.redirectErrorStream(true);
    pb.environment().remove("PYTHONPATH");
    pb.environment().remove("TOLLGATE_TOKEN");
    pb.environment().putAll(env);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      return new Run(-1, "cannot run `" + String.join(" ", command) + "`: " + e.getMessage());
    }
    StringBuilder out = new StringBuilder();
    Thread reader =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    out.append(
                        new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                  } catch (IOException e) {
                    out.append("(output lost: ").append(e.getMessage()).append(')');
                  }
                });
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      reader.join(5000);
      return new Run(-1, "timed out after " + seconds + " s:\n" + out);
    }
    reader.join(5000);
    return new Run(p.exitValue(), out.toString());
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
