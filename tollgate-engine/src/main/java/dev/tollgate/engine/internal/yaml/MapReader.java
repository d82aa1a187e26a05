package dev.tollgate.engine.internal.yaml;

import dev.tollgate.engine.Problem;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads one YAML mapping against a fixed set of keys, collecting problems instead of stopping at
 * the first. Every getter returns {@code null} (and records a problem where it matters) when the
 * key is absent or of the wrong type.
 */
public final class MapReader {
  private final Y.Map map;
  private final String what;
  private final List<Problem> problems;

  /**
   * @param what how messages name the mapping, for example "policy `x`"
   */
  public MapReader(Y.Map map, String what, List<Problem> problems, Set<String> allowed) {
    this.map = map;
    this.what = what;
    this.problems = problems;
    map.keys()
        .forEach(
            (key, node) -> {
              if (!allowed.contains(key)) {
                String near = Names.nearest(key, allowed);
                problems.add(
                    YamlReader.at(
                        node,
                        "unknown key `" + key + "` in " + what,
                        (near != null ? "did you mean `" + near + "`? " : "")
                            + "allowed keys: "
                            + String.join(", ", allowed.stream().sorted().toList())));
              }
            });
  }

  /** Casts a node to a mapping, or records a problem. */
  public static Y.Map asMap(Y node, String what, List<Problem> problems) {
    if (node instanceof Y.Map m) {
      return m;
    }
    if (node != null) {
      problems.add(
          YamlReader.at(
              node,
              what + " must be a mapping, not " + node.kind(),
              "write it as `key: value` lines"));
    }
    return null;
  }

  /** Casts a node to a list, or records a problem. */
  public static Y.Seq asSeq(Y node, String what, List<Problem> problems) {
    if (node instanceof Y.Seq s) {
      return s;
    }
    if (node != null) {
      problems.add(
          YamlReader.at(
              node,
              what + " must be a list, not " + node.kind(),
              "write it as `- item` lines or `[a, b]`"));
    }
    return null;
  }

  public Y.Map map() {
    return map;
  }

  public Y node(String key) {
    return map.get(key);
  }

  public Y.Scalar string(String key, boolean required) {
    Y node = map.get(key);
    if (node == null) {
      if (required) {
        problems.add(
            YamlReader.at(map, "missing key `" + key + "` in " + what, "add `" + key + ": ...`"));
      }
      return null;
    }
    if (node instanceof Y.Scalar s && s.value() instanceof String) {
      return s;
    }
    problems.add(
        YamlReader.at(
            node,
            "`" + key + "` in " + what + " must be a string, not " + node.kind(),
            "quote the value"));
    return null;
  }

  public String text(String key, boolean required) {
    Y.Scalar s = string(key, required);
    return s == null ? null : (String) s.value();
  }

  public Boolean bool(String key) {
    Y node = map.get(key);
    if (node == null) {
      return null;
    }
    if (node instanceof Y.Scalar s && s.value() instanceof Boolean b) {
      return b;
    }
    problems.add(
        YamlReader.at(
            node,
            "`" + key + "` in " + what + " must be true or false, not " + node.kind(),
            "write `" + key + ": true` or `" + key + ": false`"));
    return null;
  }

  /** A list of strings; a single string is accepted as a list of one. */
  public List<String> strings(String key) {
    Y node = map.get(key);
    if (node == null) {
      return null;
    }
    if (node instanceof Y.Scalar s && s.value() instanceof String str) {
      return List.of(str);
    }
    Y.Seq seq = asSeq(node, "`" + key + "` in " + what, problems);
    if (seq == null) {
      return null;
    }
    List<String> out = new ArrayList<>();
    for (Y item : seq.items()) {
      if (item instanceof Y.Scalar s && s.value() instanceof String str) {
        out.add(str);
      } else {
        problems.add(
            YamlReader.at(
                item,
                "items of `" + key + "` in " + what + " must be strings, not " + item.kind(),
                "quote the item"));
      }
    }
    return out;
  }

  public Y.Map mapping(String key) {
    return asMap(map.get(key), "`" + key + "` in " + what, problems);
  }

  public Y.Seq list(String key) {
    return asSeq(map.get(key), "`" + key + "` in " + what, problems);
  }

  public void problem(Y node, String message, String hint) {
    problems.add(YamlReader.at(node, message, hint));
  }
}
