package dev.tollgate.engine.internal.scan;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One string being scanned: the original ({@code raw}), its folded view, what the pass over the
 * view found (anchor occurrences, digit runs, {@code @} signs, base64-looking runs, context words)
 * and the spans already reported. A decoded string (base64, URL-encoded, Unicode tags) is a text of
 * its own whose spans are lifted to the string it was decoded from. Not thread-safe: one scan.
 */
final class Text {
  /** Runs of white space, which phrases are compared with as one space. */
  static final Pattern SPACES = Pattern.compile("\\s+");

  final Scan scan;
  String raw;
  String view;
  private int[] toRaw;

  /**
   * The view's characters for the scanner's pass, at least {@code view.length()} of them. Valid
   * only until the next text of the scan is made (it may be the scan's shared buffer): the pass
   * runs right after.
   */
  char[] viewChars;

  /** Whether folding removed invisible characters (then hidden Unicode is looked for). */
  boolean invisible;

  /** Whether the view is the raw string taken for ASCII, before the pass has checked it. */
  boolean asciiUnchecked;

  /** The entry of the scan's path table this string sits at; its pointer is made on demand. */
  private int pathEntry;

  /** The pointer of {@link #pathEntry}, once a hit needed it. */
  private String path;

  boolean key;
  final int depth;

  /** The text this one was decoded from, or {@code null}. */
  private Text parent;

  /** How this text was decoded from its parent, or {@code null}. */
  private String encoding;

  /** For base64: the span of the run in the parent's raw string. */
  private int parentStart;

  private int parentEnd;

  /** For URL decoding: index in the parent's raw string of each char of {@code raw}. */
  private int[] parentIndex;

  // What the pass found. The lists are the scan's, one set per decoding depth, cleared here:
  // texts of one depth are scanned one after the other, never at the same time.
  Ints anchorHits;
  Ints digitRuns;
  Ints atSigns;
  Ints base64Runs;
  Ints phoneContext;
  Ints ssnContext;
  boolean percent;
  boolean plus;

  /** Digits in the longest chunk of digit runs joined by single spaces or dashes. */
  int maxChunkDigits;

  /** Whether a digit run starts after two letters that begin a word, as an IBAN's does. */
  boolean ibanCandidate;

  /**
   * View positions inside a reported span: of any finder, and of each finder. Bit sets keep the
   * checks below cheap however many hits a text has (a list of spans made them quadratic). They are
   * kept from one string to the next and cleared only when something was reported.
   */
  private final BitSet reported = new BitSet();

  private boolean anyReported;

  /** The finders that reported in this text, and their spans: few, so a linear search. */
  private Finder[] reportedFinders = new Finder[4];

  private BitSet[] reportedSpans = new BitSet[4];
  private int reportingFinders;

  /** Where the next {@code -----END} is at or after {@link #endSearchedFrom}; -1 for none. */
  private int nextPemEnd;

  private int endSearchedFrom;

  /** Anchored regexes run on this text already: each runs over the whole text once at most. */
  private Finder[] ranRegexes;

  private int ranRegexCount;

  private Numbers.Chunk[] cardChunks;
  private Numbers.Chunk[] phoneChunks;

  /** The scan's text of decoding depth {@code depth}: {@link #reset} before each use. */
  Text(Scan scan, int depth) {
    this.scan = scan;
    this.depth = depth;
  }

  /**
   * Makes this the text of {@code raw}: its view, and every per-string field as new. For plain
   * ASCII, the common case, this allocates nothing: the view is the string itself and its chars are
   * in the scan's buffer.
   */
  Text reset(
      String raw,
      int pathEntry,
      boolean key,
      Text parent,
      String encoding,
      int parentStart,
      int parentEnd,
      int[] parentIndex) {
    this.raw = raw;
    int n = raw.length();
    char[] scratch = scan.chars(n);
    raw.getChars(0, n, scratch, 0);
    // Taken for plain ASCII, the common case, whose view is the string itself: the scanner's pass
    // reads every character anyway and calls fold() at the first that is not ASCII (a separate
    // check read every string twice).
    this.view = raw;
    this.viewChars = scratch;
    this.toRaw = null;
    this.invisible = false;
    this.asciiUnchecked = true;
    this.pathEntry = pathEntry;
    this.path = null;
    this.key = key;
    Ints[] lists = scan.lists(depth);
    this.anchorHits = lists[0];
    this.digitRuns = lists[1];
    this.atSigns = lists[2];
    this.base64Runs = lists[3];
    this.phoneContext = lists[4];
    this.ssnContext = lists[5];
    this.percent = false;
    this.plus = false;
    this.maxChunkDigits = 0;
    this.ibanCandidate = false;
    if (anyReported) {
      reported.clear();
      for (int i = 0; i < reportingFinders; i++) {
        reportedSpans[i].clear();
        reportedFinders[i] = null;
      }
      reportingFinders = 0;
      anyReported = false;
    }
    this.nextPemEnd = -1;
    this.endSearchedFrom = Integer.MAX_VALUE;
    if (ranRegexCount > 0) {
      Arrays.fill(ranRegexes, 0, ranRegexCount, null);
      ranRegexCount = 0;
    }
    this.cardChunks = null;
    this.phoneChunks = null;
    this.parent = parent;
    this.encoding = encoding;
    this.parentStart = parentStart;
    this.parentEnd = parentEnd;
    this.parentIndex = parentIndex;
    return this;
  }

  /**
   * Makes the folded view, after the pass met a character outside ASCII in a text taken for ASCII;
   * what that pass found is dropped, and the pass runs again on the view.
   */
  void fold() {
    Fold.View v = Fold.view(raw, scan.chars(raw.length()));
    this.view = v.text();
    this.viewChars = v.chars();
    this.toRaw = v.toOriginal();
    this.invisible = v.invisible();
    this.asciiUnchecked = false;
    scan.lists(depth);
    this.percent = false;
    this.plus = false;
    this.maxChunkDigits = 0;
    this.ibanCandidate = false;
  }

  /** The JSON pointer of the string this text is (or was decoded from). */
  String path() {
    if (parent != null) {
      return parent.path();
    }
    if (path == null) {
      path = scan.pointer(pathEntry);
    }
    return path;
  }

  /** A text decoded from the run {@code [start, end)} of this text's raw string. */
  Text decodedRun(String decoded, String how, int start, int end) {
    return scan.text(depth + 1).reset(decoded, pathEntry, key, this, how, start, end, null);
  }

  /** A text decoded char by char: {@code index[i]} is where char {@code i} came from in raw. */
  Text decodedMapped(String decoded, String how, int[] index) {
    return scan.text(depth + 1).reset(decoded, pathEntry, key, this, how, 0, 0, index);
  }

  int rawIndex(int viewIndex) {
    return toRaw == null ? viewIndex : toRaw[viewIndex];
  }

  /** Whether {@code finder} already reported a span containing view index {@code at}. */
  boolean covered(Finder finder, int at) {
    if (!anyReported || at < 0) {
      return false;
    }
    for (int i = 0; i < reportingFinders; i++) {
      if (reportedFinders[i] == finder) {
        return reportedSpans[i].get(at);
      }
    }
    return false;
  }

  /** Whether any finder reported a span overlapping {@code [start, end)}. */
  boolean overlapsReported(int start, int end) {
    if (!anyReported) {
      return false;
    }
    int next = reported.nextSetBit(Math.max(0, start));
    return next >= 0 && next < end;
  }

  /**
   * The position of the first {@code -----END} at or after {@code from}, or -1. Finders ask with
   * increasing {@code from}, so the view is searched once, not once per question.
   */
  int pemEnd(int from) {
    if (from < endSearchedFrom || (nextPemEnd >= 0 && nextPemEnd < from)) {
      nextPemEnd = view.indexOf("-----END", from);
      endSearchedFrom = from;
    }
    return nextPemEnd;
  }

  /**
   * Reports a match at {@code [start, end)} of the view.
   *
   * @param value the clear value (folded again here)
   * @param excerpt the masked form, which must not contain the value and which stands in for
   *     exactly {@code [start, end)}: redaction puts it in the span's place
   */
  void report(Finder finder, int start, int end, String value, String excerpt) {
    if (end > start) {
      anyReported = true;
      reported.set(start, end);
      spansOf(finder).set(start, end);
    }
    int s = rawIndex(start);
    reportRaw(finder, s, Math.max(s, rawIndex(end)), value, excerpt);
  }

  private BitSet spansOf(Finder finder) {
    for (int i = 0; i < reportingFinders; i++) {
      if (reportedFinders[i] == finder) {
        return reportedSpans[i];
      }
    }
    if (reportingFinders == reportedFinders.length) {
      reportedFinders = Arrays.copyOf(reportedFinders, reportingFinders * 2);
      reportedSpans = Arrays.copyOf(reportedSpans, reportingFinders * 2);
    }
    if (reportedSpans[reportingFinders] == null) {
      reportedSpans[reportingFinders] = new BitSet();
    }
    reportedFinders[reportingFinders] = finder;
    return reportedSpans[reportingFinders++];
  }

  /** Reports a match at {@code [s, e)} of the raw string. */
  void reportRaw(Finder finder, int s, int e, String value, String excerpt) {
    String how = null;
    Text t = this;
    while (t.parent != null) {
      if (t.parentIndex != null) {
        s = t.parentIndex[s];
        e = e < t.parentIndex.length ? t.parentIndex[e] : t.parentIndex[t.parentIndex.length - 1];
      } else {
        s = t.parentStart;
        e = t.parentEnd;
      }
      how = t.encoding;
      t = t.parent;
    }
    String folded = Fold.fold(value);
    scan.add(
        new Hit(
            finder.name,
            finder.label,
            path(),
            s,
            e,
            folded,
            safe(excerpt, folded, finder),
            key,
            how,
            t.raw));
  }

  /**
   * The excerpt, or when it would show the value (a short address, a password that is also the user
   * name) only the detector's name. Every excerpt passes here: this is where the rule "an excerpt
   * never holds the clear value" is kept, whatever a finder composed.
   */
  static String safe(String excerpt, String foldedValue, Finder finder) {
    int valueAlnum = alnumCount(foldedValue);
    boolean shows =
        valueAlnum >= 4
            // an excerpt with fewer letters and digits than the value cannot hold them all (the
            // common case: an excerpt is shorter than its value), so the search is skipped
            ? excerpt.length() >= valueAlnum
                && alnumCount(excerpt) >= valueAlnum
                && containsAlnum(excerpt, foldedValue)
            : !foldedValue.isEmpty() && Fold.fold(excerpt).contains(foldedValue);
    return shows ? "[" + finder.name + "]" : excerpt;
  }

  private static boolean isAlnumAny(char c) {
    return c < 0x80 ? isAlnum(c) : Character.isLetterOrDigit(c);
  }

  private static int alnumCount(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      if (isAlnumAny(s.charAt(i))) {
        n++;
      }
    }
    return n;
  }

  /**
   * Whether the letters and digits of {@code needle}, lower case, occur in a row among those of
   * {@code hay}: what comparing the two with everything else removed would say, without making
   * either string (this runs for every hit).
   */
  static boolean containsAlnum(String hay, String needle) {
    for (int start = 0; start < hay.length(); start++) {
      if (!isAlnumAny(hay.charAt(start))) {
        continue;
      }
      int h = start;
      int k = 0;
      while (true) {
        while (k < needle.length() && !isAlnumAny(needle.charAt(k))) {
          k++;
        }
        if (k == needle.length()) {
          return true;
        }
        while (h < hay.length() && !isAlnumAny(hay.charAt(h))) {
          h++;
        }
        if (h == hay.length()
            || Character.toLowerCase(hay.charAt(h)) != Character.toLowerCase(needle.charAt(k))) {
          break;
        }
        h++;
        k++;
      }
    }
    return false;
  }

  /** Lower-case view of {@code [start, end)}, clipped to the text. */
  String lowerWindow(int start, int end) {
    return view.substring(Math.max(0, start), Math.min(view.length(), end))
        .toLowerCase(Locale.ROOT);
  }

  char at(int i) {
    return i >= 0 && i < view.length() ? view.charAt(i) : '\0';
  }

  /**
   * Whether a context word of {@code words} ended within {@code distance} chars before {@code at}.
   */
  static boolean near(Ints words, int at, int distance) {
    for (int i = 0; i < words.size(); i++) {
      int end = words.get(i);
      if (end <= at && at - end <= distance) {
        return true;
      }
    }
    return false;
  }

  /** The digit chunks, computed once per text for each separator style. */
  Numbers.Chunk[] chunks(boolean phoneStyle) {
    if (phoneStyle) {
      if (phoneChunks == null) {
        phoneChunks = Numbers.chunks(this, true);
      }
      return phoneChunks;
    }
    if (cardChunks == null) {
      cardChunks = Numbers.chunks(this, false);
    }
    return cardChunks;
  }

  /** Marks {@code finder} as run on this text; false when it had run already. */
  boolean firstRegexRun(Finder finder) {
    for (int i = 0; i < ranRegexCount; i++) {
      if (ranRegexes[i] == finder) {
        return false;
      }
    }
    if (ranRegexes == null) {
      ranRegexes = new Finder[4];
    } else if (ranRegexCount == ranRegexes.length) {
      ranRegexes = Arrays.copyOf(ranRegexes, ranRegexCount * 2);
    }
    ranRegexes[ranRegexCount++] = finder;
    return true;
  }

  static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  static boolean isAlnum(char c) {
    return isDigit(c) || isAsciiLetter(c);
  }

  /** Whether {@code c} continues a word: ASCII letters and digits, and any non-ASCII letter. */
  static boolean isWordChar(char c) {
    return isAlnum(c) || (c >= 0x80 && Character.isLetterOrDigit(c));
  }

  /** A growable list of ints, to record what the pass finds without boxing. */
  static final class Ints {
    private int[] items = new int[8];
    private int size;

    void add(int value) {
      if (size == items.length) {
        items = Arrays.copyOf(items, size * 2);
      }
      items[size++] = value;
    }

    int get(int i) {
      return items[i];
    }

    int size() {
      return size;
    }

    boolean isEmpty() {
      return size == 0;
    }

    void clear() {
      size = 0;
    }
  }
}
