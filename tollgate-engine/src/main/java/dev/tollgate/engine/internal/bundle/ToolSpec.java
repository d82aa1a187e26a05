package dev.tollgate.engine.internal.bundle;

import dev.tollgate.engine.internal.cel.PolicyEnv;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the catalog says about one tool. A tool missing from the catalog gets {@link #unknown}: kind
 * {@code unknown}, external and untrusted, so that general policies treat it with suspicion rather
 * than as harmless.
 *
 * @param facts the entry as policies see it ({@code tool.*}), built once
 */
public record ToolSpec(
    String name,
    boolean known,
    String kind,
    boolean external,
    List<String> control,
    List<String> labels,
    String trust,
    String description,
    Map<String, Object> facts) {

  static final Set<String> KINDS = Set.of("read", "write", "send", "delete", "execute", "memory");
  static final Set<String> TRUST = Set.of("trusted", "untrusted");

  public static ToolSpec of(
      String name,
      boolean known,
      String kind,
      boolean external,
      List<String> control,
      List<String> labels,
      String trust,
      String description) {
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("name", name);
    facts.put("known", known);
    facts.put("kind", kind);
    facts.put("external", external);
    facts.put("control", List.copyOf(control));
    facts.put("labels", List.copyOf(labels));
    facts.put("trust", trust);
    return new ToolSpec(
        name,
        known,
        kind,
        external,
        List.copyOf(control),
        List.copyOf(labels),
        trust,
        description,
        PolicyEnv.celValue(facts));
  }

  public static ToolSpec unknown(String name) {
    return of(name, false, "unknown", true, List.of(), List.of(), "untrusted", null);
  }

  /** The same entry under another name (for a catalog entry given as a pattern). */
  ToolSpec renamed(String tool) {
    return of(tool, known, kind, external, control, labels, trust, description);
  }
}
