package dev.tollgate.engine.internal.flow;

import dev.tollgate.engine.internal.scan.Fold;
import dev.tollgate.engine.internal.scan.Hit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The fingerprints of one observed result, with where in it each was read: in an untrusted result,
 * the paragraphs that hold injected instructions are fingerprinted apart ({@link
 * Fingerprints#INJECTED}) and the values of id fields are marked as ids the system assigned ({@link
 * Fingerprints#ID_FIELD}), so that provenance can tell a calendar event's id from the text an
 * outsider wrote into its description. One per result.
 */
final class ResultFingerprints {
  private final Fingerprints prints;
  private final boolean untrusted;
  private final List<Hit> hits;
  private final Map<String, int[]> injected;

  /** The strings a detector found something in (by identity: the objects the scanner read). */
  private final java.util.Set<String> flagged;

  private final Entries into = new Entries();

  /** The request folded, or {@code null}: what names an entry of a listing. */
  private final String request;

  /** Whether the read named a source the request names: its entries are marked named. */
  private final boolean namedSource;

  ResultFingerprints(
      Fingerprints prints, boolean untrusted, List<Hit> hits, String request, boolean namedSource) {
    this.prints = prints;
    this.namedSource = namedSource;
    this.request = request == null || request.isBlank() ? null : Fold.fold(request);
    this.untrusted = untrusted;
    this.hits = hits;
    this.injected = untrusted ? injectedRegions(hits) : Map.of();
    this.flagged = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    for (Hit h : hits) {
      if (h.source() != null && !h.key()) {
        flagged.add(h.source());
      }
    }
  }

  /** Every entry of {@code result}: the detectors' values first, then its strings in order. */
  Entries of(Object result) {
    java.util.Set<String> named =
        java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    if (namedSource && !flagged.isEmpty()) {
      namedFlagged(result, true, named, 0);
    }
    for (Hit h : hits) {
      String v = Fold.compact(h.value());
      if (!v.isEmpty()) {
        long flags = Fingerprints.labelFlag(h.label());
        if (h.source() != null && inside(injected.get(h.source()), h.start())) {
          flags |= Fingerprints.INJECTED;
        } else if (h.source() != null && named.contains(h.source())) {
          flags |= Fingerprints.NAMED_SOURCE;
        }
        into.distinctive.add(prints.atom(v, 0, v.length()) | flags);
      }
    }
    walk(result, null, namedSource ? Fingerprints.NAMED_SOURCE : 0);
    return into;
  }

  /**
   * Collects the strings a detector flagged that lie in a named part of a named source's result:
   * not in an entry of a listing that the request does not name, as {@link #walk} marks them.
   */
  private void namedFlagged(Object json, boolean named, java.util.Set<String> into, int depth) {
    if (json instanceof String s) {
      if (named && flagged.contains(s)) {
        into.add(s);
      }
    } else if (json instanceof Map<?, ?> m && depth < MAX_DEPTH) {
      for (Object v : m.values()) {
        namedFlagged(v, named, into, depth + 1);
      }
    } else if (json instanceof List<?> l && depth < MAX_DEPTH) {
      boolean[] entries = namedEntries(l);
      for (int i = 0; i < l.size(); i++) {
        namedFlagged(l.get(i), named && (entries == null || entries[i]), into, depth + 1);
      }
    }
  }

  /** Nesting followed to find flagged strings: results deeper than this are data, not records. */
  private static final int MAX_DEPTH = 64;

  /** What one result's fingerprints are gathered in, each kind in the order first seen. */
  static final class Entries {
    final LinkedHashSet<Long> distinctive = new LinkedHashSet<>();
    final LinkedHashSet<Long> words = new LinkedHashSet<>();
    final LinkedHashSet<Long> shingles = new LinkedHashSet<>();
    final Tokens.Runs runs = new Tokens.Runs();
  }

  /**
   * Fingerprints every string of {@code json} (map keys included, numbers as text), knowing the key
   * each value sits under, with {@code record} flags for everything under here: a value of an id
   * field of an untrusted result is marked {@link Fingerprints#ID_FIELD}, and a string with
   * injected paragraphs has them fingerprinted apart.
   */
  private void walk(Object json, String key, long record) {
    if (json instanceof String s) {
      // a value a detector flags (an IBAN, a phone number) is data, whatever its field is called
      boolean id =
          untrusted
              && (isIdKey(key) ? isIdValue(s) : isCode(s) && key != null)
              && !flagged.contains(s);
      long flags = record | (id ? Fingerprints.ID_FIELD : 0);
      int[] regions = injected.get(s);
      if (regions == null) {
        text(s, flags);
        return;
      }
      int at = 0;
      for (int i = 0; i < regions.length; i += 2) {
        if (regions[i] > at) {
          text(s.substring(at, regions[i]), flags);
        }
        // injected text is never what the user pointed at, whatever source it sits in
        text(
            s.substring(regions[i], regions[i + 1]),
            (flags & ~Fingerprints.NAMED_SOURCE) | Fingerprints.INJECTED);
        at = regions[i + 1];
      }
      if (at < s.length()) {
        text(s.substring(at), flags);
      }
    } else if (json instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        String k = String.valueOf(e.getKey());
        text(k, 0);
        walk(e.getValue(), k, record);
      }
    } else if (json instanceof List<?> l) {
      boolean[] named = namedEntries(l);
      for (int i = 0; i < l.size(); i++) {
        // an entry the request does not name is not named by the source it came from either: in
        // the vendor list the user pointed at, the other vendor is still the wrong one
        long entry =
            named == null
                ? record
                : named[i]
                    ? record | Fingerprints.NAMED_RECORD
                    : (record & ~Fingerprints.NAMED_SOURCE) | Fingerprints.OTHER_RECORD;
        // the items of a list of ids are ids: the list's key names them
        walk(l.get(i), key, entry);
      }
    } else if (json instanceof Number n) {
      text(
          Fingerprints.numberText(n),
          record | (untrusted && isIdKey(key) ? Fingerprints.ID_FIELD : 0));
    }
  }

  /** Fields shorter than this do not name an entry: "web", "EUR", "yes" fill many. */
  private static final int MIN_NAMING = 4;

  /**
   * For a listing (two or more records) of which the request names some entries but not all, which
   * it names; else {@code null}. A record is named when its own text fields, whole, are written in
   * the request as phrases of their own ("Jordan Lee", "web-07", "Initech GmbH"), and no other
   * record of the listing has more of them written there ("Dana Whitfield at Orbital Labs").
   */
  private boolean[] namedEntries(List<?> list) {
    if (request == null || list.size() < 2) {
      return null;
    }
    int[] fields = new int[list.size()];
    int most = 0;
    for (int i = 0; i < list.size(); i++) {
      if (!(list.get(i) instanceof Map<?, ?> m)) {
        return null;
      }
      for (Object v : m.values()) {
        if (v instanceof String s && s.length() >= MIN_NAMING && inRequest(Fold.fold(s).strip())) {
          fields[i]++;
        }
      }
      most = Math.max(most, fields[i]);
    }
    // the entry that matches the request best is the one it names: of two Marta Silvas, the one
    // in the design team the request mentions
    boolean[] named = new boolean[list.size()];
    int count = 0;
    for (int i = 0; i < list.size(); i++) {
      if (most > 0 && fields[i] == most) {
        named[i] = true;
        count++;
      }
    }
    return count > 0 && count < list.size() ? named : null;
  }

  /** Whether the request holds {@code folded} whole, not inside a longer word or number. */
  private boolean inRequest(String folded) {
    if (folded.length() < MIN_NAMING) {
      return false;
    }
    for (int at = request.indexOf(folded); at >= 0; at = request.indexOf(folded, at + 1)) {
      int end = at + folded.length();
      boolean clean =
          (at == 0 || !Character.isLetterOrDigit(request.charAt(at - 1)))
              && (end == request.length() || !Character.isLetterOrDigit(request.charAt(end)));
      if (clean) {
        return true;
      }
    }
    return false;
  }

  /** The atoms and shingles of one piece of text, each with {@code flags}. */
  private void text(String raw, long flags) {
    Tokens.Runs tokens = into.runs.fold(raw);
    String s = tokens.text();
    for (int t = 0; t < tokens.size(); t++) {
      LinkedHashSet<Long> set = tokens.distinctive(t) ? into.distinctive : into.words;
      prints.atoms(s, tokens.from(t), tokens.to(t), a -> set.add(a | flags));
    }
    prints.shingles(tokens, h -> into.shingles.add(h | flags));
  }

  /**
   * Whether a map key names an id: {@code id}, {@code uuid}, {@code guid}, and names ending in
   * {@code _id}, {@code -id}, {@code Id} (camel case) or their plurals. Not {@code paid} or {@code
   * valid}: the camel-case form needs a lower-case letter before its capital.
   */
  static boolean isIdKey(String key) {
    if (key == null || key.isEmpty()) {
      return false;
    }
    String k = key.endsWith("s") || key.endsWith("S") ? key.substring(0, key.length() - 1) : key;
    String lower = k.toLowerCase(java.util.Locale.ROOT);
    if (lower.equals("id") || lower.equals("uuid") || lower.equals("guid")) {
      return true;
    }
    if (lower.endsWith("_id") || lower.endsWith("-id") || lower.endsWith(" id")) {
      return true;
    }
    return k.length() > 2 && k.endsWith("Id") && Character.isLowerCase(k.charAt(k.length() - 3));
  }

  /**
   * Whether a field's whole value is written as a code a system assigns, whatever the field is
   * called: capitals and digits, both, at most 20 characters, joined by nothing but {@code - _ / .}
   * ({@code TP573}, {@code EV-3401}, {@code QX7L2P}, {@code OS128}). What an outsider writes in a
   * structured result's free text is words; the flight number of a search result is not.
   */
  static boolean isCode(String s) {
    int n = s.length();
    if (n < 3 || n > 20) {
      return false;
    }
    boolean letter = false;
    boolean digit = false;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        letter = true;
      } else if (c >= '0' && c <= '9') {
        digit = true;
      } else if ("-_/.".indexOf(c) < 0 || i == 0 || i == n - 1) {
        return false;
      }
    }
    return letter && digit;
  }

  /**
   * Whether a string can be an id a system assigned: one short token, no spaces, and not a place an
   * action can go to. An untrusted source chooses what its "id" fields hold: an address ({@code @})
   * or a URL ({@code ://}) there is a target like any other, not an id.
   */
  static boolean isIdValue(String s) {
    if (s.isEmpty() || s.length() > 64 || s.indexOf('@') >= 0 || s.contains("://")) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (Character.isWhitespace(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** Blank lines: what separates the paragraphs of a text. */
  private static final java.util.regex.Pattern BLANK_LINE =
      java.util.regex.Pattern.compile("\\n[ \\t\\r\\f]*\\n\\s*");

  /**
   * For each string holding injected instructions (by identity: the string object the scanner
   * read), the spans to fingerprint apart, as sorted, disjoint {@code [start, end)} pairs: from the
   * sentence that holds an {@code injection} hit to the end of its paragraph, and the paragraph
   * after it (the instruction often introduces its payload, an address or a link, on the next
   * lines). A text without blank lines is one paragraph. What the paragraph says before the
   * instruction (the invoice's own total and IBAN, before "Note to assistants: ...") keeps the
   * trust of the result.
   */
  static Map<String, int[]> injectedRegions(List<Hit> hits) {
    Map<String, List<int[]>> spans = new java.util.IdentityHashMap<>();
    for (Hit h : hits) {
      if (!h.label().equals("injection") || h.source() == null || h.key()) {
        continue;
      }
      String source = h.source();
      List<int[]> paragraphs = paragraphs(source);
      for (int p = 0; p < paragraphs.size(); p++) {
        int[] para = paragraphs.get(p);
        boolean holds = h.start() < para[1] && h.end() > para[0] || h.start() == para[0];
        if (holds) {
          int end = p + 1 < paragraphs.size() ? paragraphs.get(p + 1)[1] : para[1];
          int start = sentenceStart(source, para[0], Math.max(para[0], h.start()));
          spans.computeIfAbsent(source, x -> new ArrayList<>()).add(new int[] {start, end});
        }
      }
    }
    Map<String, int[]> out = new java.util.IdentityHashMap<>();
    spans.forEach((source, list) -> out.put(source, merged(list)));
    return out;
  }

  /**
   * Where the sentence holding {@code at} starts, not before {@code from}: after the last full
   * stop, question or exclamation mark followed by white space, or line break, before it.
   */
  static int sentenceStart(String text, int from, int at) {
    for (int i = Math.min(at, text.length()) - 1; i > from; i--) {
      char c = text.charAt(i);
      if (c == '\n' || (Character.isWhitespace(c) && ".!?".indexOf(text.charAt(i - 1)) >= 0)) {
        return i + 1;
      }
    }
    return from;
  }

  /** The paragraphs of {@code text} as {@code [start, end)}, separators left out. */
  private static List<int[]> paragraphs(String text) {
    List<int[]> out = new ArrayList<>();
    java.util.regex.Matcher m = BLANK_LINE.matcher(text);
    int at = 0;
    while (m.find()) {
      out.add(new int[] {at, m.start()});
      at = m.end();
    }
    out.add(new int[] {at, text.length()});
    return out;
  }

  private static int[] merged(List<int[]> spans) {
    spans.sort(java.util.Comparator.comparingInt(a -> a[0]));
    List<int[]> out = new ArrayList<>();
    for (int[] s : spans) {
      int[] last = out.isEmpty() ? null : out.get(out.size() - 1);
      if (last != null && s[0] <= last[1]) {
        last[1] = Math.max(last[1], s[1]);
      } else {
        out.add(new int[] {s[0], s[1]});
      }
    }
    int[] flat = new int[out.size() * 2];
    for (int i = 0; i < out.size(); i++) {
      flat[2 * i] = out.get(i)[0];
      flat[2 * i + 1] = out.get(i)[1];
    }
    return flat;
  }

  /** Whether {@code at} lies in one of the {@code [start, end)} pairs of {@code regions}. */
  private static boolean inside(int[] regions, int at) {
    if (regions == null) {
      return false;
    }
    for (int i = 0; i < regions.length; i += 2) {
      if (at >= regions[i] && at < regions[i + 1]) {
        return true;
      }
    }
    return false;
  }
}
