package dev.tollgate.engine.internal.bundle;

import dev.tollgate.api.store.ObservedResult.Trust;
import dev.tollgate.engine.internal.cel.PolicyEnv;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the catalog says about one tool. A tool missing from the catalog gets {@link #unknown}: kind
 * {@code unknown}, external and untrusted, so that general policies treat it with suspicion rather
 * than as harmless.
 *
 * @param does what the tool does, in the catalog's words ({@code "send money to a recipient"}), or
 *     {@code null}: with its name, how task scope tells whether the user's request asks for it
 * @param facts the entry as policies see it ({@code tool.*}), built once
 */
public record ToolSpec(
    String name,
    boolean known,
    Kind kind,
    boolean external,
    List<String> control,
    List<String> labels,
    Trust trust,
    String description,
    String does,
    Map<String, Object> facts) {

  /**
   * What a tool does. Policies see its lower-case name as {@code tool.kind}; {@code catalog.yaml}
   * names every kind but {@link #UNKNOWN}, which is what a tool missing from the catalog gets.
   */
  public enum Kind {
    READ,
    WRITE,
    SEND,
    DELETE,
    EXECUTE,
    MEMORY,
    UNKNOWN;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    /** The lower-case name policies and the catalog use. */
    public String wireName() {
      return wireName;
    }
  }

  public static ToolSpec of(
      String name,
      boolean known,
      Kind kind,
      boolean external,
      List<String> control,
      List<String> labels,
      Trust trust,
      String description,
      String does) {
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("name", name);
    facts.put("known", known);
    facts.put("kind", kind.wireName());
    facts.put("external", external);
    facts.put("control", List.copyOf(control));
    facts.put("labels", List.copyOf(labels));
    facts.put("trust", trust.wireName());
    return new ToolSpec(
        name,
        known,
        kind,
        external,
        List.copyOf(control),
        List.copyOf(labels),
        trust,
        description,
        does,
        PolicyEnv.celValue(facts));
  }

  public static ToolSpec unknown(String name) {
    return of(name, false, Kind.UNKNOWN, true, List.of(), List.of(), Trust.UNTRUSTED, null, null);
  }

  /** The same entry under another name (for a catalog entry given as a pattern). */
  ToolSpec renamed(String tool) {
    return of(tool, known, kind, external, control, labels, trust, description, does);
  }
}
