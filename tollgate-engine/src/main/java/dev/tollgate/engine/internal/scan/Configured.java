package dev.tollgate.engine.internal.scan;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Detectors a bundle configures: regular expressions, keywords and exact data. */
final class Configured {
  private Configured() {}

  /**
   * The excerpt of a configured match: bullets, and the last two characters when the value has at
   * least eight (enough to tell two values apart, never enough to read one).
   */
  static String mask(String value) {
    int n = value.codePointCount(0, value.length());
    if (n < 8) {
      return "••••";
    }
    return "••••" + value.substring(value.offsetByCodePoints(0, n - 2));
  }

  /**
   * A regular expression run on the folded view (invisible characters removed, look-alikes folded,
   * case kept). With anchors it runs only on texts where one occurred; without, on every text.
   */
  static final class Regex extends Finder {
    private final Pattern pattern;
    private final List<String> anchors;

    Regex(String name, String label, Pattern pattern, List<String> anchors) {
      super(name, label);
      this.pattern = pattern;
      this.anchors = anchors;
    }

    @Override
    Trigger trigger() {
      return anchors.isEmpty() ? Trigger.ALWAYS : Trigger.ANCHOR;
    }

    @Override
    List<String> anchors() {
      return anchors;
    }

    @Override
    void atAnchor(Text t, int anchor, int start, int end) {
      if (t.firstRegexRun(this)) {
        afterPass(t);
      }
    }

    @Override
    void afterPass(Text t) {
      Matcher m = pattern.matcher(new Metered(t.view, t.scan));
      while (m.find()) {
        if (m.end() > m.start()) {
          String value = m.group();
          t.report(this, m.start(), m.end(), value, mask(value));
        }
      }
    }
  }

  /**
   * The text as a configured regex reads it, charging the scan's budget one unit per {@value
   * #STEPS_PER_UNIT} characters looked at. A regex of a bundle may backtrack without end on some
   * input; metered, it ends the scan with a limit instead (and the caller denies).
   */
  static final class Metered implements CharSequence {
    static final int STEPS_PER_UNIT = 16;
    private static final int BATCH = 4096;

    private final String text;
    private final Scan scan;
    private int steps;

    Metered(String text, Scan scan) {
      this.text = text;
      this.scan = scan;
    }

    @Override
    public char charAt(int index) {
      if (++steps == BATCH) {
        steps = 0;
        scan.charge(BATCH / STEPS_PER_UNIT);
      }
      return text.charAt(index);
    }

    @Override
    public int length() {
      return text.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return text.substring(start, end);
    }

    @Override
    public String toString() {
      return text;
    }
  }

  /**
   * The literals every match of {@code regex} contains, for the prefilter: its leading literal text
   * when it has no top-level alternation (so {@code EMP-[0-9]{6}} gives {@code EMP-}), else none.
   * Two characters at least; folded like the text they are matched on.
   */
  static List<String> requiredLiterals(String regex) {
    String r = regex;
    if (r.startsWith("(?")) {
      int close = r.indexOf(')');
      String flags = close < 0 ? "" : r.substring(2, close);
      if (close < 0 || !flags.matches("[imsuU-]*")) {
        return List.of();
      }
      r = r.substring(close + 1);
    }
    if (hasTopLevelAlternation(r)) {
      return List.of();
    }
    StringBuilder literal = new StringBuilder();
    int i = r.startsWith("^") ? 1 : 0;
    while (i < r.length()) {
      char c = r.charAt(i);
      if (c == '\\') {
        if (i + 1 >= r.length() || Character.isLetterOrDigit(r.charAt(i + 1))) {
          break;
        }
        literal.append(r.charAt(i + 1));
        i += 2;
      } else if (".[](){}*+?^$|".indexOf(c) >= 0) {
        if ((c == '*' || c == '?' || c == '{') && literal.length() > 0) {
          literal.setLength(literal.length() - 1);
        }
        break;
      } else {
        literal.append(c);
        i++;
      }
    }
    String folded = Fold.fold(literal);
    return folded.length() >= 2 ? List.of(folded) : List.of();
  }

  private static boolean hasTopLevelAlternation(String r) {
    int depth = 0;
    boolean inClass = false;
    for (int i = 0; i < r.length(); i++) {
      char c = r.charAt(i);
      if (c == '\\') {
        i++;
      } else if (inClass) {
        inClass = c != ']';
      } else if (c == '[') {
        inClass = true;
      } else if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == '|' && depth == 0) {
        return true;
      }
    }
    return false;
  }

  /** Words or phrases, folded, matched whole (no word character on either side). */
  static final class Keywords extends Finder {
    private final List<String> keywords;

    Keywords(String name, String label, Collection<String> keywords) {
      super(name, label);
      Set<String> folded = new LinkedHashSet<>();
      for (String k : keywords) {
        String f = Text.SPACES.matcher(Fold.fold(k).strip()).replaceAll(" ");
        if (!f.isEmpty()) {
          folded.add(f);
        }
      }
      if (folded.isEmpty()) {
        throw new IllegalArgumentException("no keywords in detector `" + name + "`");
      }
      this.keywords = List.copyOf(folded);
    }

    @Override
    Trigger trigger() {
      return Trigger.ANCHOR;
    }

    @Override
    List<String> anchors() {
      return keywords;
    }

    @Override
    void atAnchor(Text t, int anchor, int start, int end) {
      if (Text.isWordChar(t.at(start - 1)) || Text.isWordChar(t.at(end))) {
        return;
      }
      String value = keywords.get(anchor);
      t.report(this, start, end, value, mask(value));
    }
  }

  /**
   * Exact values (customer ids, account numbers of a list), kept only as salted SipHash-2-4
   * fingerprints of their normalized form (folded, letters and digits only, lower case): the clear
   * values are dropped once hashed, and the salt is drawn anew at every load. The text's candidates
   * are its runs of letters and digits, alone or joined across single {@code - _ . /} or space
   * separators (so {@code CUST 00123} and {@code cust_00123} meet {@code CUST-00123}), whose
   * normalized length is the length of some value; only those are hashed.
   */
  static final class Exact extends Finder {
    /** Fewest letters and digits a value may have: shorter ones would match everywhere. */
    static final int MIN_VALUE_LENGTH = 4;

    private static final int MAX_JOINED_RUNS = 8;

    private final HashFunction hash;
    private final long[] fingerprints;
    private final BitSet lengths = new BitSet();
    private final int maxLength;

    /**
     * @throws IllegalArgumentException when no value has {@value #MIN_VALUE_LENGTH} letters and
     *     digits (shorter values are left out; the loader reports them with their line)
     */
    Exact(String name, String label, Collection<String> values) {
      super(name, label);
      SecureRandom random = new SecureRandom();
      this.hash = Hashing.sipHash24(random.nextLong(), random.nextLong());
      List<Long> prints = new ArrayList<>();
      int max = 0;
      for (String value : values) {
        String normalized = Fold.compact(value);
        if (normalized.length() < MIN_VALUE_LENGTH) {
          continue;
        }
        prints.add(fingerprint(normalized));
        lengths.set(normalized.length());
        max = Math.max(max, normalized.length());
      }
      if (prints.isEmpty()) {
        throw new IllegalArgumentException(
            "no value of "
                + MIN_VALUE_LENGTH
                + " letters and digits or more in detector `"
                + name
                + "`");
      }
      this.fingerprints = prints.stream().mapToLong(Long::longValue).sorted().distinct().toArray();
      this.maxLength = max;
    }

    private long fingerprint(CharSequence normalized) {
      return hash.hashUnencodedChars(normalized).asLong();
    }

    @Override
    Trigger trigger() {
      return Trigger.ALWAYS;
    }

    @Override
    void afterPass(Text t) {
      String v = t.view;
      int n = v.length();
      Text.Ints runs = new Text.Ints();
      int i = 0;
      while (i < n) {
        while (i < n && !Text.isWordChar(v.charAt(i))) {
          i++;
        }
        runs.clear();
        while (i < n && Text.isWordChar(v.charAt(i))) {
          int s = i;
          while (i < n && Text.isWordChar(v.charAt(i))) {
            i++;
          }
          runs.add(s);
          runs.add(i);
          if (i + 1 < n && "-_./ ".indexOf(v.charAt(i)) >= 0 && Text.isWordChar(v.charAt(i + 1))) {
            i++;
          } else {
            break;
          }
        }
        match(t, runs);
      }
    }

    /**
     * For each run, the longest join of it and the runs after it that is a value; a match moves on
     * past its last run. The view is folded already, so normalizing a run is lower-casing it.
     */
    private void match(Text t, Text.Ints runs) {
      String v = t.view;
      int count = runs.size() / 2;
      StringBuilder joined = new StringBuilder(maxLength + 16);
      int a = 0;
      while (a < count) {
        joined.setLength(0);
        int matched = -1;
        for (int b = a; b < count && b - a < MAX_JOINED_RUNS; b++) {
          int s = runs.get(2 * b);
          int e = runs.get(2 * b + 1);
          if (joined.length() + e - s > maxLength) {
            break;
          }
          for (int k = s; k < e; k++) {
            joined.append(Character.toLowerCase(v.charAt(k)));
          }
          if (lengths.get(joined.length())
              && Arrays.binarySearch(fingerprints, fingerprint(joined)) >= 0) {
            matched = b;
          }
        }
        if (matched >= 0) {
          int s = runs.get(2 * a);
          int e = runs.get(2 * matched + 1);
          String value = Fold.compact(v.substring(s, e));
          t.report(this, s, e, value, mask(value));
          a = matched + 1;
        } else {
          a++;
        }
      }
    }
  }
}
