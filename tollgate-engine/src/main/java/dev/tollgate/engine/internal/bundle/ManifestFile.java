package dev.tollgate.engine.internal.bundle;

import dev.tollgate.engine.Problem;
import dev.tollgate.engine.internal.yaml.MapReader;
import dev.tollgate.engine.internal.yaml.Y;
import dev.tollgate.engine.internal.yaml.YamlReader;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Reads {@code bundle.yaml}, the optional manifest, into a {@link Manifest}, and checks a bundle's
 * files against the digests it lists.
 */
final class ManifestFile {
  private static final Set<String> MANIFEST_KEYS =
      Set.of("revision", "files", "noPolicies", "noAgents");

  private ManifestFile() {}

  static Manifest read(String file, Y root, List<Problem> problems) {
    if (root == null) {
      if (problems.stream().noneMatch(p -> p.file().equals(file))) {
        problems.add(
            new Problem(
                file,
                0,
                0,
                "empty manifest",
                "run `tollgate bundle seal DIR` to write it, or remove bundle.yaml",
                null));
      }
      return Manifest.NONE;
    }
    Y.Map top = MapReader.asMap(root, "the manifest", problems);
    if (top == null) {
      return Manifest.NONE;
    }
    MapReader r = new MapReader(top, "the manifest", problems, MANIFEST_KEYS);
    Y revisionNode = r.node("revision");
    String revision =
        revisionNode instanceof Y.Scalar s && s.value() != null ? String.valueOf(s.value()) : null;
    Map<String, String> files = null;
    Y.Map listed = r.mapping("files");
    if (listed != null) {
      Map<String, String> sums = new TreeMap<>();
      listed
          .entries()
          .forEach(
              (name, node) -> {
                if (node instanceof Y.Scalar s
                    && s.value() instanceof String sum
                    && sum.matches("[0-9a-f]{64}")) {
                  sums.put(name, sum);
                } else {
                  problems.add(
                      YamlReader.at(
                          node,
                          "the sha256 of `" + name + "` in the manifest must be 64 hex digits",
                          "run `tollgate bundle seal DIR` to write the manifest"));
                }
              });
      files = sums;
    }
    Boolean noPolicies = r.bool("noPolicies");
    Boolean noAgents = r.bool("noAgents");
    return new Manifest(
        revision, files, noPolicies != null && noPolicies, noAgents != null && noAgents);
  }

  /**
   * A manifest names the snapshot a deploy meant: a directory that holds a file it does not list,
   * lacks one it lists or holds one that differs is half-copied and is refused whole.
   */
  static void check(
      SortedMap<String, String> files, Manifest manifest, Y manifestRoot, List<Problem> problems) {
    Map<String, String> present = new TreeMap<>();
    String manifestFile = null;
    for (Map.Entry<String, String> f : files.entrySet()) {
      String base = BundleLoader.baseName(f.getKey());
      if (base.equals(BundleLoader.MANIFEST)) {
        manifestFile = f.getKey();
        continue;
      }
      present.put(base, f.getKey());
      String expected = manifest.files().get(base);
      if (expected == null) {
        problems.add(
            new Problem(
                f.getKey(),
                0,
                0,
                "`" + base + "` is not listed in the manifest bundle.yaml",
                "deploy the whole bundle (the manifest last), or run `tollgate bundle seal DIR`"
                    + " after editing",
                null));
      } else if (!expected.equals(BundleLoader.sha256(f.getValue()))) {
        problems.add(
            new Problem(
                f.getKey(),
                0,
                0,
                "`" + base + "` does not match its sha256 in the manifest bundle.yaml",
                "the file is half-copied or was edited after sealing: finish the deploy, or run"
                    + " `tollgate bundle seal DIR`",
                null));
      }
    }
    for (String listed : manifest.files().keySet()) {
      if (!present.containsKey(listed)) {
        Y node =
            manifestRoot instanceof Y.Map m && m.get("files") instanceof Y.Map fm
                ? fm.keys().get(listed)
                : null;
        problems.add(
            node != null
                ? YamlReader.at(
                    node,
                    "`" + listed + "` is listed in the manifest but missing from the bundle",
                    "finish copying the bundle, or run `tollgate bundle seal DIR`")
                : new Problem(
                    manifestFile == null ? BundleLoader.MANIFEST : manifestFile,
                    0,
                    0,
                    "`" + listed + "` is listed in the manifest but missing from the bundle",
                    "finish copying the bundle, or run `tollgate bundle seal DIR`",
                    null));
      }
    }
  }
}
