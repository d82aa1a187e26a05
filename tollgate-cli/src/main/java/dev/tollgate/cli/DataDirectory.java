package dev.tollgate.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A directory of secrets: the embedded store (password hashes, console sessions and their CSRF
 * tokens, the requests of agents' sessions), the audit signing key, the fingerprint key, a
 * credentials file. Only its owner may read it: the directory is 0700 and every file in it 0600.
 *
 * <p>A missing directory is created 0700. An existing one whose modes are looser (a directory made
 * by hand, a store from before this rule) is tightened: group and others lose every permission on
 * the directory and on each file in it, and one line on the error stream names what changed, so it
 * is said once, the first time. A file that others may read and that cannot be tightened (another
 * user's, or on a read-only mount) is refused, with the command that fixes it; a directory that
 * cannot be tightened is only warned about, as its files are what hold the secrets. Subdirectories
 * are left alone. Where the file system has no POSIX permissions, nothing is checked.
 */
final class DataDirectory {
  private static final Set<PosixFilePermission> OWNER =
      EnumSet.of(
          PosixFilePermission.OWNER_READ,
          PosixFilePermission.OWNER_WRITE,
          PosixFilePermission.OWNER_EXECUTE);

  private DataDirectory() {}

  /**
   * Creates {@code dir} owner-only, or tightens it and the files in it.
   *
   * @param log where a line goes for each mode changed
   * @throws Inputs.UsageException when a file others can read cannot be made owner-only
   */
  static void secure(Path dir, PrintWriter log) throws Inputs.UsageException {
    try {
      if (!Files.isDirectory(dir)) {
        create(dir);
        return;
      }
      if (!Files.getFileStore(dir).supportsFileAttributeView("posix")) {
        return;
      }
      try {
        tighten(dir, log);
      } catch (IOException e) {
        log.println(
            "tollgate: warning: `"
                + dir
                + "` is open to others ("
                + mode(dir)
                + ") and cannot be tightened ("
                + e.getMessage()
                + "): run `chmod go= "
                + dir
                + "` as its owner");
      }
      List<Path> files;
      try (Stream<Path> list = Files.list(dir)) {
        files = list.filter(Files::isRegularFile).sorted().toList();
      }
      List<String> refused = new ArrayList<>();
      List<String> paths = new ArrayList<>();
      for (Path file : files) {
        try {
          tighten(file, log);
        } catch (IOException e) {
          refused.add("`" + file + "` (" + mode(file) + ")");
          paths.add(file.toString());
        }
      }
      if (!refused.isEmpty()) {
        throw new Inputs.UsageException(
            "others may read "
                + String.join(", ", refused)
                + ", which must be owner-only, and this user cannot change that: run `chmod go= "
                + String.join(" ", paths)
                + "` as the owner (for a read-only mount such as a container secret, mount it with"
                + " mode 0400)");
      }
    } catch (IOException e) {
      throw new Inputs.UsageException("cannot prepare the directory `" + dir + "`: " + e);
    }
  }

  /**
   * Creates the empty file {@code file} with mode 0600 from the start: it is never readable by
   * others, not even for an instant.
   *
   * @throws FileAlreadyExistsException if it exists (a symbolic link included)
   */
  static void createOwnerOnly(Path file) throws IOException {
    try {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException notPosix) {
      Files.createFile(file);
    }
  }

  private static void create(Path dir) throws IOException {
    Path parent = dir.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try {
      Files.createDirectory(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (UnsupportedOperationException notPosix) {
      Files.createDirectory(dir);
    } catch (FileAlreadyExistsException raced) {
      // created meanwhile by another process: the next start checks its mode
    }
  }

  private static void tighten(Path path, PrintWriter log) throws IOException {
    Set<PosixFilePermission> now = Files.getPosixFilePermissions(path);
    Set<PosixFilePermission> owner = EnumSet.noneOf(PosixFilePermission.class);
    for (PosixFilePermission p : now) {
      if (OWNER.contains(p)) {
        owner.add(p);
      }
    }
    if (owner.equals(now)) {
      return;
    }
    Files.setPosixFilePermissions(path, owner);
    log.println(
        "tollgate: `"
            + path
            + "` was open to others ("
            + PosixFilePermissions.toString(now)
            + "): now "
            + PosixFilePermissions.toString(owner)
            + ", owner only");
    log.flush();
  }

  private static String mode(Path path) {
    try {
      return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    } catch (IOException e) {
      return "mode unknown";
    }
  }
}
