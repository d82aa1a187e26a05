package dev.tollgate.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FingerprintKeyTest {
  @TempDir Path dir;

  @Test
  void createdOnceOwnerOnlyAndReadBackOnRestart() throws IOException {
    byte[] first = FingerprintKey.loadOrCreate(dir);
    Path file = dir.resolve(FingerprintKey.FILE);
    assertEquals(16, first.length);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertArrayEquals(first, FingerprintKey.loadOrCreate(dir));
    byte[] elsewhere = FingerprintKey.loadOrCreate(Files.createDirectory(dir.resolve("other")));
    assertFalse(Arrays.equals(first, elsewhere));
  }

  @Test
  void aDamagedKeyIsRefusedSayingHowToRecover() throws IOException {
    Files.write(dir.resolve(FingerprintKey.FILE), new byte[] {1, 2, 3});
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> FingerprintKey.loadOrCreate(dir));
    assertTrue(e.getMessage().contains("holds 3 bytes where a fingerprint key has 16"));
    assertTrue(e.getMessage().contains("restore it from a backup"));
  }
}
