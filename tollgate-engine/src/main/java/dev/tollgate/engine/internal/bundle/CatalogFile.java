package dev.tollgate.engine.internal.bundle;

import dev.tollgate.api.store.ObservedResult.Trust;
import dev.tollgate.engine.Problem;
import dev.tollgate.engine.internal.yaml.MapReader;
import dev.tollgate.engine.internal.yaml.Names;
import dev.tollgate.engine.internal.yaml.Y;
import dev.tollgate.engine.internal.yaml.YamlReader;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@code catalog.yaml}, what the bundle says about each tool (kind, external, control
 * arguments, what its results carry), into a {@link Catalog}; problems go to the loader's list.
 */
final class CatalogFile {
  private static final Set<String> CATALOG_KEYS = Set.of("tools");
  private static final Set<String> TOOL_KEYS =
      Set.of("kind", "external", "control", "results", "description", "does");
  private static final Set<String> RESULT_KEYS = Set.of("labels", "trust");

  /** The kinds a catalog entry may name, by name. */
  private static final Map<String, ToolSpec.Kind> KINDS = kinds();

  private CatalogFile() {}

  private static Map<String, ToolSpec.Kind> kinds() {
    Map<String, ToolSpec.Kind> m = new LinkedHashMap<>();
    for (ToolSpec.Kind k : ToolSpec.Kind.values()) {
      if (k != ToolSpec.Kind.UNKNOWN) {
        m.put(k.wireName(), k);
      }
    }
    return Map.copyOf(m);
  }

  static Catalog read(Y root, List<Problem> problems) {
    if (root == null) {
      return Catalog.empty();
    }
    Y.Map top = MapReader.asMap(root, "the catalog", problems);
    if (top == null) {
      return Catalog.empty();
    }
    MapReader r = new MapReader(top, "the catalog", problems, CATALOG_KEYS);
    Y.Map tools = r.mapping("tools");
    if (tools == null) {
      if (top.get("tools") == null) {
        problems.add(
            YamlReader.at(
                top,
                "missing key `tools` in the catalog",
                "list the tools under `tools:`, one `name: {kind: ...}` entry each"));
      }
      return Catalog.empty();
    }
    Map<String, ToolSpec> exact = new LinkedHashMap<>();
    List<Map.Entry<Glob, ToolSpec>> patterns = new ArrayList<>();
    tools
        .entries()
        .forEach(
            (name, node) -> {
              String label = "tool `" + name + "`";
              Y.Map entry = MapReader.asMap(node, label, problems);
              if (entry == null) {
                return;
              }
              MapReader t = new MapReader(entry, label, problems, TOOL_KEYS);
              Y.Scalar kindNode = t.string("kind", true);
              ToolSpec.Kind kind = ToolSpec.Kind.UNKNOWN;
              if (kindNode != null) {
                String text = (String) kindNode.value();
                kind = KINDS.getOrDefault(text, ToolSpec.Kind.UNKNOWN);
                if (kind == ToolSpec.Kind.UNKNOWN) {
                  String near = Names.nearest(text, KINDS.keySet());
                  t.problem(
                      kindNode,
                      "unknown kind `" + text + "` for " + label,
                      (near != null ? "did you mean `" + near + "`? " : "")
                          + "use one of "
                          + String.join(", ", KINDS.keySet().stream().sorted().toList()));
                }
              }
              Boolean external = t.bool("external");
              List<String> control = t.strings("control");
              List<String> labels = List.of();
              Trust trust = Trust.TRUSTED;
              Y.Map results = t.mapping("results");
              if (results != null) {
                MapReader res =
                    new MapReader(results, "`results` of " + label, problems, RESULT_KEYS);
                List<String> l = res.strings("labels");
                labels = l == null ? List.of() : l;
                Y.Scalar trustNode = res.string("trust", false);
                if (trustNode != null) {
                  String text = (String) trustNode.value();
                  if (text.equals(Trust.TRUSTED.wireName())) {
                    trust = Trust.TRUSTED;
                  } else if (text.equals(Trust.UNTRUSTED.wireName())) {
                    trust = Trust.UNTRUSTED;
                  } else {
                    res.problem(
                        trustNode,
                        "unknown trust `" + text + "` for " + label,
                        "use `trusted` (the company's own systems) or `untrusted` (web pages, inbound"
                            + " mail, documents)");
                  }
                }
              }
              ToolSpec spec =
                  ToolSpec.of(
                      name,
                      true,
                      kind,
                      external != null && external,
                      control == null ? List.of() : control,
                      labels,
                      trust,
                      t.text("description", false),
                      t.text("does", false));
              if (Glob.isWildcard(name)) {
                patterns.add(new AbstractMap.SimpleImmutableEntry<>(Glob.of(name), spec));
              } else {
                exact.put(name, spec);
              }
            });
    return new Catalog(exact, patterns);
  }
}
