package dev.tollgate.engine.internal.flow;

import dev.tollgate.engine.internal.scan.Fold;

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
    private int length;
    private String text;
    private int size;

    private long[] first = new long[0];
    private long[] second = new long[0];

    /**
     * Two scratch arrays of at least {@code n} longs, reused from call to call: {@code which} 0 or
     * 1. Their contents are whatever the last user left.
     */
    long[] scratch(int which, int n) {
      if (which == 0) {
        if (first.length < n) {
          first = new long[Math.max(n, first.length * 2)];
        }
        return first;
      }
      if (second.length < n) {
        second = new long[Math.max(n, second.length * 2)];
      }
      return second;
    }

    /** Whether this holds buffers larger than a thread should keep between decisions. */
    boolean large() {
      return chars.length > KEPT_CHARS;
    }

    /**
     * The text a thread's reused buffers are kept for: larger arguments get buffers of their own.
     */
    private static final int KEPT_CHARS = 1 << 16;

    /** Splits {@code s}, already folded, replacing what this held. */
    Runs of(String s) {
      text = s;
      length = s.length();
      ensure(length);
      s.getChars(0, length, chars, 0);
      return split(null);
    }

    /**
     * Folds {@code raw} as {@link Fold#fold} does and splits it, replacing what this held. Plain
     * ASCII, what nearly all arguments are, is lower-cased in the buffer the tokens are read from:
     * no folded string is made unless {@link #text} asks for it.
     */
    Runs fold(String raw) {
      int n = raw.length();
      ensure(n);
      raw.getChars(0, n, chars, 0);
      text = null;
      length = n;
      return split(raw);
    }

    /** The folded text the tokens are bounds in. */
    String text() {
      if (text == null) {
        text = new String(chars, 0, length);
      }
      return text;
    }

    /**
     * The folded text's characters, valid up to its length and until the next {@link #of} or {@link
     * #fold}: for hashing every token without reading a string one {@code charAt} at a time.
     */
    char[] chars() {
      return chars;
    }

    private void ensure(int n) {
      if (chars.length < n) {
        chars = new char[Math.max(n, chars.length * 2)];
      }
    }

    /**
     * Finds the tokens of {@code chars[0, length)}. With {@code raw} (the text the chars were
     * copied from) it also folds plain ASCII as it goes, lower-casing each letter of a token in
     * place; at the first character outside ASCII it starts again on {@code Fold.fold(raw)}.
     */
    private Runs split(String raw) {
      boolean folding = raw != null;
      size = 0;
      int n = length;
      // prose has a token every six or seven characters: grow once, not by doubling from 32
      if (bounds.length < 3 * (n / 6 + 1)) {
        bounds = new int[3 * (n / 6 + 1)];
      }
      // an array, not charAt: this runs over every character of every argument at decide time
      char[] cs = chars;
      int i = 0;
      while (i < n) {
        int k;
        while (i < n && ((k = kind(cs[i], folding)) & ALNUM) == 0) {
          if (k == NON_ASCII) {
            return of(Fold.fold(raw));
          }
          i++;
        }
        if (i >= n) {
          return this;
        }
        int start = i;
        int seen = 0;
        boolean joined = false;
        boolean marked = false;
        while (i < n) {
          char c = cs[i];
          k = kind(c, folding);
          if ((k & ALNUM) != 0) {
            // upper-case ASCII letters carry UPPER (0x8): shifted, the bit that lower-cases them
            cs[i] = (char) (c | ((k & UPPER) << 2));
            seen |= k;
            i++;
          } else if (k == 0) {
            break;
          } else if (k == NON_ASCII) {
            return of(Fold.fold(raw));
          } else if (c == ':'
              && i + 3 < n
              && cs[i + 1] == '/'
              && cs[i + 2] == '/'
              && alnum(cs[i + 3])) {
            marked = true;
            joined = true;
            i += 3;
          } else if (c == ','
              ? i > 0 && isDigit(cs[i - 1]) && i + 1 < n && isDigit(cs[i + 1])
              : i + 1 < n && alnum(cs[i + 1])) {
            marked |= c == '@';
            joined = true;
            i++;
          } else {
            break;
          }
        }
        boolean digit = (seen & DIGIT) != 0;
        boolean allDigits = !joined && (seen & LETTER) == 0;
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

  private static final int LETTER = 1;
  private static final int DIGIT = 2;
  private static final int ALNUM = LETTER | DIGIT;

  /** Punctuation that may join letters and digits: {@link #joins}, and the comma of amounts. */
  private static final int JOIN = 4;

  /** An upper-case ASCII letter; the value is the case bit of ASCII shifted right by two. */
  private static final int UPPER = 8;

  /** A character outside ASCII met while folding: only {@link Fold#fold} folds those. */
  private static final int NON_ASCII = 16;

  /** {@link #kind} of the ASCII characters: one load instead of a chain of comparisons. */
  private static final byte[] ASCII_KINDS = new byte[0x80];

  static {
    for (char c = 0; c < 0x80; c++) {
      int k = 0;
      if (c >= '0' && c <= '9') {
        k = DIGIT;
      } else if (c >= 'a' && c <= 'z') {
        k = LETTER;
      } else if (c >= 'A' && c <= 'Z') {
        k = LETTER | UPPER;
      } else if (joins(c) || c == ',') {
        k = JOIN;
      }
      ASCII_KINDS[c] = (byte) k;
    }
  }

  /**
   * What {@code c} is to a token: {@link #LETTER} (with {@link #UPPER}), {@link #DIGIT}, {@link
   * #JOIN}, or 0; while {@code folding}, {@link #NON_ASCII} for anything outside ASCII.
   */
  private static int kind(char c, boolean folding) {
    if (c < 0x80) {
      return ASCII_KINDS[c];
    }
    if (folding) {
      return NON_ASCII;
    }
    return Character.isLetterOrDigit(c) ? LETTER : 0;
  }

  /** {@link Character#isLetterOrDigit}, answered from a table for ASCII. */
  static boolean alnum(char c) {
    return (kind(c, false) & ALNUM) != 0;
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
