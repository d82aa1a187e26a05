package dev.tollgate.engine.internal.flow;

/**
 * Splits folded text into tokens as a person would copy them: runs of letters and digits, joined
 * across the punctuation inside addresses, ids, URLs, paths and amounts ({@code ap@globex.example},
 * {@code inv-4471}, {@code https://x.example/a?b=1}, {@code 12,400.00}).
 */
final class Tokens {
  private Tokens() {}

  /**
   * The bounds of a string's tokens and whether each is distinctive, in one growable array (no
   * object per token), found in one pass over the text.
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

    /**
     * Whether token {@code i} is distinctive enough that finding it again means data flowed: an id
     * or amount of at least four characters with a digit (not a bare year), an address or a URL.
     * Words and short numbers recur by chance.
     */
    boolean distinctive(int i) {
      return bounds[3 * i + 2] != 0;
    }
  }

  /** {@link Character#isLetterOrDigit}, answered without a table lookup for ASCII. */
  static boolean alnum(char c) {
    if (c < 0x80) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
    }
    return Character.isLetterOrDigit(c);
  }

  /** Punctuation that joins letters and digits into one token (addresses, ids, URLs, paths). */
  static boolean joins(char c) {
    return switch (c) {
      case '-', '_', '.', '@', '/', ':', '+', '?', '=', '&', '%', '#', '~' -> true;
      default -> false;
    };
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

  static int indexOf(String s, char c, int from, int to) {
    for (int i = from; i < to; i++) {
      if (s.charAt(i) == c) {
        return i;
      }
    }
    return -1;
  }
}
