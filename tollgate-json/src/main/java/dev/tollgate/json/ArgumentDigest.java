package dev.tollgate.json;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * SHA-256 of an action's arguments as canonical JSON, written straight into the digest: the bytes
 * Jackson's canonical writer produces for the same value (keys sorted at every level, compact,
 * UTF-8, Jackson's escapes), at a fraction of its cost. Grants and approvals are bound to this
 * digest and stored, so it must not change: {@link #of} gives up, and {@link ApiJson#digest} falls
 * back to Jackson, on anything whose bytes it does not produce exactly the same way (numbers other
 * than integers, strings with surrogates, maps with keys that are not strings, custom orders).
 */
final class ArgumentDigest {
  private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

  /**
   * Jackson's short escapes for control characters, by character; 0 for the {@code \\u00XX} form.
   */
  private static final byte[] SHORT_ESCAPE = new byte[0x20];

  static {
    SHORT_ESCAPE['\b'] = 'b';
    SHORT_ESCAPE['\t'] = 't';
    SHORT_ESCAPE['\n'] = 'n';
    SHORT_ESCAPE['\f'] = 'f';
    SHORT_ESCAPE['\r'] = 'r';
  }

  private final MessageDigest sha;
  private final byte[] out = new byte[4096];
  private int at;

  private ArgumentDigest() throws NoSuchAlgorithmException {
    this.sha = MessageDigest.getInstance("SHA-256");
  }

  /** The digest of {@code args}, or {@code null} when it holds what this does not write. */
  static byte[] of(Map<String, Object> args) throws NoSuchAlgorithmException {
    ArgumentDigest d = new ArgumentDigest();
    if (!d.value(args, 0)) {
      return null;
    }
    d.flush();
    return d.sha.digest();
  }

  private boolean value(Object v, int depth) {
    if (depth > ApiJson.MAX_DEPTH) {
      return false;
    }
    if (v instanceof String s) {
      return string(s);
    } else if (v instanceof Map<?, ?> m) {
      return map(m, depth);
    } else if (v instanceof List<?> l) {
      put('[');
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) {
          put(',');
        }
        if (!value(l.get(i), depth + 1)) {
          return false;
        }
      }
      put(']');
      return true;
    } else if (v instanceof Long
        || v instanceof Integer
        || v instanceof Short
        || v instanceof Byte) {
      ascii(v.toString());
      return true;
    } else if (v instanceof Boolean b) {
      ascii(b ? "true" : "false");
      return true;
    } else if (v == null) {
      ascii("null");
      return true;
    }
    return false;
  }

  private boolean map(Map<?, ?> m, int depth) {
    if (m instanceof SortedMap<?, ?> sorted && sorted.comparator() != null) {
      return false;
    }
    String[] keys = new String[m.size()];
    int n = 0;
    for (Object k : m.keySet()) {
      if (!(k instanceof String s) || n == keys.length) {
        return false;
      }
      keys[n++] = s;
    }
    if (n != keys.length) {
      return false;
    }
    Arrays.sort(keys);
    for (int i = 1; i < n; i++) {
      // equal keys in one map (an IdentityHashMap from an embedder): Jackson's sorted copy keeps
      // one
      if (keys[i].equals(keys[i - 1])) {
        return false;
      }
    }
    put('{');
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        put(',');
      }
      if (!string(keys[i])) {
        return false;
      }
      put(':');
      if (!value(m.get(keys[i]), depth + 1)) {
        return false;
      }
    }
    put('}');
    return true;
  }

  private boolean string(String s) {
    // getBytes is a plain copy for ASCII strings; one byte per char means every char was ASCII or
    // a lone surrogate, which UTF-8 encoding writes as '?' (checked at each '?', below)
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    int n = utf8.length;
    if (n != s.length()) {
      return chars(s);
    }
    put('"');
    int i = 0;
    while (i < n) {
      int end = plainFrom(utf8, i);
      if (end > i) {
        flush();
        sha.update(utf8, i, end - i);
      }
      if (end < n) {
        byte c = utf8[end];
        if (c == '?') {
          if (Character.isSurrogate(s.charAt(end))) {
            return false;
          }
          put('?');
        } else if (!special((char) c)) {
          return false;
        }
        end++;
      }
      i = end;
    }
    put('"');
    return true;
  }

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;

  /**
   * The index of the first byte from {@code from} that is not {@link #plain} or is '?', eight bytes
   * at a time: a byte below 0x20, a quote, a backslash or a '?' sets the high bit of its lane (the
   * lowest set lane is exact; borrows only disturb lanes above it).
   */
  private static int plainFrom(byte[] b, int from) {
    int i = from;
    for (; i + 8 <= b.length; i += 8) {
      long x = (long) LONGS.get(b, i);
      long flagged =
          ((x - 0x20 * ONES) & ~x)
              | zero(x ^ ('"' * ONES))
              | zero(x ^ ('\\' * ONES))
              | zero(x ^ ('?' * ONES));
      flagged &= HIGHS;
      if (flagged != 0) {
        return i + (Long.numberOfTrailingZeros(flagged) >>> 3);
      }
    }
    while (i < b.length && b[i] != '?' && plain((char) b[i])) {
      i++;
    }
    return i;
  }

  /** The high bit of each lane of {@code y} that is zero (exact for the lowest such lane). */
  private static long zero(long y) {
    return (y - ONES) & ~y;
  }

  /** {@link #string} for text with characters outside ASCII, one char at a time. */
  private boolean chars(String s) {
    put('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (plain(c)) {
        put(c);
      } else if (!special(c)) {
        return false;
      }
    }
    put('"');
    return true;
  }

  /** Whether Jackson writes {@code c} as it is: printable ASCII other than a quote or backslash. */
  private static boolean plain(char c) {
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
  }

  /**
   * Writes a character that is not {@link #plain}; false for a surrogate, which Jackson escapes.
   */
  private boolean special(char c) {
    if (at + 6 > out.length) {
      flush();
    }
    byte[] o = out;
    if (c < 0x80) {
      o[at++] = '\\';
      if (c == '"' || c == '\\') {
        o[at++] = (byte) c;
      } else if (SHORT_ESCAPE[c] != 0) {
        o[at++] = SHORT_ESCAPE[c];
      } else {
        o[at++] = 'u';
        o[at++] = '0';
        o[at++] = '0';
        o[at++] = HEX[c >> 4];
        o[at++] = HEX[c & 0xF];
      }
    } else if (c < 0x800) {
      o[at++] = (byte) (0xC0 | (c >> 6));
      o[at++] = (byte) (0x80 | (c & 0x3F));
    } else if (Character.isSurrogate(c)) {
      return false;
    } else {
      o[at++] = (byte) (0xE0 | (c >> 12));
      o[at++] = (byte) (0x80 | ((c >> 6) & 0x3F));
      o[at++] = (byte) (0x80 | (c & 0x3F));
    }
    return true;
  }

  private void ascii(String s) {
    for (int i = 0; i < s.length(); i++) {
      put(s.charAt(i));
    }
  }

  private void put(char c) {
    if (at == out.length) {
      flush();
    }
    out[at++] = (byte) c;
  }

  private void flush() {
    sha.update(out, 0, at);
    at = 0;
  }
}
