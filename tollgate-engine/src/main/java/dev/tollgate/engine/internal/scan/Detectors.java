package dev.tollgate.engine.internal.scan;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A compiled set of detectors: the built-in ones (secrets, personal data, financial markers,
 * instruction-like text), less those disabled, plus configured regex, keyword and exact-data
 * detectors; long because the tree walk, the decoding of nested encodings and the prefilter are one
 * hot loop over shared state. Immutable and thread-safe; one per bundle.
 *
 * <p>How a string is scanned (docs/detectors.md has the long form):
 *
 * <ol>
 *   <li>Its length is charged to the {@link Budget}. When it has non-ASCII characters, hidden
 *       Unicode is looked for on the raw text, and a folded view is built with an index map back to
 *       the original.
 *   <li>One pass over the view runs the Aho-Corasick automaton of every detector's literal anchors
 *       and notes digit runs, {@code @} signs, {@code %} escapes and base64-looking runs. The cost
 *       of this pass does not depend on the number of detectors.
 *   <li>Detectors run only around what woke them: an anchor's finder at each occurrence; the
 *       numeric validators when there were digits; the e-mail finder at each {@code @}. Configured
 *       regexes without anchors and exact-data detectors run on every string.
 *   <li>Base64 runs that decode to text, URL-encoded text and text spelled in Unicode tag
 *       characters are scanned again as texts of their own, two levels deep at most; their hits
 *       carry the encoding and the span of the encoded run.
 * </ol>
 */
public final class Detectors {
  /** Names of the built-in detectors, in the order they run. */
  public static final List<String> BUILT_IN_NAMES =
      List.of(
          "aws-access-key",
          "aws-secret-key",
          "gcp-api-key",
          "azure-storage-key",
          "github-token",
          "gitlab-token",
          "slack-token",
          "stripe-key",
          "private-key",
          "jwt",
          "connection-password",
          "generic-secret",
          "email",
          "iban",
          "payment-card",
          "ssn",
          "phone",
          "invoice-number",
          "account-number",
          "instructions");

  /** How many decodings deep a scan goes (base64 inside URL encoding is two). */
  static final int MAX_DECODING_DEPTH = 2;

  private static final int MIN_BASE64_RUN = 16;
  // pass() relies on these values: DIGIT is bit 0 and BASE64 bit 1.
  private static final byte DIGIT = 1;
  private static final byte BASE64 = 2;
  private static final byte SPECIAL = 4;
  private static final byte[] FLAGS = new byte[128];

  static {
    for (char c = '0'; c <= '9'; c++) {
      FLAGS[c] = DIGIT | BASE64;
    }
    for (char c = 'a'; c <= 'z'; c++) {
      FLAGS[c] = BASE64;
      FLAGS[c - 32] = BASE64;
    }
    FLAGS['+'] = BASE64 | SPECIAL;
    FLAGS['/'] = BASE64;
    FLAGS['_'] = BASE64;
    FLAGS['-'] = BASE64;
    FLAGS['@'] = SPECIAL;
    FLAGS['%'] = SPECIAL;
  }

  private static final Detectors BUILT_IN = builder().build();

  private final List<String> names;
  private final AnchorAutomaton automaton;

  /** For each automaton pattern: pairs of (finder index, anchor index in that finder). */
  private final int[][] owners;

  private final Finder[] finders;
  private final Finder[] onDigits;
  private final Finder[] onAtSign;
  private final Finder[] always;
  private final Secrets.GenericSecret genericSecret;
  private final Words.Instructions instructions;

  private Detectors(List<Finder> enabled, List<String> names) {
    this.names = List.copyOf(names);
    this.finders = enabled.toArray(new Finder[0]);
    Map<String, Integer> patternIds = new LinkedHashMap<>();
    List<List<int[]>> owning = new ArrayList<>();
    List<Finder> digits = new ArrayList<>();
    List<Finder> atSign = new ArrayList<>();
    List<Finder> every = new ArrayList<>();
    Secrets.GenericSecret generic = null;
    Words.Instructions instr = null;
    for (int f = 0; f < finders.length; f++) {
      Finder finder = finders[f];
      switch (finder.trigger()) {
        case ANCHOR -> {
          List<String> anchors = finder.anchors();
          for (int a = 0; a < anchors.size(); a++) {
            String pattern = lower(anchors.get(a));
            int id = patternIds.computeIfAbsent(pattern, p -> patternIds.size());
            if (id == owning.size()) {
              owning.add(new ArrayList<>());
            }
            owning.get(id).add(new int[] {f, a});
          }
        }
        case DIGITS -> digits.add(finder);
        case AT_SIGN -> atSign.add(finder);
        case ALWAYS -> every.add(finder);
      }
      if (finder instanceof Secrets.GenericSecret g) {
        generic = g;
      }
      if (finder instanceof Words.Instructions i) {
        instr = i;
      }
    }
    this.automaton = new AnchorAutomaton(new ArrayList<>(patternIds.keySet()));
    this.owners = new int[owning.size()][];
    for (int p = 0; p < owning.size(); p++) {
      List<int[]> o = owning.get(p);
      int[] flat = new int[o.size() * 2];
      for (int k = 0; k < o.size(); k++) {
        flat[2 * k] = o.get(k)[0];
        flat[2 * k + 1] = o.get(k)[1];
      }
      owners[p] = flat;
    }
    this.onDigits = digits.toArray(new Finder[0]);
    this.onAtSign = atSign.toArray(new Finder[0]);
    this.always = every.toArray(new Finder[0]);
    this.genericSecret = generic;
    this.instructions = instr;
  }

  private static String lower(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      out.append(Character.toLowerCase(s.charAt(i)));
    }
    return out.toString();
  }

  public static Detectors builtIn() {
    return BUILT_IN;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Scans every string in {@code json} (a map, list, string, number, boolean or null), map keys
   * included, and returns the matches in document order. Integral numbers of nine digits or more
   * are scanned as their decimal text (a card number sent as a JSON number).
   *
   * <p>Work is charged to {@code budget}: one unit per character read (keys, strings and decoded
   * text), one per JSON value, one per prefilter anchor found and {@value Scan#HIT_COST} per hit.
   * Any nesting depth is fine: the walk keeps its own stack.
   *
   * @param path JSON pointer of {@code json} itself, for example {@code /args}
   * @throws ScanLimitException when the work passes the budget (the caller denies: input that
   *     cannot be scanned is not passed)
   */
  public List<Hit> scan(Object json, String path, Budget budget) throws ScanLimitException {
    Scan scan = Scan.acquire(budget);
    try {
      walk(json, path, scan);
      return scan.hits();
    } catch (Scan.Exhausted e) {
      throw e.limit();
    } finally {
      scan.release();
    }
  }

  /** Fewest letters and digits a value of an exact-data detector may have. */
  public static final int MIN_EXACT_LENGTH = Configured.Exact.MIN_VALUE_LENGTH;

  /** The number of letters and digits of {@code value} once folded, as exact data compares it. */
  public static int exactLength(String value) {
    return Fold.compact(value).length();
  }

  /** Names of the detectors in use. */
  public List<String> names() {
    return names;
  }

  /**
   * Visits the values of {@code root} in document order (a map's key before its value) with an
   * explicit stack, so that deep nesting costs memory from the budget, never the thread's stack.
   * The stack and the nodes' paths live in the scan's reused arrays: walking allocates nothing.
   */
  private void walk(Object root, String rootPath, Scan scan) throws ScanLimitException {
    scan.push(root, scan.root(rootPath), (byte) 0);
    while (!scan.stackEmpty()) {
      Object node = scan.pop();
      int path = scan.poppedPath();
      byte flags = scan.poppedFlags();
      scan.budget.spend(1);
      if ((flags & Scan.KEY) != 0) {
        scanString((String) node, path, true, false, scan);
        continue;
      }
      boolean secretKey = (flags & Scan.SECRET) != 0;
      int from = scan.stackSize();
      switch (node) {
        case null -> {}
        case String s -> scanString(s, path, false, secretKey, scan);
        case Map<?, ?> map -> scan.pushEntries(map, path);
        case List<?> list when list instanceof RandomAccess -> {
          for (int i = 0; i < list.size(); i++) {
            scan.pushItem(list.get(i), path, i, flags);
          }
        }
        case Collection<?> list -> {
          int i = 0;
          for (Object item : list) {
            scan.pushItem(item, path, i++, flags);
          }
        }
        case Object[] array -> {
          for (int i = 0; i < array.length; i++) {
            scan.pushItem(array[i], path, i, flags);
          }
        }
        case Integer n when Math.abs((long) n) >= 100_000_000L ->
            scanString(Integer.toString(n), path, false, secretKey, scan);
        case Long l when Math.abs(l) >= 100_000_000L ->
            scanString(Long.toString(l), path, false, secretKey, scan);
        case java.math.BigInteger b -> scanString(b.toString(), path, false, secretKey, scan);
        case java.math.BigDecimal d when d.scale() <= 0 ->
            scanString(d.toPlainString(), path, false, secretKey, scan);
        default -> {}
      }
      scan.reverseFrom(from);
    }
  }

  /** A run of Unicode tag characters at {@code [start, end)} of a raw text, and what it spells. */
  record TagRun(int start, int end, String spelled) {}

  /**
   * The runs of Unicode tag characters in {@code raw}: text spelled in characters no one sees,
   * decoded here like base64 and percent-encoding, so that every detector scans it.
   */
  static List<TagRun> tagRuns(String raw) {
    List<TagRun> out = new ArrayList<>();
    int i = 0;
    while (i < raw.length()) {
      int cp = raw.codePointAt(i);
      if (!isTag(cp)) {
        i += Character.charCount(cp);
        continue;
      }
      int s = i;
      StringBuilder spelled = new StringBuilder();
      while (i < raw.length() && isTag(raw.codePointAt(i))) {
        int tag = raw.codePointAt(i) - 0xE0000;
        if (tag >= 0x20 && tag < 0x7F) {
          spelled.append((char) tag);
        }
        i += 2;
      }
      out.add(new TagRun(s, i, spelled.toString()));
    }
    return out;
  }

  private static boolean isTag(int cp) {
    return cp >= 0xE0000 && cp <= 0xE007F;
  }

  /** Whether a map key, folded, names an authorization header. */
  static boolean isAuthorizationKey(String k) {
    return k.equals("authorization") || k.equals("auth") || k.endsWith("-auth");
  }

  private void scanString(String s, int path, boolean key, boolean secretKey, Scan scan)
      throws ScanLimitException {
    Text t = scan.text(0).reset(s, path, key, null, null, 0, 0, null);
    scan.startString();
    scanText(t, secretKey);
    scan.endString();
  }

  private void scanText(Text t, boolean secretKey) throws ScanLimitException {
    t.scan.budget.spend(t.raw.length());
    List<TagRun> tagRuns = List.of();
    if (!t.asciiUnchecked || !pass(t, true)) {
      if (t.asciiUnchecked) {
        t.fold();
      }
      if (t.invisible) {
        tagRuns = tagRuns(t.raw);
        if (instructions != null) {
          instructions.hidden(t, tagRuns);
        }
      }
      pass(t, false);
    }
    t.asciiUnchecked = false;
    t.scan.budget.spend(t.anchorHits.size() / 2);
    // Generic secrets go last: a token that a specific detector recognises (an AWS key after
    // `aws_access_key_id=`) is reported once, by that detector.
    for (int round = 0; round < 2; round++) {
      for (int k = 0; k < t.anchorHits.size(); k += 2) {
        int pattern = t.anchorHits.get(k);
        int start = t.anchorHits.get(k + 1);
        int end = start + automaton.length(pattern);
        int[] own = owners[pattern];
        for (int o = 0; o < own.length; o += 2) {
          Finder f = finders[own[o]];
          if ((f == genericSecret) == (round == 1)) {
            f.atAnchor(t, own[o + 1], start, end);
          }
        }
      }
    }
    if (!t.digitRuns.isEmpty()) {
      for (Finder f : onDigits) {
        f.afterPass(t);
      }
    }
    if (!t.atSigns.isEmpty()) {
      for (Finder f : onAtSign) {
        f.afterPass(t);
      }
    }
    for (Finder f : always) {
      f.afterPass(t);
    }
    if (secretKey && genericSecret != null) {
      genericSecret.asValue(t);
    }
    if (t.depth >= MAX_DECODING_DEPTH) {
      return;
    }
    // An index loop: an iterator over the empty list would be allocated on every string wherever
    // the JIT cannot see which list this is.
    for (int r = 0; r < tagRuns.size(); r++) {
      TagRun run = tagRuns.get(r);
      if (!run.spelled().isBlank()) {
        scanText(t.decodedRun(run.spelled(), "unicode-tags", run.start(), run.end()), false);
      }
    }
    for (int k = 0; k < t.base64Runs.size(); k += 2) {
      int s = t.base64Runs.get(k);
      int e = t.base64Runs.get(k + 1);
      String decoded = decodeBase64(t.view, s, e, t.scan);
      if (decoded != null) {
        scanText(t.decodedRun(decoded, "base64", t.rawIndex(s), t.rawIndex(e)), false);
      }
    }
    if (t.percent) {
      int[] index = new int[t.raw.length() + 1];
      String decoded = decodePercent(t.raw, index);
      if (decoded != null) {
        scanText(t.decodedMapped(decoded, "url", index), secretKey);
      }
    }
  }

  /**
   * The one pass over a text's view. Everything here runs per character, for every string, so it is
   * written for the branch predictor: a table lookup for the automaton and one for the character
   * classes, and branches that are rarely taken (an anchor ended, a digit run began or ended, a
   * long base64 run ended, a special character). The base64 run length is kept without a branch,
   * and the view is read from a char array (a third faster than {@code String.charAt} here).
   *
   * @param asciiOnly stop at the first character outside ASCII (the text was taken for ASCII)
   * @return false when it stopped so; what it found until then is to be dropped
   */
  private boolean pass(Text t, boolean asciiOnly) {
    int n = t.view.length();
    char[] v = t.viewChars;
    AnchorAutomaton a = automaton;
    int[] table = a.table;
    byte[] asciiClass = a.asciiClass;
    int state = 0;
    int inDigits = 0;
    int digitStart = 0;
    int digitEnd = -2;
    int chunkDigits = 0;
    int run = 0;
    for (int i = 0; i < n; i++) {
      char c = v[i];
      int flags;
      if (c < 128) {
        state = table[state + asciiClass[c]];
        flags = FLAGS[c];
      } else {
        if (asciiOnly) {
          return false;
        }
        state = table[state + a.classOfOther(c)];
        flags = 0;
      }
      if (state < 0) {
        state = ~state;
        for (int p : a.outputsAtOffset(state)) {
          t.anchorHits.add(p);
          t.anchorHits.add(i + 1 - a.length(p));
        }
      }
      int digit = flags & DIGIT;
      if (digit != inDigits) {
        // Rare work at the edges of digit runs: the longest chunk of runs joined by one space or
        // dash (cards and SSNs need 9 digits or more), and whether a run follows two letters that
        // start a word (an IBAN's country code).
        if (digit != 0) {
          digitStart = i;
          if (i - digitEnd != 1 || (v[i - 1] != ' ' && v[i - 1] != '-')) {
            chunkDigits = 0;
          }
          if (i >= 2
              && Text.isAsciiLetter(v[i - 1])
              && Text.isAsciiLetter(v[i - 2])
              && (i < 3 || !Text.isWordChar(v[i - 3]))) {
            t.ibanCandidate = true;
          }
        } else {
          digitEnd = i;
          chunkDigits += i - digitStart;
          t.maxChunkDigits = Math.max(t.maxChunkDigits, chunkDigits);
          t.digitRuns.add(digitStart);
          t.digitRuns.add(i);
        }
        inDigits = digit;
      }
      int grown = (run + 1) & -((flags >> 1) & 1);
      if (run >= MIN_BASE64_RUN && grown == 0) {
        closeBase64Run(t, i - run, i);
      }
      run = grown;
      if ((flags & SPECIAL) != 0) {
        if (c == '@') {
          t.atSigns.add(i);
        } else if (c == '%') {
          t.percent = true;
        } else {
          t.plus = true;
        }
      }
    }
    if (inDigits != 0) {
      chunkDigits += n - digitStart;
      t.maxChunkDigits = Math.max(t.maxChunkDigits, chunkDigits);
      t.digitRuns.add(digitStart);
      t.digitRuns.add(n);
    }
    if (run >= MIN_BASE64_RUN) {
      closeBase64Run(t, n - run, n);
    }
    return true;
  }

  private static void closeBase64Run(Text t, int start, int end) {
    if (end - start < MIN_BASE64_RUN) {
      return;
    }
    int e = end;
    while (e < t.view.length() && e - end < 2 && t.view.charAt(e) == '=') {
      e++;
    }
    t.base64Runs.add(start);
    t.base64Runs.add(e);
  }

  /**
   * The text the base64 run {@code v[s, e)} encodes, when it is mostly printable UTF-8 (at least
   * 90% of its characters letters, digits, punctuation or spaces, and 8 characters or more); else
   * {@code null}.
   */
  static String decodeBase64(String v, int s, int e, Scan scratch) {
    boolean upper = false;
    boolean lower = false;
    boolean url = false;
    int end = e;
    while (end > s && v.charAt(end - 1) == '=') {
      end--;
    }
    for (int i = s; i < end; i++) {
      char c = v.charAt(i);
      upper |= c >= 'A' && c <= 'Z';
      lower |= c >= 'a' && c <= 'z';
      url |= c == '-' || c == '_';
    }
    // Base64 of 12 or more bytes of text has both cases; hex digests, UUIDs, paths and words in
    // one case are not base64 of text, and are common: reject them before taking the run out.
    if (!(upper && lower)) {
      return null;
    }
    int length = end - s;
    if (length % 4 == 1) {
      length--;
    }
    // Decoded here into the scan's buffer, as java.util.Base64 decodes (lenient about the last
    // unit's spare bits, padding optional): a run that is no text then costs no copy of itself.
    byte[] bytes = scratch.bytes(length * 3 / 4);
    int n = base64(v, s, s + length, url ? URL_BASE64 : BASE64_VALUES, bytes);
    if (n < 8) {
      return null;
    }
    int printable = 0;
    boolean ascii = true;
    for (int i = 0; i < n; i++) {
      byte b = bytes[i];
      if (b < 0) {
        ascii = false;
        printable++;
      } else if (b >= 0x20 && b != 0x7F || b == '\n' || b == '\r' || b == '\t') {
        printable++;
      }
    }
    // At least 90% printable: letters, digits, punctuation, spaces (UTF-8 sequences count).
    if (printable * 10 < n * 9) {
      return null;
    }
    if (ascii) {
      return new String(bytes, 0, n, StandardCharsets.US_ASCII);
    }
    // Checked first rather than decoded with REPORT: most runs that get here are not text, and a
    // decoder reports that with an exception (a stack trace per base64-looking run).
    return isWellFormedUtf8(bytes, n) ? new String(bytes, 0, n, StandardCharsets.UTF_8) : null;
  }

  /** The value of each base64 character (standard alphabet), -1 for others. */
  static final byte[] BASE64_VALUES = base64Values("+/");

  /** The same for the URL-safe alphabet. */
  static final byte[] URL_BASE64 = base64Values("-_");

  private static byte[] base64Values(String last) {
    byte[] values = new byte[128];
    java.util.Arrays.fill(values, (byte) -1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789" + last;
    for (int i = 0; i < alphabet.length(); i++) {
      values[alphabet.charAt(i)] = (byte) i;
    }
    return values;
  }

  /**
   * Decodes {@code v[s, e)} (no padding; {@code e - s} not 1 more than a multiple of 4) into {@code
   * out}; the number of bytes, or -1 when a character is outside the alphabet.
   */
  static int base64(String v, int s, int e, byte[] values, byte[] out) {
    int n = 0;
    int bits = 0;
    int have = 0;
    for (int i = s; i < e; i++) {
      char c = v.charAt(i);
      int value = c < 128 ? values[c] : -1;
      if (value < 0) {
        return -1;
      }
      bits = (bits << 6) | value;
      have += 6;
      if (have >= 8) {
        have -= 8;
        out[n++] = (byte) (bits >> have);
      }
    }
    return n;
  }

  /**
   * Whether {@code b} is well-formed UTF-8 (Unicode's table 3-7: no overlong forms, no surrogates,
   * nothing above U+10FFFF), exactly the input a strict decoder accepts.
   */
  static boolean isWellFormedUtf8(byte[] b) {
    return isWellFormedUtf8(b, b.length);
  }

  /** {@link #isWellFormedUtf8(byte[])} of the first {@code length} bytes. */
  static boolean isWellFormedUtf8(byte[] b, int length) {
    int i = 0;
    while (i < length) {
      int c = b[i] & 0xFF;
      if (c < 0x80) {
        i++;
        continue;
      }
      int n;
      int lo = 0x80;
      int hi = 0xBF;
      if (c >= 0xC2 && c <= 0xDF) {
        n = 1;
      } else if (c >= 0xE0 && c <= 0xEF) {
        n = 2;
        if (c == 0xE0) {
          lo = 0xA0;
        } else if (c == 0xED) {
          hi = 0x9F;
        }
      } else if (c >= 0xF0 && c <= 0xF4) {
        n = 3;
        if (c == 0xF0) {
          lo = 0x90;
        } else if (c == 0xF4) {
          hi = 0x8F;
        }
      } else {
        return false;
      }
      if (i + n >= length) {
        return false;
      }
      int second = b[i + 1] & 0xFF;
      if (second < lo || second > hi) {
        return false;
      }
      for (int k = 2; k <= n; k++) {
        int next = b[i + k] & 0xFF;
        if (next < 0x80 || next > 0xBF) {
          return false;
        }
      }
      i += n + 1;
    }
    return true;
  }

  /**
   * Percent-decodes {@code raw} ({@code %XX} escapes as UTF-8, {@code +} as a space), filling
   * {@code index} with the raw position each decoded char came from; {@code null} when there is no
   * escape.
   */
  static String decodePercent(String raw, int[] index) {
    StringBuilder out = new StringBuilder(raw.length());
    int escapes = 0;
    int i = 0;
    while (i < raw.length()) {
      char c = raw.charAt(i);
      if (c == '%' && i + 2 < raw.length() && hex(raw, i + 1) >= 0) {
        int s = i;
        int run = 0;
        while (s + 3 * run + 2 < raw.length()
            && raw.charAt(s + 3 * run) == '%'
            && hex(raw, s + 3 * run + 1) >= 0) {
          run++;
        }
        byte[] bytes = new byte[run];
        for (int k = 0; k < run; k++) {
          bytes[k] = (byte) hex(raw, i + 1);
          i += 3;
        }
        escapes += run;
        String decoded = new String(bytes, StandardCharsets.UTF_8);
        for (int k = 0; k < decoded.length(); k++) {
          index[out.length()] = s;
          out.append(decoded.charAt(k));
        }
      } else {
        index[out.length()] = i;
        out.append(c == '+' ? ' ' : c);
        i++;
      }
    }
    index[out.length()] = raw.length();
    return escapes == 0 ? null : out.toString();
  }

  /** {@code raw} percent-decoded as a URL's query is ({@code +} a space), or as it is. */
  public static String percentDecoded(String raw) {
    String decoded = decodePercent(raw, new int[raw.length() + 1]);
    return decoded == null ? raw.replace('+', ' ') : decoded;
  }

  private static int hex(String s, int at) {
    int hi = Character.digit(s.charAt(at), 16);
    int lo = Character.digit(s.charAt(at + 1), 16);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
  }

  /** Builds a set of detectors, starting from the built-in ones. Not thread-safe. */
  public static final class Builder {
    private final Set<String> disabled = new LinkedHashSet<>();
    private final Map<String, Finder> configured = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Turns a built-in detector off.
     *
     * @throws IllegalArgumentException if no built-in detector has that name
     */
    public Builder disable(String name) {
      if (!BUILT_IN_NAMES.contains(name)) {
        throw new IllegalArgumentException("unknown built-in detector `" + name + "`");
      }
      disabled.add(name);
      return this;
    }

    /**
     * A regular-expression detector, run on the folded text (invisible characters removed,
     * look-alikes folded to ASCII, case kept). A detector with the name of a built-in one replaces
     * it (this is how {@code invoice-number} and {@code account-number} take a pattern of your
     * own).
     *
     * @param anchors literal strings of which every match contains one (case-insensitive), for the
     *     prefilter; empty to derive them from the expression (its leading literal, when it has no
     *     top-level alternation); when none can be derived, the regex runs on every string
     * @throws IllegalArgumentException on an invalid expression or a name already configured
     */
    public Builder regex(String name, String label, String regex, List<String> anchors) {
      Pattern pattern = Pattern.compile(regex);
      List<String> prefilter = new ArrayList<>();
      for (String anchor : anchors) {
        String folded = Fold.fold(anchor);
        if (folded.isEmpty()) {
          throw new IllegalArgumentException("empty anchor in detector `" + name + "`");
        }
        prefilter.add(folded);
      }
      if (prefilter.isEmpty()) {
        prefilter.addAll(Configured.requiredLiterals(regex));
      }
      return add(new Configured.Regex(name, label, pattern, prefilter));
    }

    /** A detector that fires on any of these words or phrases (case-insensitive, folded). */
    public Builder keywords(String name, String label, List<String> keywords) {
      return add(new Configured.Keywords(name, label, keywords));
    }

    /** A detector that fires on exactly these values; they are kept only as salted hashes. */
    public Builder exact(String name, String label, Collection<String> values) {
      return add(new Configured.Exact(name, label, values));
    }

    private Builder add(Finder finder) {
      if (finder.name.isBlank() || finder.label.isBlank()) {
        throw new IllegalArgumentException("a detector needs a name and a label");
      }
      if (configured.putIfAbsent(finder.name, finder) != null) {
        throw new IllegalArgumentException("detector `" + finder.name + "` is configured twice");
      }
      return this;
    }

    public Detectors build() {
      List<Finder> enabled = new ArrayList<>();
      Set<String> names = new LinkedHashSet<>();
      for (Finder f : builtInFinders()) {
        if (!disabled.contains(f.name) && !configured.containsKey(f.name)) {
          enabled.add(f);
          names.add(f.name);
        }
      }
      if (names.contains("phone")) {
        enabled.add(0, new Numbers.ContextWords(true));
      }
      if (names.contains("ssn")) {
        enabled.add(0, new Numbers.ContextWords(false));
      }
      for (Finder f : configured.values()) {
        enabled.add(f);
        names.add(f.name);
      }
      return new Detectors(enabled, new ArrayList<>(names));
    }

    private static List<Finder> builtInFinders() {
      List<Finder> all = new ArrayList<>(Secrets.all());
      all.add(new Words.Email());
      all.add(new Numbers.Iban());
      all.add(new Numbers.PaymentCard());
      all.add(new Numbers.Ssn());
      all.add(new Numbers.Phone());
      all.add(Words.AnnouncedNumber.invoice());
      all.add(Words.AnnouncedNumber.account());
      all.add(new Words.Instructions());
      return all;
    }
  }
}
