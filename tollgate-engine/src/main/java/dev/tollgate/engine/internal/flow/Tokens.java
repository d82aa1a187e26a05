package dev.tollgate.engine.internal.flow;

/**
 * Splits folded text into tokens as a person would copy them: runs of letters and digits, joined
 * across the punctuation inside addresses, ids, URLs, paths and amounts ({@code ap@globex.example},
 * {@code inv-4471}, {@code https://x.example/a?b=1}, {@code 12,400.00}).
 */
final class Tokens {
  private Tokens() {}

  /** Receives the bounds of each token. */
  @FunctionalInterface
  interface Sink {
    void token(String text, int from, int to);
  }

  static void split(String s, Sink sink) {
    int n = s.length();
    int i = 0;
    while (i < n) {
      while (i < n && !Character.isLetterOrDigit(s.charAt(i))) {
        i++;
      }
      if (i >= n) {
        return;
      }
      int start = i;
      while (i < n) {
        char c = s.charAt(i);
        if (Character.isLetterOrDigit(c)) {
          i++;
        } else if (c == ':' && s.startsWith("://", i) && alnumAt(s, i + 3)) {
          i += 3;
        } else if (c == ','
            ? digitAt(s, i - 1) && digitAt(s, i + 1)
            : joins(c) && alnumAt(s, i + 1)) {
          i++;
        } else {
          break;
        }
      }
      sink.token(s, start, i);
    }
  }

  private static boolean joins(char c) {
    return switch (c) {
      case '-', '_', '.', '@', '/', ':', '+', '?', '=', '&', '%', '#', '~' -> true;
      default -> false;
    };
  }

  private static boolean alnumAt(String s, int i) {
    return i < s.length() && Character.isLetterOrDigit(s.charAt(i));
  }

  private static boolean digitAt(String s, int i) {
    return i >= 0 && i < s.length() && isDigit(s.charAt(i));
  }

  static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  static boolean hasDigit(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (isDigit(s.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether a token is distinctive enough that finding it again means data flowed: an id or amount
   * with at least four characters and a digit (not a bare year), an address or a URL. Words and
   * short numbers recur by chance.
   */
  static boolean distinctive(String s, int from, int to) {
    int len = to - from;
    boolean digit = false;
    boolean allDigits = true;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c == '@') {
        return len >= 5;
      }
      if (isDigit(c)) {
        digit = true;
      } else {
        allDigits = false;
      }
    }
    if (s.startsWith("://", indexOf(s, ':', from, to))) {
      return true;
    }
    if (!digit || len < 4) {
      return false;
    }
    boolean year = allDigits && len == 4 && (s.startsWith("19", from) || s.startsWith("20", from));
    return !year;
  }

  static int indexOf(String s, char c, int from, int to) {
    for (int i = from; i < to; i++) {
      if (s.charAt(i) == c) {
        return i;
      }
    }
    return -1;
  }
}
