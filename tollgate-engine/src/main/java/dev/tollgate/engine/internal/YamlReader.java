package dev.tollgate.engine.internal;

import dev.tollgate.engine.Problem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads YAML into {@link Y} nodes with their positions. Duplicate keys, non-string keys, anchors
 * deeper than a small bound and nesting deeper than 64 are problems, not surprises.
 */
public final class YamlReader {
  private static final int MAX_DEPTH = 64;

  private YamlReader() {}

  /**
   * Parses one document. Returns {@code null} and adds problems when the text is not usable YAML;
   * an empty document is returned as {@code null} without a problem.
   */
  public static Y read(String file, String text, List<Problem> problems) {
    Y.Source source = Y.Source.of(file, text);
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(true); // checked below, with a better message
    options.setMaxAliasesForCollections(20);
    // Above our own limit, so that convert() reports too deep nesting with its position;
    // SnakeYAML's own error carries no position.
    options.setNestingDepthLimit(4 * MAX_DEPTH);
    options.setCodePointLimit(8 * 1024 * 1024);
    options.setProcessComments(false);
    Node root;
    try {
      root = new Yaml(options).compose(new java.io.StringReader(text));
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      if (e.getContextMark() != null
          && (mark == null
              || source.line(mark.getLine()) == null
              || source.line(mark.getLine()).isBlank())) {
        // the problem is at the end of the text: point where the unfinished construct starts
        mark = e.getContextMark();
      }
      String what = e.getProblem() != null ? e.getProblem() : e.getMessage();
      if (e.getContext() != null) {
        what = e.getContext() + ": " + what;
      }
      problems.add(
          at(
              source,
              mark == null ? -1 : mark.getLine(),
              mark == null ? -1 : mark.getColumn(),
              "invalid YAML: " + what.replace('\'', '`'),
              "check the indentation and quoting around this line"));
      return null;
    } catch (RuntimeException e) {
      problems.add(
          at(
              source,
              -1,
              -1,
              "invalid YAML: " + e.getMessage(),
              "check that the file is YAML text in UTF-8"));
      return null;
    }
    if (root == null) {
      return null;
    }
    return convert(source, root, problems, 0);
  }

  private static Y convert(Y.Source source, Node node, List<Problem> problems, int depth) {
    int line = node.getStartMark().getLine();
    int column = node.getStartMark().getColumn();
    if (depth > MAX_DEPTH) {
      problems.add(
          at(
              source,
              line,
              column,
              "nesting deeper than " + MAX_DEPTH + " levels",
              "flatten the structure"));
      return new Y.Scalar(source, line, column, "", null, false, false, line);
    }
    if (node instanceof MappingNode mapping) {
      LinkedHashMap<String, Y> entries = new LinkedHashMap<>();
      LinkedHashMap<String, Y.Scalar> keys = new LinkedHashMap<>();
      for (NodeTuple tuple : mapping.getValue()) {
        Node keyNode = tuple.getKeyNode();
        if (!(keyNode instanceof ScalarNode scalarKey) || keyNode.getTag().equals(Tag.MERGE)) {
          problems.add(
              at(
                  source,
                  keyNode.getStartMark().getLine(),
                  keyNode.getStartMark().getColumn(),
                  "keys must be plain strings",
                  "write the key as a simple word"));
          continue;
        }
        String key = scalarKey.getValue();
        Y.Scalar keyY = (Y.Scalar) convert(source, keyNode, problems, depth + 1);
        if (entries.containsKey(key)) {
          Y.Scalar first = keys.get(key);
          problems.add(
              at(
                  source,
                  keyY.line(),
                  keyY.column(),
                  "duplicate key `" + key + "`",
                  "it is already set on line " + (first.line() + 1) + "; keep one of them"));
          continue;
        }
        keys.put(key, keyY);
        entries.put(key, convert(source, tuple.getValueNode(), problems, depth + 1));
      }
      return new Y.Map(source, line, column, entries, keys);
    }
    if (node instanceof SequenceNode sequence) {
      List<Y> items = new ArrayList<>(sequence.getValue().size());
      for (Node item : sequence.getValue()) {
        items.add(convert(source, item, problems, depth + 1));
      }
      return new Y.Seq(source, line, column, items);
    }
    ScalarNode scalar = (ScalarNode) node;
    DumperOptions.ScalarStyle style = scalar.getScalarStyle();
    boolean block =
        style == DumperOptions.ScalarStyle.FOLDED || style == DumperOptions.ScalarStyle.LITERAL;
    boolean quoted =
        style == DumperOptions.ScalarStyle.SINGLE_QUOTED
            || style == DumperOptions.ScalarStyle.DOUBLE_QUOTED;
    return new Y.Scalar(
        source,
        line,
        column,
        scalar.getValue(),
        resolve(scalar),
        block,
        quoted,
        scalar.getEndMark().getLine());
  }

  private static Object resolve(ScalarNode scalar) {
    Tag tag = scalar.getTag();
    String text = scalar.getValue();
    try {
      if (tag.equals(Tag.NULL)) {
        return null;
      }
      if (tag.equals(Tag.BOOL)) {
        String lower = text.toLowerCase(java.util.Locale.ROOT);
        return lower.equals("true")
            || lower.equals("yes")
            || lower.equals("on")
            || lower.equals("y");
      }
      if (tag.equals(Tag.INT)) {
        String digits = text.replace("_", "");
        if (digits.startsWith("0x")) {
          return Long.parseLong(digits.substring(2), 16);
        }
        return Long.parseLong(digits);
      }
      if (tag.equals(Tag.FLOAT)) {
        return Double.parseDouble(text.replace("_", ""));
      }
    } catch (NumberFormatException e) {
      return text;
    }
    return text;
  }

  /** A problem at a 0-based position of a source (negative line: the whole file). */
  public static Problem at(Y.Source source, int line, int column, String message, String hint) {
    if (line < 0) {
      return new Problem(source.file(), 0, 0, message, hint, null);
    }
    return new Problem(source.file(), line + 1, column + 1, message, hint, source.line(line));
  }

  /** A problem at a node. */
  public static Problem at(Y node, String message, String hint) {
    return at(node.source(), node.line(), node.column(), message, hint);
  }
}
