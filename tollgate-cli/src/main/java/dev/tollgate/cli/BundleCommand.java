package dev.tollgate.cli;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tollgate bundle}: commands on a bundle directory as a deployable snapshot. */
@Command(
    name = "bundle",
    description = "Work with a bundle directory as a snapshot.",
    subcommands = {BundleCommand.Seal.class})
final class BundleCommand {

  /**
   * {@code tollgate bundle seal DIR}: writes the manifest {@code bundle.yaml} listing the SHA-256
   * of every file the loader reads, so that a half-copied directory is refused instead of loaded.
   */
  @Command(
      name = "seal",
      description = {
        "Write DIR/bundle.yaml, the manifest of the bundle's current files (their SHA-256).",
        "A server then loads DIR only when it holds exactly these files; deploy the manifest last.",
        "Exit 0 when written, 1 when DIR cannot be read or written."
      })
  static final class Seal implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "DIR", description = "The policy bundle.")
    Path directory;

    @Option(names = "--revision", description = "A label for the snapshot, e.g. a commit id.")
    String revision;

    @Option(
        names = "--no-policies",
        description = "Say that an empty policy set is meant (noPolicies: true).")
    boolean noPolicies;

    @Option(
        names = "--no-agents",
        description = "Say that a bundle without agents.yaml (denying everything) is meant.")
    boolean noAgents;

    @Override
    public Integer call() {
      if (!Files.isDirectory(directory)) {
        spec.commandLine()
            .getErr()
            .println("error: " + directory + ": no such directory: give the bundle directory");
        return Exit.FAILED;
      }
      try {
        StringBuilder out = new StringBuilder("# written by `tollgate bundle seal`\n");
        if (revision != null) {
          out.append("revision: \"").append(revision.replace("\"", "\\\"")).append("\"\n");
        }
        if (noPolicies) {
          out.append("noPolicies: true\n");
        }
        if (noAgents) {
          out.append("noAgents: true\n");
        }
        out.append("files:\n");
        List<Path> files;
        try (Stream<Path> entries = Files.list(directory)) {
          files = entries.filter(Seal::isBundleFile).sorted().toList();
        }
        for (Path f : files) {
          out.append("  \"")
              .append(f.getFileName())
              .append("\": ")
              .append(sha256(Files.readAllBytes(f)))
              .append('\n');
        }
        // Temp file and rename: a reader sees the old manifest or the new one, never half of one.
        Path tmp = Files.createTempFile(directory, ".bundle", ".tmp");
        Files.writeString(tmp, out);
        try {
          Files.move(
              tmp,
              directory.resolve("bundle.yaml"),
              StandardCopyOption.ATOMIC_MOVE,
              StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, directory.resolve("bundle.yaml"), StandardCopyOption.REPLACE_EXISTING);
        }
        spec.commandLine()
            .getOut()
            .printf("sealed %d files in %s%n", files.size(), directory.resolve("bundle.yaml"));
        return Exit.OK;
      } catch (IOException e) {
        spec.commandLine()
            .getErr()
            .println(
                "error: " + directory + ": cannot seal: " + e.getMessage() + ": check permissions");
        return Exit.FAILED;
      }
    }

    private static boolean isBundleFile(Path f) {
      String name = f.getFileName().toString();
      return Files.isRegularFile(f)
          && !name.equals("bundle.yaml")
          && (name.endsWith(".yaml")
              || name.endsWith(".yml")
              || name.endsWith(".txt")
              || name.endsWith(".csv"));
    }

    private static String sha256(byte[] bytes) {
      try {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is part of every JDK", e);
      }
    }
  }
}
