package dev.tollgate.engine.internal.yaml;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * A YAML node that remembers where it came from, so that every later check (schema, CEL types) can
 * report file, line and column.
 */
public sealed interface Y permits Y.Map, Y.Seq, Y.Scalar {

  Source source();

  /** 0-based line of the node's start. */
  int line();

  /** 0-based column of the node's start. */
  int column();

  /** A short noun for messages: "a mapping", "a list", "a string"... */
  String kind();

  /** The node as plain Java JSON values (maps, lists, strings, longs, doubles, booleans, nulls). */
  Object toJava();

  /** A mapping whose keys are strings, in file order. */
  record Map(
      Source source,
      int line,
      int column,
      LinkedHashMap<String, Y> entries,
      LinkedHashMap<String, Scalar> keys)
      implements Y {
    @Override
    public String kind() {
      return "a mapping";
    }

    public Y get(String key) {
      return entries.get(key);
    }

    @Override
    public Object toJava() {
      LinkedHashMap<String, Object> out = new LinkedHashMap<>();
      entries.forEach((k, v) -> out.put(k, v.toJava()));
      return out;
    }
  }

  /** A sequence. */
  record Seq(Source source, int line, int column, List<Y> items) implements Y {
    @Override
    public String kind() {
      return "a list";
    }

    @Override
    public Object toJava() {
      List<Object> out = new ArrayList<>(items.size());
      for (Y item : items) {
        out.add(item.toJava());
      }
      return out;
    }
  }

  /**
   * A scalar with its resolved value and, for block scalars, the source lines it spans so that a
   * column inside the value can be mapped back to the file.
   */
  record Scalar(
      Source source,
      int line,
      int column,
      String text,
      Object value,
      boolean block,
      boolean quoted,
      int endLine)
      implements Y {
    @Override
    public String kind() {
      if (value == null) {
        return "null";
      }
      if (value instanceof String) {
        return "a string";
      }
      if (value instanceof Boolean) {
        return "a boolean";
      }
      return "a number";
    }

    @Override
    public Object toJava() {
      return value;
    }
  }

  /** The text of one file, kept for snippets in error messages. */
  record Source(String file, List<String> lines) {
    public String line(int zeroBased) {
      return zeroBased >= 0 && zeroBased < lines.size() ? lines.get(zeroBased) : null;
    }

    public static Source of(String file, String text) {
      return new Source(file, List.of(text.split("\r?\n", -1)));
    }
  }
}
