package dev.tollgate.engine.internal.scan;

import java.text.Normalizer;
import java.util.Arrays;
import java.util.Locale;

/**
 * The form in which text is compared: zero-width and other invisible characters removed,
 * compatibility forms and look-alike letters folded to ASCII, lower case. Two texts a person reads
 * as the same fold to the same string.
 *
 * <p>Folding works one code point at a time (compatibility decomposition, combining marks dropped,
 * then a table of Cyrillic, Greek and punctuation look-alikes), so that every character of the
 * folded text can be traced back to the character of the original it came from: {@link #view} keeps
 * that index map, and the scanner reports spans in the original string.
 */
public final class Fold {
  private static final String[] CACHE = new String[0x10000];

  /**
   * Look-alikes that compatibility decomposition leaves alone, as pairs of (look-alike, ASCII).
   * Cyrillic and Greek letters drawn like Latin ones, and the dashes and quotes people paste.
   */
  private static final String CONFUSABLES =
      "аaеeоoрpсcуyхxіiјjѕsԁdӏlһhԛqԝwвbкkмmнhтtьb"
          + "АAВBЕEКKМMНHОOРPСCТTХXУYІIЈJЅSԜW"
          + "αaβbεeιiκkνvοoρpτtυuχxγyΑAΒBΕEΖZΗHΙIΚKΜMΝNΟOΡPΤTΥYΧX"
          + "‐-‑-‒-–-—-―-−-‘'’'‚'“\"”\"„\"′'″\"⁄/∕/";

  private static final char[] CONFUSABLE_TO = new char[0x10000];

  static {
    for (int i = 0; i < CONFUSABLES.length(); i += 2) {
      CONFUSABLE_TO[CONFUSABLES.charAt(i)] = CONFUSABLES.charAt(i + 1);
    }
  }

  private Fold() {}

  /** The folded form of {@code text}: invisible characters gone, look-alikes ASCII, lower case. */
  public static String fold(CharSequence text) {
    String s = text.toString();
    // Plain ASCII folds to its lower case, which is the string itself when it has no capital.
    if (firstNonAscii(s) == s.length()) {
      return s.toLowerCase(Locale.ROOT);
    }
    return view(s).text().toLowerCase(Locale.ROOT);
  }

  /**
   * A value as values are compared whatever their punctuation: folded, letters and digits only
   * ({@code INV-4471} and {@code inv 4471} are {@code inv4471}).
   */
  public static String compact(String value) {
    String folded = fold(value);
    StringBuilder out = new StringBuilder(folded.length());
    for (int i = 0; i < folded.length(); i++) {
      char c = folded.charAt(i);
      if (Character.isLetterOrDigit(c)) {
        out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * Whether {@code c} is invisible: zero-width characters, soft hyphen, word joiners, byte-order
   * mark, bidirectional controls (the code point check for tag characters is in {@link
   * #isInvisible(int)}).
   */
  static boolean isInvisible(int c) {
    return (c >= 0x200B && c <= 0x200F)
        || (c >= 0x2060 && c <= 0x2064)
        || c == 0xFEFF
        || c == 0x00AD
        || c == 0x180E
        || (c >= 0x202A && c <= 0x202E)
        || (c >= 0x2066 && c <= 0x2069)
        || (c >= 0xE0000 && c <= 0xE007F);
  }

  /**
   * The text with invisible characters removed and look-alikes folded, case kept (secrets and
   * base64 are case-sensitive); {@code toOriginal[i]} is the index in {@code original} of the code
   * point that produced character {@code i}, and {@code toOriginal[length]} is the original length
   * (the array may be longer than that). The map is {@code null} when it would be the identity
   * (plain ASCII, for which the view is the original, or text whose every character folds to one).
   * {@code invisible} says whether any invisible character was removed.
   */
  record View(String text, int[] toOriginal, boolean invisible, char[] chars) {
    int original(int index) {
      return toOriginal == null ? index : toOriginal[index];
    }
  }

  /** The index of the first character of {@code s} outside ASCII, or its length. */
  private static int firstNonAscii(String s) {
    // No copy to an array: this runs on every map key, most of them short.
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return i;
      }
    }
    return s.length();
  }

  static View view(String original) {
    return view(original, null);
  }

  /**
   * The view of {@code original}. With a {@code scratch} buffer of at least its length, {@link
   * View#chars} also holds the view's characters (in {@code scratch} itself when the text is plain
   * ASCII, else in a new array), for a scanner that reads arrays faster than strings.
   */
  static View view(String original, char[] scratch) {
    int n = original.length();
    int i;
    if (scratch != null) {
      original.getChars(0, n, scratch, 0);
      i = firstNonAscii(scratch, n);
    } else {
      i = firstNonAscii(original);
    }
    if (i == n) {
      return new View(original, null, false, scratch);
    }
    if (scratch != null) {
      // Fold in place while every character folds to exactly one char, the common case of
      // accented and look-alike letters: the view then has the original's length and no map.
      while (i < n) {
        char c = scratch[i];
        if (c < 0x80) {
          i++;
          continue;
        }
        if (Character.isSurrogate(c) || isInvisible(c)) {
          break;
        }
        String folded = foldBmp(c);
        if (folded.length() != 1) {
          break;
        }
        scratch[i++] = folded.charAt(0);
      }
      if (i == n) {
        return new View(new String(scratch, 0, n), null, false, scratch);
      }
    }
    // From here on, the general case. ASCII characters yield one char each and others at most two
    // (see compute): checking the capacity for the rest of the string at each non-ASCII character
    // is enough. The index map is made at the first character that does not fold to exactly one
    // char: until then it would be the identity.
    char[] out = new char[n + 16];
    int[] map = null;
    if (scratch != null) {
      System.arraycopy(scratch, 0, out, 0, i);
    } else {
      original.getChars(0, i, out, 0);
    }
    int j = i;
    boolean invisible = false;
    while (i < n) {
      char c = original.charAt(i);
      if (c < 0x80) {
        if (map != null) {
          map[j] = i;
        }
        out[j++] = c;
        i++;
        continue;
      }
      int cp = original.codePointAt(i);
      int width = Character.charCount(cp);
      String folded;
      if (isInvisible(cp)) {
        invisible = true;
        folded = "";
      } else {
        folded = cp < 0x10000 ? foldBmp((char) cp) : compute(cp);
      }
      if (map == null && folded.length() != width) {
        map = new int[out.length + 1];
        for (int k = 0; k < j; k++) {
          map[k] = k;
        }
      }
      if (j + folded.length() + (n - i) + 1 > out.length) {
        int size = Math.max(out.length * 3 / 2, j + folded.length() + (n - i) + 16);
        out = Arrays.copyOf(out, size);
        if (map != null) {
          map = Arrays.copyOf(map, size + 1);
        }
      }
      for (int k = 0; k < folded.length(); k++) {
        if (map != null) {
          map[j] = i;
        }
        out[j++] = folded.charAt(k);
      }
      i += width;
    }
    if (map != null) {
      map[j] = n;
    }
    return new View(new String(out, 0, j), map, invisible, scratch == null ? null : out);
  }

  /** The index of the first char of {@code chars[0, n)} outside ASCII, or {@code n}. */
  private static int firstNonAscii(char[] chars, int n) {
    int any = 0;
    for (int k = 0; k < n; k++) {
      any |= chars[k];
    }
    if (any < 0x80) {
      return n;
    }
    int k = 0;
    while (chars[k] < 0x80) {
      k++;
    }
    return k;
  }

  private static String foldBmp(char c) {
    String cached = CACHE[c];
    if (cached == null) {
      cached = compute(c);
      CACHE[c] = cached;
    }
    return cached;
  }

  /**
   * One code point's fold, such that folding is idempotent: what {@link #computeOnce} gives, unless
   * its lower-case form would fold further (a capital whose small letter is in the look-alike
   * table, like Cyrillic {@code Ь}); then the fold of that lower-case form, until nothing changes.
   */
  private static String compute(int cp) {
    String r = computeOnce(cp);
    for (int round = 0; round < 4; round++) {
      String lower = r.toLowerCase(Locale.ROOT);
      StringBuilder again = new StringBuilder(lower.length());
      for (int k = 0; k < lower.length(); ) {
        int c = lower.codePointAt(k);
        k += Character.charCount(c);
        again.append(c < 0x80 ? Character.toString(c) : isInvisible(c) ? "" : computeOnce(c));
      }
      String next = again.length() <= 2 ? again.toString() : again.substring(0, 2);
      if (next.equals(lower)) {
        return r;
      }
      r = next;
    }
    return r;
  }

  /**
   * One code point's fold, one step: a look-alike from the table, else its compatibility
   * decomposition without combining marks (so {@code é} and {@code e}+U+0301 fold alike) and, when
   * nothing is left, the empty string.
   */
  private static String computeOnce(int cp) {
    if (cp < 0x10000 && CONFUSABLE_TO[cp] != 0) {
      return String.valueOf(CONFUSABLE_TO[cp]);
    }
    String decomposed = Normalizer.normalize(Character.toString(cp), Normalizer.Form.NFKD);
    StringBuilder kept = new StringBuilder(decomposed.length());
    for (int k = 0; k < decomposed.length(); ) {
      int d = decomposed.codePointAt(k);
      k += Character.charCount(d);
      int type = Character.getType(d);
      if (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK) {
        continue;
      }
      if (d < 0x10000 && CONFUSABLE_TO[d] != 0) {
        kept.append(CONFUSABLE_TO[d]);
      } else if (Character.isSpaceChar(d)) {
        kept.append(' ');
      } else {
        kept.appendCodePoint(d);
      }
    }
    // Decompositions longer than 2 chars (ligatures, fractions, squared words) are kept whole
    // only when short; the index map allows 2 chars per original char.
    return kept.length() <= 2 ? kept.toString() : kept.substring(0, 2);
  }
}
