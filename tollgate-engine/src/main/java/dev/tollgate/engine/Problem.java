package dev.tollgate.engine;

/**
 * One thing wrong with an input file, reported like a compiler does: where, what, and how to fix
 * it.
 *
 * @param file the file, relative to the bundle or as given on the command line
 * @param line the 1-based line, or 0 when the problem concerns the whole file
 * @param column the 1-based column, or 0 when unknown
 * @param message what is wrong: lower case, no final period, user input in backticks
 * @param hint how to fix it, or {@code null}
 * @param sourceLine the offending line of the file, or {@code null}
 */
public record Problem(
    String file, int line, int column, String message, String hint, String sourceLine) {

  /** Renders the problem as a compiler would, with the source line and a caret under the column. */
  public String render() {
    StringBuilder out = new StringBuilder("error: ").append(file);
    if (line > 0) {
      out.append(':').append(line);
      if (column > 0) {
        out.append(':').append(column);
      }
    }
    out.append(": ").append(message);
    if (sourceLine != null && line > 0) {
      String number = Integer.toString(line);
      out.append('\n').append(" ".repeat(number.length() + 2)).append("|");
      out.append('\n').append(' ').append(number).append(" | ").append(sourceLine);
      if (column > 0) {
        out.append('\n')
            .append(" ".repeat(number.length() + 2))
            .append("| ")
            .append(caretIndent(sourceLine, column - 1))
            .append('^');
      }
    }
    if (hint != null) {
      out.append('\n').append("  = hint: ").append(hint);
    }
    return out.toString();
  }

  /** Keeps tabs under tabs so the caret lines up in a terminal. */
  private static String caretIndent(String source, int width) {
    StringBuilder indent = new StringBuilder(width);
    for (int i = 0; i < width; i++) {
      indent.append(i < source.length() && source.charAt(i) == '\t' ? '\t' : ' ');
    }
    return indent.toString();
  }

  @Override
  public String toString() {
    return render();
  }
}
