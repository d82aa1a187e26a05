package dev.tollgate.engine.internal.bundle;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tool catalog: exact names first, then patterns in file order. Lookups of names the catalog
 * does not hold are cached (bounded) because the set of tool names an agent uses is small.
 */
public final class Catalog {
  private static final int CACHE_LIMIT = 10_000;

  private final Map<String, ToolSpec> exact;
  private final List<Map.Entry<Glob, ToolSpec>> patterns;
  private final ConcurrentHashMap<String, ToolSpec> resolved = new ConcurrentHashMap<>();

  public Catalog(Map<String, ToolSpec> exact, List<Map.Entry<Glob, ToolSpec>> patterns) {
    this.exact = Map.copyOf(exact);
    this.patterns = List.copyOf(patterns);
  }

  public static Catalog empty() {
    return new Catalog(Map.of(), List.of());
  }

  public int size() {
    return exact.size() + patterns.size();
  }

  /** Every entry: the exact names' and the patterns'. */
  public List<ToolSpec> specs() {
    List<ToolSpec> out = new java.util.ArrayList<>(exact.values());
    for (Map.Entry<Glob, ToolSpec> p : patterns) {
      out.add(p.getValue());
    }
    return out;
  }

  public ToolSpec lookup(String tool) {
    ToolSpec spec = exact.get(tool);
    if (spec != null) {
      return spec;
    }
    spec = resolved.get(tool);
    if (spec != null) {
      return spec;
    }
    spec = ToolSpec.unknown(tool);
    for (Map.Entry<Glob, ToolSpec> p : patterns) {
      if (p.getKey().matches(tool)) {
        spec = p.getValue().renamed(tool);
        break;
      }
    }
    if (resolved.size() < CACHE_LIMIT) {
      resolved.putIfAbsent(tool, spec);
    }
    return spec;
  }
}
