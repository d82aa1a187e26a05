package dev.tollgate.engine.internal.scan;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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
  final String raw;
  final String view;
  private final int[] toRaw;

  /**
   * The view's characters for the scanner's pass, at least {@code view.length()} of them. Valid
   * only until the next text of the scan is made (it may be the scan's shared buffer): the pass
   * runs right after.
   */
  final char[] viewChars;

  /** Whether folding removed invisible characters (then hidden Unicode is looked for). */
  final boolean invisible;

  final String path;
  final boolean key;
  final int depth;

  /** The text this one was decoded from, or {@code null}. */
  private final Text parent;

  /** How this text was decoded from its parent, or {@code null}. */
  private final String encoding;

  /** For base64: the span of the run in the parent's raw string. */
  private final int parentStart;

  private final int parentEnd;

  /** For URL decoding: index in the parent's raw string of each char of {@code raw}. */
  private final int[] parentIndex;

  // What the pass found. The lists are the scan's, one set per decoding depth, cleared here:
  // texts of one depth are scanned one after the other, never at the same time.
  final Ints anchorHits;
  final Ints digitRuns;
  final Ints atSigns;
  final Ints base64Runs;
  final Ints phoneContext;
  final Ints ssnContext;
  boolean percent;
  boolean plus;

  /** Digits in the longest chunk of digit runs joined by single spaces or dashes. */
  int maxChunkDigits;

  /** Whether a digit run starts after two letters that begin a word, as an IBAN's does. */
  boolean ibanCandidate;

  /**
   * View positions inside a reported span: of any finder, and of each finder. Bit sets keep the
   * checks below cheap however many hits a text has (a list of spans made them quadratic).
   */
  private BitSet reported;

  private Map<Finder, BitSet> reportedBy;

  /** Where the next {@code -----END} is at or after {@link #endSearchedFrom}; -1 for none. */
  private int nextPemEnd = -1;

  private int endSearchedFrom = Integer.MAX_VALUE;

  /** Anchored regexes run on this text already: each runs over the whole text once at most. */
  private Set<Finder> ranRegexes;

  private Numbers.Chunk[] cardChunks;
  private Numbers.Chunk[] phoneChunks;

  Text(Scan scan, String raw, String path, boolean key) {
    this(scan, raw, path, key, 0, null, null, 0, 0, null);
  }

  private Text(
      Scan scan,
      String raw,
      String path,
      boolean key,
      int depth,
      Text parent,
      String encoding,
      int parentStart,
      int parentEnd,
      int[] parentIndex) {
    this.scan = scan;
    this.raw = raw;
    Fold.View v = Fold.view(raw, scan.chars(raw.length()));
    this.view = v.text();
    this.viewChars = v.chars();
    this.toRaw = v.toOriginal();
    this.invisible = v.invisible();
    this.path = path;
    this.key = key;
    this.depth = depth;
    Ints[] lists = scan.lists(depth);
    this.anchorHits = lists[0];
    this.digitRuns = lists[1];
    this.atSigns = lists[2];
    this.base64Runs = lists[3];
    this.phoneContext = lists[4];
    this.ssnContext = lists[5];
    this.parent = parent;
    this.encoding = encoding;
    this.parentStart = parentStart;
    this.parentEnd = parentEnd;
    this.parentIndex = parentIndex;
  }

  /** A text decoded from the run {@code [start, end)} of this text's raw string. */
  Text decodedRun(String decoded, String how, int start, int end) {
    return new Text(scan, decoded, path, key, depth + 1, this, how, start, end, null);
  }

  /** A text decoded char by char: {@code index[i]} is where char {@code i} came from in raw. */
  Text decodedMapped(String decoded, String how, int[] index) {
    return new Text(scan, decoded, path, key, depth + 1, this, how, 0, 0, index);
  }

  int rawIndex(int viewIndex) {
    return toRaw == null ? viewIndex : toRaw[viewIndex];
  }

  /** Whether {@code finder} already reported a span containing view index {@code at}. */
  boolean covered(Finder finder, int at) {
    if (reportedBy == null) {
      return false;
    }
    BitSet mine = reportedBy.get(finder);
    return mine != null && at >= 0 && mine.get(at);
  }

  /** Whether any finder reported a span overlapping {@code [start, end)}. */
  boolean overlapsReported(int start, int end) {
    if (reported == null) {
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
      if (reported == null) {
        reported = new BitSet();
        reportedBy = new IdentityHashMap<>(4);
      }
      reported.set(start, end);
      reportedBy.computeIfAbsent(finder, f -> new BitSet()).set(start, end);
    }
    int s = rawIndex(start);
    reportRaw(finder, s, Math.max(s, rawIndex(end)), value, excerpt);
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
            path,
            s,
            e,
            folded,
            safe(excerpt, folded, finder),
            key,
            how));
  }

  /**
   * The excerpt, or when it would show the value (a short address, a password that is also the user
   * name) only the detector's name. Every excerpt passes here: this is where the rule "an excerpt
   * never holds the clear value" is kept, whatever a finder composed.
   */
  static String safe(String excerpt, String foldedValue, Finder finder) {
    String shown = lowerAlnum(excerpt);
    String compact = lowerAlnum(foldedValue);
    boolean shows =
        compact.length() >= 4
            ? shown.contains(compact)
            : !foldedValue.isEmpty() && Fold.fold(excerpt).contains(foldedValue);
    return shows ? "[" + finder.name + "]" : excerpt;
  }

  /** The letters and digits of {@code s}, lower case. */
  private static String lowerAlnum(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80 ? isAlnum(c) : Character.isLetterOrDigit(c)) {
        out.append(Character.toLowerCase(c));
      }
    }
    return out.toString();
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
    if (ranRegexes == null) {
      ranRegexes = Collections.newSetFromMap(new IdentityHashMap<>());
    }
    return ranRegexes.add(finder);
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
