package dev.tollgate.engine.internal.bundle;

import dev.cel.runtime.CelRuntime;
import dev.tollgate.engine.Problem;
import dev.tollgate.engine.internal.cel.PolicyEnv;
import dev.tollgate.engine.internal.yaml.Names;
import dev.tollgate.engine.internal.yaml.Y;
import dev.tollgate.engine.internal.yaml.YamlReader;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A policy's CEL expression compiled, or its compile errors reported as the loader reports every
 * problem: at the file, line and column where the mistake is (mapped back through YAML's plain,
 * quoted and block scalars), with a hint that names the nearest variable or field.
 */
final class CelProblems {
  private CelProblems() {}

  static CelRuntime.Program compile(
      PolicyEnv.Compiled compiled,
      Y.Scalar node,
      String what,
      String type,
      List<Problem> problems) {
    if (compiled instanceof PolicyEnv.Ok ok) {
      return ok.program();
    }
    for (PolicyEnv.Issue issue : ((PolicyEnv.Failed) compiled).issues()) {
      int[] at = locate(node, issue.line(), issue.column());
      String line = node.source().line(at[0]);
      if (issue.message().startsWith("undefined field")
          && line != null
          && at[1] < line.length()
          && line.charAt(at[1]) == '.') {
        at[1]++; // CEL places a selection at its dot; point at the misspelt name instead
      }
      problems.add(
          YamlReader.at(
              node.source(),
              at[0],
              at[1],
              what + ": " + issue.message(),
              hintFor(issue.message(), type, (String) node.value())));
    }
    return null;
  }

  private static String hintFor(String message, String type, String expression) {
    java.util.regex.Matcher field =
        java.util.regex.Pattern.compile("undefined field `([^`]*)`").matcher(message);
    if (field.find()) {
      // the variable the field was selected from, when the text says so, before the others
      List<String> vars = new ArrayList<>(PolicyEnv.VARIABLES.keySet());
      vars.sort(
          Comparator.comparing(
              (String v) ->
                  !java.util.regex.Pattern.compile(
                          "\\b"
                              + v
                              + "\\s*\\.\\s*"
                              + java.util.regex.Pattern.quote(field.group(1))
                              + "\\b")
                      .matcher(expression)
                      .find()));
      for (String var : vars) {
        List<String> fields = PolicyEnv.fieldsOf(var);
        if (!fields.isEmpty()) {
          String near = Names.nearest(field.group(1), fields);
          if (near != null) {
            return "did you mean `"
                + near
                + "`? fields of `"
                + var
                + "`: "
                + String.join(", ", fields);
          }
        }
      }
      return "see docs/policies.md for the fields each variable has";
    }
    java.util.regex.Matcher ref =
        java.util.regex.Pattern.compile("undeclared reference to `([^`]*)`").matcher(message);
    if (ref.find()) {
      String near =
          Names.nearest(
              ref.group(1),
              List.of(
                  "action",
                  "tool",
                  "data",
                  "flow",
                  "provenance",
                  "session",
                  "exists",
                  "all",
                  "exists_one",
                  "map",
                  "filter",
                  "has",
                  "size",
                  "startsWith",
                  "endsWith",
                  "contains",
                  "matches"));
      return (near != null ? "did you mean `" + near + "`? " : "")
          + "variables: "
          + String.join(", ", PolicyEnv.VARIABLES.keySet());
    }
    if (message.contains("expected type")) {
      return "the expression must yield a " + type;
    }
    if (message.contains("no matching overload")) {
      return "check the types of the operands; `action.args` values are dynamic, convert them"
          + " with string(), int() or double() where needed";
    }
    return null;
  }

  /**
   * Maps a position inside an expression back to the file. Plain and quoted scalars sit on their
   * key's line; block scalars ({@code >} and {@code |}) start on the next line, and a folded one is
   * a single CEL line made of its source lines joined by spaces.
   */
  static int[] locate(Y.Scalar s, int celLine, int celColumn) {
    if (!s.block()) {
      String text = s.source().line(s.line());
      if (s.endLine() > s.line() && text != null && celLine == 1) {
        return locateFlowFolded(s, text, celColumn);
      }
      if (s.quoted() && s.endLine() == s.line() && text != null && s.column() < text.length()) {
        return new int[] {s.line(), quotedColumn(text, s.column(), celColumn)};
      }
      return new int[] {s.line(), s.column() + (s.quoted() ? 1 : 0) + celColumn};
    }
    List<int[]> segments = new ArrayList<>();
    int blockIndent = -1;
    for (int l = s.line() + 1; l <= s.endLine(); l++) {
      String text = s.source().line(l);
      if (text == null) {
        break;
      }
      if (text.isBlank()) {
        segments.add(new int[] {l, 0, 0});
        continue;
      }
      int indent = text.length() - text.stripLeading().length();
      if (blockIndent < 0) {
        blockIndent = indent;
      } else if (indent < blockIndent) {
        break;
      }
      segments.add(new int[] {l, blockIndent, text.stripTrailing().length() - blockIndent});
    }
    if (segments.isEmpty()) {
      return new int[] {s.line(), s.column()};
    }
    if (literal(s)) {
      int index = Math.min(celLine - 1, segments.size() - 1);
      int[] seg = segments.get(Math.max(0, index));
      return new int[] {seg[0], seg[1] + Math.min(celColumn, seg[2])};
    }
    // Folding joins two lines with a space; it keeps the line break next to a more-indented
    // line, and a run of blank lines is that many breaks (one more next to a more-indented line).
    List<List<int[]>> celLines = new ArrayList<>();
    List<int[]> current = new ArrayList<>();
    int[] lastBlank = null;
    int blanks = 0;
    boolean previousMore = false;
    for (int[] seg : segments) {
      if (seg[2] == 0) {
        blanks++;
        lastBlank = seg;
        continue;
      }
      String text = s.source().line(seg[0]);
      boolean more = seg[1] < text.length() && Character.isWhitespace(text.charAt(seg[1]));
      if (!current.isEmpty()) {
        int breaks = !previousMore && !more ? blanks : blanks + 1;
        if (breaks > 0) {
          celLines.add(current);
          for (int b = 1; b < breaks; b++) {
            celLines.add(List.of(lastBlank));
          }
          current = new ArrayList<>();
        }
      }
      current.add(seg);
      previousMore = more;
      blanks = 0;
    }
    celLines.add(current);
    List<int[]> line = celLines.get(Math.max(0, Math.min(celLine - 1, celLines.size() - 1)));
    if (line.isEmpty()) {
      return new int[] {s.line(), s.column()};
    }
    if (line.size() == 1 && line.get(0)[2] == 0) {
      return new int[] {line.get(0)[0], 1};
    }
    return offsetInFolded(line, celColumn);
  }

  /** Whether a block scalar is literal ({@code |}) rather than folded ({@code >}). */
  private static boolean literal(Y.Scalar s) {
    String key = s.source().line(s.line());
    if (key != null) {
      for (int i = Math.max(0, s.column()); i < key.length(); i++) {
        char c = key.charAt(i);
        if (c == '|' || c == '>') {
          return c == '|';
        }
      }
    }
    return ((String) s.value()).stripTrailing().contains("\n");
  }

  /**
   * The source position of a character of a folded value, given the value's source segments ({@code
   * {line, column, length}}) that folding joined with single spaces; empty segments are skipped.
   */
  private static int[] offsetInFolded(List<int[]> segments, int offset) {
    int remaining = offset;
    for (int[] seg : segments) {
      if (seg[2] == 0) {
        continue;
      }
      if (remaining <= seg[2]) {
        return new int[] {seg[0], seg[1] + remaining};
      }
      remaining -= seg[2] + 1;
    }
    int[] last = segments.get(segments.size() - 1);
    return new int[] {last[0], last[1] + last[2]};
  }

  /**
   * A plain or quoted scalar over several lines is folded into one line: its source lines, without
   * their indentation, joined by single spaces.
   */
  private static int[] locateFlowFolded(Y.Scalar s, String first, int celColumn) {
    int start = Math.min(s.column() + (s.quoted() ? 1 : 0), first.length());
    List<int[]> segments = new ArrayList<>();
    segments.add(new int[] {s.line(), start, first.stripTrailing().length() - start});
    for (int l = s.line() + 1; l <= s.endLine(); l++) {
      String text = s.source().line(l);
      if (text == null) {
        break;
      }
      int indent = text.length() - text.stripLeading().length();
      segments.add(new int[] {l, indent, Math.max(0, text.stripTrailing().length() - indent)});
    }
    return offsetInFolded(segments, celColumn);
  }

  /**
   * The 0-based file column of the value's character at {@code offset} in a one-line quoted scalar
   * starting at {@code quoteColumn}: escapes ({@code \"}, {@code ''}...) take more source
   * characters than value characters.
   */
  static int quotedColumn(String line, int quoteColumn, int offset) {
    char quote = line.charAt(quoteColumn);
    int i = quoteColumn + 1;
    for (int n = 0; n < offset && i < line.length(); n++) {
      char c = line.charAt(i);
      if (quote == '\'' && c == '\'' && i + 1 < line.length() && line.charAt(i + 1) == '\'') {
        i += 2;
      } else if (quote == '"' && c == '\\' && i + 1 < line.length()) {
        i +=
            switch (line.charAt(i + 1)) {
              case 'x' -> 4;
              case 'u' -> 6;
              case 'U' -> 10;
              default -> 2;
            };
      } else {
        i++;
      }
    }
    return i;
  }
}
