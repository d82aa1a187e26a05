package dev.tollgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data directory holds password hashes, console sessions, CSRF tokens, session requests and
 * keys: it is 0700 and every file in it 0600, on a fresh start and after tightening an old one.
 */
class DataDirectoryTest {
  @TempDir Path dir;

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  private static Map<String, String> modes(Path data) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> list = Files.list(data)) {
      for (Path p : list.toList()) {
        out.put(p.getFileName().toString(), mode(p));
      }
    }
    return out;
  }

  @Test
  void serveOnAFreshDirectoryMakesEverythingOwnerOnly() throws Exception {
    Path data = dir.resolve("var").resolve("tollgate");
    Served served = Served.tryStart(data);
    try (ServeCommand.Running running = served.running()) {
      assertTrue(running != null, served.err());
      assertEquals("rwx------", mode(data));
      Map<String, String> modes = modes(data);
      assertTrue(
          modes
              .keySet()
              .containsAll(
                  java.util.List.of(
                      "tollgate.db",
                      "tollgate.db-wal",
                      "tollgate.db-shm",
                      "audit-key.pk8",
                      "audit-key.pub",
                      "fingerprint.key")),
          modes.toString());
      modes.forEach((name, mode) -> assertEquals("rw-------", mode, name));
    }
    assertEquals("", served.err(), "nothing to tighten on a fresh directory");
  }

  @Test
  void anOldDirectoryWithLooseModesIsTightenedOnceAndSaysSo() throws Exception {
    Path data = Files.createDirectory(dir.resolve("data"));
    try (var store = JdbcStore.open(StoreConfig.sqlite(data))) {
      store.credentials().add("bot", "sha256:" + "2".repeat(64), java.time.Instant.now());
    }
    Files.writeString(data.resolve("notes.txt"), "an operator's file");
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
    try (Stream<Path> list = Files.list(data)) {
      for (Path p : list.toList()) {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
      }
    }

    CliTest.Run first = CliTest.run("agents", "add", "mail-bot", "--data", data.toString());
    assertEquals(0, first.code(), first.err());
    assertTrue(
        first.err().contains("`" + data + "` was open to others (rwxr-xr-x): now rwx------"),
        first.err());
    assertTrue(
        first.err().contains("tollgate.db` was open to others (rw-r--r--): now rw-------"),
        first.err());
    assertEquals("rwx------", mode(data));
    modes(data).forEach((name, mode) -> assertEquals("rw-------", mode, name));

    CliTest.Run second = CliTest.run("agents", "add", "other-bot", "--data", data.toString());
    assertEquals(0, second.code(), second.err());
    assertFalse(second.err().contains("open to others"), "said once: " + second.err());
  }
}
