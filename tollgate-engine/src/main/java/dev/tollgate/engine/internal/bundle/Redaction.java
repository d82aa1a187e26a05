package dev.tollgate.engine.internal.bundle;

import dev.tollgate.engine.internal.scan.Hit;
import dev.tollgate.engine.internal.scan.Pointer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An allow policy's obligation to redact flagged values before the action runs: {@code mask}
 * replaces each flagged value with its masked excerpt, {@code drop} removes the string that holds
 * it (the map entry or list element). A value found in a map key drops the entry either way.
 *
 * @param labels the labels to redact; empty for every finding
 */
public record Redaction(String mode, List<String> labels) {
  public static final List<String> MODES = List.of("mask", "drop");

  public Redaction {
    labels = List.copyOf(labels);
  }

  /** The strictest of several: drop over mask; labels united (empty, meaning all, wins). */
  public static Redaction merge(List<Redaction> all) {
    String mode = all.stream().anyMatch(r -> r.mode.equals("drop")) ? "drop" : "mask";
    boolean every = all.stream().anyMatch(r -> r.labels.isEmpty());
    List<String> labels =
        every ? List.of() : all.stream().flatMap(r -> r.labels.stream()).distinct().toList();
    return new Redaction(mode, labels);
  }

  /** The arguments with the flagged values redacted, or {@code null} when nothing is flagged. */
  public Map<String, Object> apply(Map<String, Object> args, List<Hit> hits) {
    Map<String, List<Hit>> byPath = new HashMap<>();
    for (Hit h : hits) {
      if (labels.isEmpty() || labels.contains(h.label())) {
        byPath.computeIfAbsent(h.path(), p -> new ArrayList<>()).add(h);
      }
    }
    if (byPath.isEmpty()) {
      return null;
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> out = (Map<String, Object>) rewrite(args, "/args", byPath);
    return out == null ? Map.of() : out;
  }

  private static final Object DROPPED = new Object();

  private Object rewrite(Object value, String path, Map<String, List<Hit>> byPath) {
    if (value instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        String key = String.valueOf(e.getKey());
        String child = path + "/" + Pointer.segment(key);
        List<Hit> here = byPath.get(child);
        if (here != null && here.stream().anyMatch(Hit::key)) {
          continue;
        }
        Object v = rewrite(e.getValue(), child, byPath);
        if (v != DROPPED) {
          out.put(key, v);
        }
      }
      return out;
    }
    if (value instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      for (int i = 0; i < l.size(); i++) {
        Object v = rewrite(l.get(i), path + "/" + i, byPath);
        if (v != DROPPED) {
          out.add(v);
        }
      }
      return out;
    }
    List<Hit> here = byPath.get(path);
    if (here == null || !(value instanceof String s)) {
      return value;
    }
    List<Hit> spans = here.stream().filter(h -> !h.key()).toList();
    if (spans.isEmpty()) {
      return value;
    }
    if (mode.equals("drop")) {
      return DROPPED;
    }
    return mask(s, spans);
  }

  /** Replaces each span with its excerpt; overlapping spans are merged under the first. */
  static String mask(String s, List<Hit> spans) {
    List<Hit> sorted = new ArrayList<>(spans);
    sorted.sort(Comparator.comparingInt(Hit::start));
    StringBuilder out = new StringBuilder(s.length());
    int at = 0;
    for (Hit h : sorted) {
      int start = Math.max(at, Math.min(h.start(), s.length()));
      int end = Math.min(Math.max(h.end(), start), s.length());
      if (end <= at) {
        continue;
      }
      out.append(s, at, start).append(h.excerpt());
      at = end;
    }
    return out.append(s, at, s.length()).toString();
  }
}
