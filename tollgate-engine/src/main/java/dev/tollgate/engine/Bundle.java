package dev.tollgate.engine;

import dev.tollgate.engine.internal.bundle.BundleLoader;
import dev.tollgate.engine.internal.bundle.CompiledBundle;
import dev.tollgate.engine.internal.bundle.CompiledPolicy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A loaded, type-checked policy bundle: policies, tool catalog and agent profiles. Immutable and
 * thread-safe; a bundle either loads whole or not at all.
 *
 * <p>A bundle directory holds policy files ({@code *.yaml}, {@code *.yml}), optionally {@code
 * catalog.yaml}, {@code agents.yaml} and {@code detectors.yaml} with the exact-data files ({@code
 * *.txt}, {@code *.csv}) it names, and optionally a {@code tests/} folder that loading ignores (see
 * {@code tollgate test}), and optionally the manifest {@code bundle.yaml} a deploy writes last (see
 * {@link PolicyDirectory}).
 *
 * <p>The gate is closed by default: without {@code agents.yaml} every action is denied, and an
 * agent without a profile is denied unless {@code agents.yaml} says {@code defaults: {unprofiled:
 * allow}}.
 */
public final class Bundle {
  static final long MAX_FILE_BYTES = 4L * 1024 * 1024;

  private final CompiledBundle compiled;
  private final Path directory;

  private Bundle(CompiledBundle compiled, Path directory) {
    this.compiled = compiled;
    this.directory = directory;
  }

  /**
   * Loads the bundle in {@code directory}.
   *
   * @throws BundleException listing every problem (unreadable files included)
   */
  public static Bundle load(Path directory) throws BundleException {
    return new Bundle(BundleLoader.load(readDirectory(directory)), directory);
  }

  /**
   * Loads a bundle from file names and texts, as if they were files of one directory.
   *
   * @throws BundleException listing every problem
   */
  public static Bundle fromFiles(Map<String, String> files) throws BundleException {
    return new Bundle(BundleLoader.load(files), null);
  }

  /**
   * An empty bundle: no policies, no catalog, no {@code agents.yaml}; the gate is closed by
   * default, so every action is denied.
   */
  public static Bundle empty() {
    try {
      return fromFiles(Map.of());
    } catch (BundleException e) {
      throw new IllegalStateException("an empty bundle always loads", e);
    }
  }

  /** The policy names, in the order they are evaluated (by name). */
  public List<String> policyNames() {
    return compiled.policies().stream().map(CompiledPolicy::name).toList();
  }

  /** The agents {@code agents.yaml} gives a profile, by name. */
  public List<String> agentNames() {
    return compiled.profiles().agents().keySet().stream().sorted().toList();
  }

  /** The names of the detectors that scan actions and results: built-in and configured. */
  public List<String> detectorNames() {
    return compiled.detectors().names();
  }

  /** A digest of every file's name and text, for the audit and for reload checks. */
  public String digest() {
    return compiled.digest();
  }

  /**
   * Whether the bundle has an {@code agents.yaml}. Without one every action is denied; with one, an
   * agent acts within its profile (or, only when {@code defaults: {unprofiled: allow}} says so,
   * without a profile).
   */
  public boolean hasProfiles() {
    return compiled.profiles().declared();
  }

  /** Whether {@code agents.yaml} says {@code defaults: {unprofiled: allow}}. */
  public boolean allowsUnprofiledAgents() {
    return compiled.profiles().unprofiledAllowed();
  }

  /**
   * What loads but deserves a second look, for example the permissive default for agents without a
   * profile ({@code tollgate validate} prints them).
   */
  public List<Problem> warnings() {
    return compiled.warnings();
  }

  /** The revision {@code bundle.yaml} names, or {@code null}. */
  public String revision() {
    return compiled.manifest().revision();
  }

  /** Whether {@code bundle.yaml} says {@code noPolicies: true}: an empty policy set is meant. */
  public boolean meansNoPolicies() {
    return compiled.manifest().noPolicies();
  }

  /** Whether {@code bundle.yaml} says {@code noAgents: true}: a bundle without agents is meant. */
  public boolean meansNoAgents() {
    return compiled.manifest().noAgents();
  }

  /** Number of catalog entries. */
  public int catalogSize() {
    return compiled.catalog().size();
  }

  /** The directory it was loaded from, or {@code null}. */
  public Path directory() {
    return directory;
  }

  CompiledBundle compiled() {
    return compiled;
  }

  /**
   * Reads the top-level YAML files of a bundle directory, and its data files ({@code *.txt}, {@code
   * *.csv}, for the exact-data detectors of {@code detectors.yaml}), as UTF-8 text.
   */
  static Map<String, String> readDirectory(Path directory) throws BundleException {
    String name = directory.toString();
    if (!Files.isDirectory(directory)) {
      throw new BundleException(
          List.of(
              new Problem(
                  name,
                  0,
                  0,
                  Files.exists(directory) ? "not a directory" : "no such directory",
                  "give the directory that holds the policy files, catalog.yaml and agents.yaml",
                  null)));
    }
    Map<String, String> files = new TreeMap<>();
    List<Problem> problems = new java.util.ArrayList<>();
    try (Stream<Path> entries = Files.list(directory)) {
      for (Path file : entries.sorted().toList()) {
        String fileName = file.getFileName().toString();
        if (!Files.isRegularFile(file)
            || !(fileName.endsWith(".yaml")
                || fileName.endsWith(".yml")
                || BundleLoader.isDataFile(fileName))) {
          continue;
        }
        String shown = directory.resolve(fileName).toString();
        if (Files.size(file) > MAX_FILE_BYTES) {
          problems.add(
              new Problem(
                  shown,
                  0,
                  0,
                  "file larger than 4 MiB",
                  "split the policies over several files",
                  null));
          continue;
        }
        try {
          files.put(
              shown,
              StandardCharsets.UTF_8
                  .newDecoder()
                  .onMalformedInput(CodingErrorAction.REPORT)
                  .onUnmappableCharacter(CodingErrorAction.REPORT)
                  .decode(ByteBuffer.wrap(Files.readAllBytes(file)))
                  .toString());
        } catch (CharacterCodingException e) {
          problems.add(
              new Problem(shown, 0, 0, "not valid UTF-8 text", "save the file as UTF-8", null));
        }
      }
    } catch (IOException e) {
      problems.add(
          new Problem(
              name,
              0,
              0,
              "cannot read: " + e.getMessage(),
              "check the path and its permissions",
              null));
    }
    if (problems.isEmpty() && files.keySet().stream().allMatch(BundleLoader::isDataFile)) {
      // An emptied directory (a deploy that moved the files out, a mount not there yet) must not
      // load as a bundle that decides nothing.
      problems.add(
          new Problem(
              name,
              0,
              0,
              "no bundle files (*.yaml, *.yml) in the directory",
              "put the policy files, catalog.yaml and agents.yaml here; a bundle that means to"
                  + " hold nothing says so in bundle.yaml (`noPolicies: true`, `noAgents: true`)",
              null));
    }
    if (!problems.isEmpty()) {
      throw new BundleException(problems);
    }
    return files;
  }
}
