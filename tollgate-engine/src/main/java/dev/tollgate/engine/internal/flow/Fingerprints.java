package dev.tollgate.engine.internal.flow;

import dev.tollgate.engine.internal.scan.Fold;
import dev.tollgate.engine.internal.scan.Hit;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Turns text into fingerprints: keyed hashes of its values (atoms: ids, amounts, addresses, URLs,
 * and the values detectors flagged) and of a sample of its 4-word shingles. A session stores only
 * these, never the text; an action's arguments are fingerprinted the same way and looked up.
 *
 * <p>An entry is a 64-bit hash whose low eight bits are flags: {@link #SHINGLE}, the labels of a
 * flagged value ({@link #SECRET}, {@link #PERSONAL}, {@link #FINANCIAL}), and where in a result it
 * was read ({@link #INJECTED}, {@link #ID_FIELD}, {@link #NAMED_RECORD}, {@link #OTHER_RECORD}).
 */
public final class Fingerprints {
  static final long SHINGLE = 1;
  static final long SECRET = 2;
  static final long PERSONAL = 4;
  static final long FINANCIAL = 8;

  /** Read in a paragraph of an untrusted result that holds injected instructions. */
  static final long INJECTED = 0x10;

  /**
   * Read as the value of an id field ({@code id}, {@code event_id}, {@code fileId}) of an untrusted
   * structured result: an id the system assigned, not text an outsider wrote.
   */
  static final long ID_FIELD = 0x20;

  /**
   * Read in an entry of a listing (a list of records) that the user's request names: one of its
   * fields is written in the request ("Book Le Marais Boutique Hotel": the record with that name).
   */
  static final long NAMED_RECORD = 0x40;

  /**
   * Read in an entry of a listing whose other entry the request names, and this one not: the other
   * Jordan, the other hotel of a similar name, the group's other company. Without {@link
   * #NAMED_RECORD} as well, a value from there is the wrong entity.
   */
  static final long OTHER_RECORD = 0x80;

  /**
   * Read, outside injected paragraphs and outside the entries of a listing the request does not
   * name, in the result of a read whose arguments name a source the request names ({@link
   * NamedSources}: "the bill in this file", "Priya's mail"). Apart from {@link #NAMED_RECORD}: that
   * the user pointed at the file does not make every vendor in it the one they named.
   */
  static final long NAMED_SOURCE = 0x100;

  /** The low bits of an entry that are flags, not hash; bits above {@link #NAMED_SOURCE} spare. */
  static final long FLAGS = 0xFFFF;

  /** Atoms kept per result: distinctive ones first, then words for provenance. */
  static final int MAX_ATOMS = 512;

  /** Shingles kept per result, winnowed. */
  static final int MAX_SHINGLES = 1024;

  /** Shingles per winnowing window. */
  static final int WINDOW = 4;

  private static final int SHINGLE_WORDS = 4;

  private final SipHash hash;

  public Fingerprints(long k0, long k1) {
    this.hash = new SipHash(k0, k1);
  }

  /** The fingerprints of one observed result of a trusted source, encoded for the store. */
  public byte[] ofResult(Object result, List<Hit> hits) {
    return ofResult(result, hits, false, null);
  }

  /**
   * The fingerprints of one observed result, encoded for the store.
   *
   * @param untrusted whether the result is untrusted content: then what the paragraphs holding
   *     injected instructions (the {@code injection} hits among {@code hits}) say is marked {@link
   *     #INJECTED}, and the values of its id fields {@link #ID_FIELD}. Instruction-like text in a
   *     trusted system's result is data, and marks nothing.
   * @param request the user's request, or {@code null}: the entries of a listing it names are
   *     marked {@link #NAMED_RECORD}, their siblings {@link #OTHER_RECORD}
   */
  public byte[] ofResult(Object result, List<Hit> hits, boolean untrusted, String request) {
    return ofResult(result, hits, untrusted, request, false);
  }

  /**
   * {@link #ofResult(Object, List, boolean, String)} for the result of a read whose arguments name
   * a source the request names ({@code namedSource}): all of it outside injected paragraphs is
   * marked {@link #NAMED_SOURCE}, but for the entries of a listing that the request does not name.
   */
  public byte[] ofResult(
      Object result, List<Hit> hits, boolean untrusted, String request, boolean namedSource) {
    ResultFingerprints.Entries into =
        new ResultFingerprints(this, untrusted, hits, request, namedSource).of(result);
    LinkedHashSet<Long> distinctive = into.distinctive;
    LinkedHashSet<Long> words = into.words;
    LinkedHashSet<Long> shingles = into.shingles;
    List<Long> kept = new ArrayList<>();
    addUpTo(kept, distinctive, MAX_ATOMS);
    addUpTo(kept, words, MAX_ATOMS - Math.min(MAX_ATOMS, distinctive.size()));
    addUpTo(kept, shingles, MAX_SHINGLES);
    ByteBuffer out = ByteBuffer.allocate((kept.size() + 1) * Long.BYTES);
    out.putLong(FORMAT);
    kept.forEach(out::putLong);
    return out.array();
  }

  /**
   * The first entry of what {@link #ofResult} encodes: "TGFP" and the format's version. Stored
   * fingerprints outlive upgrades (a session's results, an agent's memory ledger), so a change in
   * how they are computed must be told apart. Version 4 has sixteen flag bits (adding {@link
   * #NAMED_SOURCE}); version 3 had eight (adding {@link #INJECTED}, {@link #ID_FIELD}, {@link
   * #NAMED_RECORD}, {@link #OTHER_RECORD}); version 2 had four, and chose shingles by an unkeyed
   * word hash like versions 3 and 4; version 1 (no header) keyed every word. Values (atoms) are
   * computed alike in all, but for the bits each version took from the hash.
   */
  static final long FORMAT = 0x5447_4650_0000_0004L;

  private static final long FORMAT_3 = 0x5447_4650_0000_0003L;

  private static final long FORMAT_2 = 0x5447_4650_0000_0002L;

  /** The flag bits version 4 added, hash bits before it: cleared when an older entry is read. */
  private static final long NEW_IN_4 = 0xFF00;

  /** The flags version 3 added, hash bits before it: cleared when an older entry is read. */
  private static final long NEW_IN_3 = INJECTED | ID_FIELD | NAMED_RECORD | OTHER_RECORD | NEW_IN_4;

  /**
   * Decodes what {@link #ofResult} encoded. Entries of an earlier format keep their values and lose
   * their shingles, which could no longer match: copied prose from a result stored before the
   * upgrade is found by its ids, amounts and addresses only.
   */
  static long[] decode(byte[] encoded) {
    ByteBuffer in = ByteBuffer.wrap(encoded);
    int n = encoded.length / Long.BYTES;
    long header = n > 0 ? in.getLong(0) : 0;
    if (header == FORMAT || header == FORMAT_3 || header == FORMAT_2) {
      long clear = header == FORMAT ? 0 : header == FORMAT_3 ? NEW_IN_4 : NEW_IN_3;
      long[] out = new long[n - 1];
      for (int i = 0; i < out.length; i++) {
        out[i] = in.getLong((i + 1) * Long.BYTES) & ~clear;
      }
      return out;
    }
    long[] atoms = new long[n];
    int kept = 0;
    for (int i = 0; i < n; i++) {
      long entry = in.getLong(i * Long.BYTES);
      if ((entry & SHINGLE) == 0) {
        atoms[kept++] = entry & ~NEW_IN_3;
      }
    }
    return java.util.Arrays.copyOf(atoms, kept);
  }

  /**
   * Calls {@code out} with every atom of the token {@code s[from, to)}: the token, and the forms it
   * is also written in (digits without separators, an amount without a zero fraction, the domain of
   * an address, the host of a URL), so that {@code INV-4471}, {@code inv 4471} and {@code
   * 12,400.00} / {@code 12400} meet.
   */
  void atoms(String s, int from, int to, LongConsumer out) {
    atoms(s, from, to, true, out);
  }

  /**
   * As {@link #atoms(String, int, int, LongConsumer)}; without {@code parts}, only the forms that
   * keep the whole value (the token, its digits without separators, its canonical amount), not the
   * parts of it (the digit runs of an id, the domain of an address, the host of a URL). Provenance
   * asks with the whole value: {@code billing@globex.example} does not come from a result that
   * holds {@code ap@globex.example}.
   */
  void atoms(String s, int from, int to, boolean parts, LongConsumer out) {
    out.accept(atom(s, from, to));
    boolean digit = Tokens.hasDigit(s, from, to);
    if (!digit) {
      if (!parts) {
        return;
      }
      int at = Tokens.indexOf(s, '@', from, to);
      if (at > from && at + 1 < to) {
        out.accept(atom(s, at + 1, to));
      }
      hostOf(s, from, to, out);
      return;
    }
    StringBuilder digits = new StringBuilder(to - from);
    boolean onlyNumber = true;
    int run = 0;
    int runStart = from;
    for (int i = from; i <= to; i++) {
      char c = i < to ? s.charAt(i) : ' ';
      if (Tokens.isDigit(c)) {
        if (run == 0) {
          runStart = i;
        }
        run++;
      } else {
        if (parts && run >= 4 && (runStart > from || i < to)) {
          out.accept(atom(s, runStart, i));
        }
        run = 0;
      }
      if (i < to) {
        if (Character.isLetterOrDigit(c)) {
          digits.append(c);
        }
        if (!Tokens.isDigit(c) && c != '.' && c != ',') {
          onlyNumber = false;
        }
      }
    }
    if (onlyNumber) {
      String number = canonicalNumber(s.substring(from, to));
      out.accept(atom(number, 0, number.length()));
    } else if (digits.length() != to - from) {
      out.accept(atom(digits, 0, digits.length()));
    }
    if (!parts) {
      return;
    }
    int at = Tokens.indexOf(s, '@', from, to);
    if (at > from && at + 1 < to) {
      out.accept(atom(s, at + 1, to));
    }
    hostOf(s, from, to, out);
  }

  private void hostOf(String s, int from, int to, LongConsumer out) {
    int colon = Tokens.indexOf(s, ':', from, to);
    if (colon < 0 || !s.startsWith("://", colon)) {
      return;
    }
    int start = colon + 3;
    int end = start;
    while (end < to && "/?#:".indexOf(s.charAt(end)) < 0) {
      end++;
    }
    if (end > start) {
      out.accept(atom(s, start, end));
    }
    int query = Tokens.indexOf(s, '?', end, to);
    if (query > 0) {
      out.accept(atom(s, from, query));
    }
  }

  /** {@code 12,400.00}, {@code 12.400,00} and {@code 12400} are one amount. */
  static String canonicalNumber(String n) {
    int sep = Math.max(n.lastIndexOf('.'), n.lastIndexOf(','));
    String body = n;
    if (sep >= 0 && n.length() - sep - 1 <= 2) {
      String fraction = n.substring(sep + 1);
      if (fraction.chars().allMatch(c -> c == '0')) {
        body = n.substring(0, sep);
      }
    }
    StringBuilder out = new StringBuilder(body.length());
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (Tokens.isDigit(c)) {
        out.append(c);
      }
    }
    return out.toString();
  }

  long atom(CharSequence s, int from, int to) {
    return hash.hash('A', s, from, to) & ~FLAGS;
  }

  /**
   * The keyed fingerprint of one flagged value, whatever its punctuation and case ({@code +1 555
   * 010 2030} and {@code +1-555-010-2030} are one): what a session's stored request keeps in place
   * of a mail address or phone number, so that an action's recipient can be compared with it
   * without the store holding the value. The same as the atom a result's flagged value gets.
   */
  public long ofValue(String value) {
    String v = Fold.compact(value);
    return atom(v, 0, v.length());
  }

  /**
   * The keyed fingerprint of a target as written, case aside ({@code web-1} and {@code web1} are
   * two hosts): what rate counters and novelty keep in place of recipients, hosts and payees.
   * Domain-separated from the fingerprints of results, so that the two never compare equal.
   */
  public long ofTarget(String value) {
    String v = value.strip().toLowerCase(java.util.Locale.ROOT);
    return hash.hash('T', v, 0, v.length());
  }

  /** A token's fingerprint, as {@link #inTokens} finds it in stored text. */
  private static final java.util.regex.Pattern TOKEN_FINGERPRINT =
      java.util.regex.Pattern.compile("#([0-9a-f]{16})\\]");

  /**
   * Whether {@code word} is the fingerprint part of a {@link #token}, such as {@code
   * #5f0c2a9e41b7d380]}.
   */
  static boolean isTokenFingerprint(String word) {
    return word.length() == 18
        && word.charAt(0) == '#'
        && TOKEN_FINGERPRINT.matcher(word).matches();
  }

  /**
   * The token a session's stored request and task hold in place of one flagged value: the detector,
   * the masked excerpt and the value's fingerprint, for example {@code [email j•••@acme.example
   * #5f0c2a9e41b7d380]}.
   */
  public String token(String detector, String excerpt, String value) {
    return "["
        + detector
        + " "
        + excerpt
        + " #"
        + String.format(java.util.Locale.ROOT, "%016x", ofValue(value))
        + "]";
  }

  /**
   * The fingerprint part of every {@link #token} in the strings of {@code json} (stored text), and
   * nothing else: what an index built from the clear text adds to know the named values by their
   * fingerprints, without the atoms of the masked excerpts.
   */
  public static String tokenFingerprints(Object json) {
    List<String> strings = new ArrayList<>();
    strings(json, strings, false);
    StringBuilder out = new StringBuilder();
    for (String text : strings) {
      if (text.indexOf('#') < 0) {
        continue;
      }
      java.util.regex.Matcher m = TOKEN_FINGERPRINT.matcher(text);
      while (m.find()) {
        out.append(' ').append(m.group());
      }
    }
    return out.toString();
  }

  /** Calls {@code out} with the fingerprint of every {@link #token} in {@code text}. */
  static void inTokens(String text, LongConsumer out) {
    if (text == null || text.indexOf('#') < 0) {
      return;
    }
    java.util.regex.Matcher m = TOKEN_FINGERPRINT.matcher(text);
    while (m.find()) {
      // A token written before version 3 has hash bits where the flags now are.
      out.accept(Long.parseUnsignedLong(m.group(1), 16) & ~FLAGS);
    }
  }

  /**
   * Calls {@code out} with the winnowed shingles of one folded string's {@code tokens}: of every
   * window of {@link #WINDOW} consecutive 4-word shingles, the least. Results and arguments are
   * winnowed alike, so any run of {@code WINDOW + 3} words copied out of a result yields the same
   * selected shingle on both sides wherever the run starts, while about 60% of the lookups are
   * saved.
   *
   * <p>Shingles are chosen by a fast unkeyed hash (each word hashed once, four word hashes mixed
   * into a shingle's) and only the chosen ones are keyed: the guarantee holds for any hash both
   * sides choose by, and keying each word was most of the cost of a decision's flow. What is stored
   * or compared is keyed all the same; the unkeyed hashes never leave this method.
   */
  void shingles(Tokens.Runs tokens, LongConsumer out) {
    int n = tokens.size() - SHINGLE_WORDS + 1;
    if (n <= 0) {
      return;
    }
    int size = tokens.size();
    long[] words = tokens.scratch(0, size);
    char[] cs = tokens.chars();
    for (int t = 0; t < size; t++) {
      words[t] = word(cs, tokens.from(t), tokens.to(t));
    }
    // Signed order of hash ^ MIN_VALUE is the unsigned order of hash: with it each window's least
    // is Math.min, which compiles to conditional moves. Branching on random hashes mispredicted
    // about half the time and cost more than the hashing.
    long[] ordered = tokens.scratch(1, n);
    for (int i = 0; i < n; i++) {
      ordered[i] = combine(words[i], words[i + 1], words[i + 2], words[i + 3]) ^ Long.MIN_VALUE;
    }
    int window = Math.min(WINDOW, n);
    long last = 0;
    boolean any = false;
    for (int start = 0; start + window <= n; start++) {
      long least = ordered[start];
      for (int i = start + 1; i < start + window; i++) {
        least = Math.min(least, ordered[i]);
      }
      // a window whose least is the one just chosen adds nothing: the same shingle, chosen again
      if (!any || least != last) {
        out.accept((hash.hash('S', least ^ Long.MIN_VALUE) & ~FLAGS) | SHINGLE);
        last = least;
        any = true;
      }
    }
  }

  /**
   * An unkeyed 64-bit hash of the word {@code cs[from, to)}, four characters at a time: for
   * choosing shingles only (see {@link #shingles}), never stored.
   */
  static long word(char[] cs, int from, int to) {
    long h = (to - from + 1L) * 0x9E3779B97F4A7C15L;
    int i = from;
    for (; i + 4 <= to; i += 4) {
      long block =
          cs[i] | ((long) cs[i + 1]) << 16 | ((long) cs[i + 2]) << 32 | ((long) cs[i + 3]) << 48;
      h = Long.rotateLeft(h ^ (block * 0xC2B2AE3D27D4EB4FL), 31) * 0x9E3779B97F4A7C15L;
    }
    long tail = 0;
    for (int shift = 0; i < to; i++, shift += 16) {
      tail |= ((long) cs[i]) << shift;
    }
    h = Long.rotateLeft(h ^ (tail * 0xC2B2AE3D27D4EB4FL), 31) * 0x9E3779B97F4A7C15L;
    h ^= h >>> 33;
    h *= 0xFF51AFD7ED558CCDL;
    h ^= h >>> 33;
    return h;
  }

  /**
   * An order-sensitive 64-bit mix of four word hashes (murmur3's finaliser over a weighted sum).
   */
  private static long combine(long a, long b, long c, long d) {
    long h =
        a * 0x9E3779B97F4A7C15L
            + Long.rotateLeft(b, 17) * 0xC2B2AE3D27D4EB4FL
            + Long.rotateLeft(c, 31) * 0x165667B19E3779F9L
            + Long.rotateLeft(d, 47) * 0xD6E8FEB86659FD93L;
    h ^= h >>> 33;
    h *= 0xFF51AFD7ED558CCDL;
    h ^= h >>> 33;
    h *= 0xC4CEB9FE1A85EC53L;
    h ^= h >>> 33;
    return h;
  }

  static long labelFlag(String label) {
    return switch (label) {
      case "secret" -> SECRET;
      case "personal" -> PERSONAL;
      case "financial" -> FINANCIAL;
      default -> 0;
    };
  }

  static void labelsOf(long flags, java.util.Set<String> out) {
    if ((flags & SECRET) != 0) {
      out.add("secret");
    }
    if ((flags & PERSONAL) != 0) {
      out.add("personal");
    }
    if ((flags & FINANCIAL) != 0) {
      out.add("financial");
    }
  }

  /** Every string in a JSON value, map keys included when {@code keys}. */
  static void strings(Object json, List<String> out, boolean keys) {
    if (json instanceof String s) {
      out.add(s);
    } else if (json instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (keys) {
          out.add(String.valueOf(e.getKey()));
        }
        strings(e.getValue(), out, keys);
      }
    } else if (json instanceof List<?> l) {
      for (Object o : l) {
        strings(o, out, keys);
      }
    } else if (json instanceof Number n) {
      out.add(numberText(n));
    }
  }

  /** Every string and number (as text) in a JSON value, map keys included. */
  public static void collect(Object json, List<String> out) {
    strings(json, out, true);
  }

  /** A JSON number as a person writes it: integral values without a fraction. */
  static String numberText(Number n) {
    if (n instanceof Double || n instanceof Float || n instanceof java.math.BigDecimal) {
      double d = n.doubleValue();
      if (d == Math.rint(d) && Math.abs(d) < 1e15) {
        return Long.toString((long) d);
      }
      return java.math.BigDecimal.valueOf(d).toPlainString();
    }
    return n.toString();
  }

  private static void addUpTo(List<Long> out, LinkedHashSet<Long> from, int max) {
    int n = 0;
    for (Long v : from) {
      if (n++ >= max) {
        return;
      }
      out.add(v);
    }
  }
}
