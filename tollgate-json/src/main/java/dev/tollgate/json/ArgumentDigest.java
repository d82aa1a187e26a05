package dev.tollgate.json;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

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

  /**
   * Digests already set up, reused: a digest costs a 4 KB buffer, a {@link MessageDigest} and the
   * key arrays, and is computed on every decision. A shared deque rather than a thread-local,
   * because the server runs each request on a new virtual thread, whose thread-local would never be
   * used twice. At most {@link #POOLED} are kept; more callers at once make new ones.
   */
  private static final ConcurrentLinkedDeque<ArgumentDigest> POOL = new ConcurrentLinkedDeque<>();

  private static final int POOLED = 64;
  private static final AtomicInteger POOL_SIZE = new AtomicInteger();

  /** Cloned for each new instance: cheaper than looking the algorithm up by name. */
  private static final MessageDigest PROTOTYPE;

  static {
    try {
      PROTOTYPE = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final MessageDigest sha;
  private final byte[] out = new byte[4096];
  private final char[] chunk = new char[512];
  private int at;

  /**
   * The keys of the maps being written, sorted: each map takes the slots from {@link #keysTop} on
   * while its values are written, and gives them back after.
   */
  private String[] keys = new String[32];

  private int keysTop;

  private ArgumentDigest() throws NoSuchAlgorithmException {
    MessageDigest sha;
    try {
      sha = (MessageDigest) PROTOTYPE.clone();
    } catch (CloneNotSupportedException e) {
      sha = MessageDigest.getInstance("SHA-256");
    }
    this.sha = sha;
  }

  /** The digest of {@code args}, or {@code null} when it holds what this does not write. */
  static byte[] of(Map<String, Object> args) throws NoSuchAlgorithmException {
    ArgumentDigest d = POOL.pollFirst();
    if (d == null) {
      d = new ArgumentDigest();
    } else {
      POOL_SIZE.decrementAndGet();
    }
    try {
      if (!d.value(args, 0)) {
        return null;
      }
      d.flush();
      return d.sha.digest();
    } finally {
      d.reset();
      if (POOL_SIZE.incrementAndGet() <= POOLED) {
        POOL.offerFirst(d);
      } else {
        POOL_SIZE.decrementAndGet();
      }
    }
  }

  /** Back to a fresh state, holding no key of the last arguments. */
  private void reset() {
    sha.reset();
    at = 0;
    Arrays.fill(keys, null);
    keysTop = 0;
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
      integer(((Number) v).longValue());
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
    int size = m.size();
    int from = keysTop;
    int to = from + size;
    if (to > keys.length) {
      keys = Arrays.copyOf(keys, Math.max(to, keys.length * 2));
    }
    String[] keys = this.keys;
    int n = from;
    for (Object k : m.keySet()) {
      if (!(k instanceof String s) || n == to) {
        return false;
      }
      keys[n++] = s;
    }
    if (n != to) {
      return false;
    }
    Arrays.sort(keys, from, to);
    for (int i = from + 1; i < to; i++) {
      // equal keys in one map (an IdentityHashMap from an embedder): Jackson's sorted copy keeps
      // one
      if (keys[i].equals(keys[i - 1])) {
        return false;
      }
    }
    keysTop = to;
    put('{');
    for (int i = from; i < to; i++) {
      if (i > from) {
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
    keysTop = from;
    return true;
  }

  /**
   * Writes a JSON string. The characters are copied a chunk at a time into a reused array and
   * written from there: {@code getBytes} copied each string into a new array first (the whole body
   * of a mail, on every decision).
   */
  private boolean string(String s) {
    put('"');
    char[] chunk = this.chunk;
    byte[] o = out;
    int n = s.length();
    for (int from = 0; from < n; from += chunk.length) {
      int to = Math.min(n, from + chunk.length);
      s.getChars(from, to, chunk, 0);
      int count = to - from;
      // Room for the whole chunk escaped at its widest (6 bytes a char), so that the loop below
      // checks no bound per character.
      if (at + 6 * count > o.length) {
        flush();
      }
      int w = at;
      for (int i = 0; i < count; i++) {
        char c = chunk[i];
        if (plain(c)) {
          o[w++] = (byte) c;
        } else {
          at = w;
          if (!special(c)) {
            return false;
          }
          w = at;
        }
      }
      at = w;
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

  /** Writes {@code n} in decimal, as {@link Long#toString} would, without making the string. */
  private void integer(long n) {
    if (n == Long.MIN_VALUE) {
      ascii(Long.toString(n));
      return;
    }
    if (at + 20 > out.length) {
      flush();
    }
    if (n < 0) {
      out[at++] = '-';
      n = -n;
    }
    int digits = 1;
    for (long rest = n / 10; rest != 0; rest /= 10) {
      digits++;
    }
    for (int i = at + digits - 1; i >= at; i--) {
      out[i] = (byte) ('0' + n % 10);
      n /= 10;
    }
    at += digits;
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
