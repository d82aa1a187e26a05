package dev.tollgate.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

/**
 * The secret that keys the fingerprints sessions keep of observed results, kept beside the store so
 * that a restarted server still recognises data its sessions read before the restart.
 */
final class FingerprintKey {
  static final String FILE = "fingerprint.key";
  private static final int LENGTH = 16;

  private FingerprintKey() {}

  /** Reads the key in {@code dir}, creating it (readable by its owner only) on first start. */
  static byte[] loadOrCreate(Path dir) {
    Path file = dir.resolve(FILE);
    try {
      if (!Files.exists(file)) {
        byte[] key = new byte[LENGTH];
        new SecureRandom().nextBytes(key);
        try {
          Files.createFile(
              file,
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
          Files.write(file, key);
          return key;
        } catch (FileAlreadyExistsException raced) {
          // another instance on the same directory created it first: use theirs
        }
      }
      byte[] key = Files.readAllBytes(file);
      if (key.length != LENGTH) {
        throw new IllegalStateException(
            file
                + " holds "
                + key.length
                + " bytes where a fingerprint key has "
                + LENGTH
                + ": restore it from a backup, or delete it to start a new key (data flow from"
                + " results observed before is then no longer seen)");
      }
      return key;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the fingerprint key " + file, e);
    }
  }
}
