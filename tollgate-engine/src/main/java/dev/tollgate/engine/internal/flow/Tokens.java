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

  /**
   * The bounds of a string's tokens and whether each is {@link #distinctive}, in one growable array
   * (no object per token), found in one pass over the text.
   */
  static final class Runs {
    private int[] bounds = new int[96];
    private char[] chars = new char[256];
    private int size;

    /** Splits {@code s}, replacing what this held. */
    Runs of(String s) {
      size = 0;
      int n = s.length();
      if (chars.length < n) {
        chars = new char[Math.max(n, chars.length * 2)];
      }
      // an array, not charAt: this runs over every character of every argument at decide time
      char[] cs = chars;
      s.getChars(0, n, cs, 0);
      int i = 0;
      while (i < n) {
        while (i < n && !alnum(cs[i])) {
          i++;
        }
        if (i >= n) {
          return this;
        }
        int start = i;
        boolean digit = false;
        boolean allDigits = true;
        boolean marked = false;
        while (i < n) {
          char c = cs[i];
          if (c >= '0' && c <= '9') {
            digit = true;
            i++;
          } else if (alnum(c)) {
            allDigits = false;
            i++;
          } else if (c == ':'
              && i + 3 < n
              && cs[i + 1] == '/'
              && cs[i + 2] == '/'
              && alnum(cs[i + 3])) {
            marked = true;
            allDigits = false;
            i += 3;
          } else if (c == ','
              ? i > 0 && isDigit(cs[i - 1]) && i + 1 < n && isDigit(cs[i + 1])
              : joins(c) && i + 1 < n && alnum(cs[i + 1])) {
            marked |= c == '@';
            allDigits = false;
            i++;
          } else {
            break;
          }
        }
        int len = i - start;
        boolean distinctive;
        if (marked) {
          distinctive = len >= 5;
        } else if (!digit || len < 4) {
          distinctive = false;
        } else {
          distinctive =
              !(allDigits
                  && len == 4
                  && (cs[start] == '1' && cs[start + 1] == '9'
                      || cs[start] == '2' && cs[start + 1] == '0'));
        }
        add(start, i, distinctive);
      }
      return this;
    }

    private void add(int from, int to, boolean distinctive) {
      if (3 * size + 3 > bounds.length) {
        bounds = java.util.Arrays.copyOf(bounds, bounds.length * 2);
      }
      bounds[3 * size] = from;
      bounds[3 * size + 1] = to;
      bounds[3 * size + 2] = distinctive ? 1 : 0;
      size++;
    }

    int size() {
      return size;
    }

    int from(int i) {
      return bounds[3 * i];
    }

    int to(int i) {
      return bounds[3 * i + 1];
    }

    /** Whether token {@code i} is {@link Tokens#distinctive}. */
    boolean distinctive(int i) {
      return bounds[3 * i + 2] != 0;
    }
  }

  static void split(String s, Sink sink) {
    int n = s.length();
    int i = 0;
    while (i < n) {
      while (i < n && !alnum(s.charAt(i))) {
        i++;
      }
      if (i >= n) {
        return;
      }
      int start = i;
      i = end(s, i);
      sink.token(s, start, i);
    }
  }

  /** The end of the token that starts at {@code i}. */
  private static int end(String s, int i) {
    int n = s.length();
    while (i < n) {
      char c = s.charAt(i);
      if (alnum(c)) {
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
    return i;
  }

  /** {@link Character#isLetterOrDigit}, answered without a table lookup for ASCII. */
  static boolean alnum(char c) {
    if (c < 0x80) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
    }
    return Character.isLetterOrDigit(c);
  }

  private static boolean joins(char c) {
    return switch (c) {
      case '-', '_', '.', '@', '/', ':', '+', '?', '=', '&', '%', '#', '~' -> true;
      default -> false;
    };
  }

  private static boolean alnumAt(String s, int i) {
    return i < s.length() && alnum(s.charAt(i));
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
      if (isDigit(c)) {
        digit = true;
      } else {
        allDigits = false;
        if (c == '@') {
          return len >= 5;
        }
        if (c == ':' && i + 2 < to && s.charAt(i + 1) == '/' && s.charAt(i + 2) == '/') {
          return true;
        }
      }
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
