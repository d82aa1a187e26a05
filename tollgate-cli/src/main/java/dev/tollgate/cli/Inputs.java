package dev.tollgate.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reading the files and standard input that commands take. */
final class Inputs {
  private Inputs() {}

  /** The file's bytes, or standard input's for {@code -}; messages name the file and the fix. */
  static byte[] read(String name, InputStream stdin) throws UsageException {
    try {
      if (name.equals("-")) {
        return stdin.readAllBytes();
      }
      return Files.readAllBytes(Path.of(name));
    } catch (NoSuchFileException e) {
      throw new UsageException("no such file `" + name + "`: check the path");
    } catch (IOException e) {
      throw new UsageException("cannot read `" + name + "`: " + e.getMessage());
    }
  }

  static String readText(String name, InputStream stdin) throws UsageException {
    return new String(read(name, stdin), StandardCharsets.UTF_8);
  }

  /** A mistake in how the command was called; printed as {@code error: ...}, exit 3. */
  static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }
}
