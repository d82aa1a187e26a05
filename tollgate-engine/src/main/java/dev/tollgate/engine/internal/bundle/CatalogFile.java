package dev.tollgate.engine.internal.bundle;

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
      Set.of("kind", "external", "control", "results", "description");
  private static final Set<String> RESULT_KEYS = Set.of("labels", "trust");

  private CatalogFile() {}

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
              String kind = kindNode == null ? "unknown" : (String) kindNode.value();
              if (kindNode != null && !ToolSpec.KINDS.contains(kind)) {
                String near = Names.nearest(kind, ToolSpec.KINDS);
                t.problem(
                    kindNode,
                    "unknown kind `" + kind + "` for " + label,
                    (near != null ? "did you mean `" + near + "`? " : "")
                        + "use one of "
                        + String.join(", ", ToolSpec.KINDS.stream().sorted().toList()));
              }
              Boolean external = t.bool("external");
              List<String> control = t.strings("control");
              List<String> labels = List.of();
              String trust = "trusted";
              Y.Map results = t.mapping("results");
              if (results != null) {
                MapReader res =
                    new MapReader(results, "`results` of " + label, problems, RESULT_KEYS);
                List<String> l = res.strings("labels");
                labels = l == null ? List.of() : l;
                Y.Scalar trustNode = res.string("trust", false);
                if (trustNode != null) {
                  trust = (String) trustNode.value();
                  if (!ToolSpec.TRUST.contains(trust)) {
                    res.problem(
                        trustNode,
                        "unknown trust `" + trust + "` for " + label,
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
                      t.text("description", false));
              if (Glob.isWildcard(name)) {
                patterns.add(new AbstractMap.SimpleImmutableEntry<>(Glob.of(name), spec));
              } else {
                exact.put(name, spec);
              }
            });
    return new Catalog(exact, patterns);
  }
}
