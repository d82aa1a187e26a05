package dev.tollgate.engine.internal.scan;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
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
      if (!t.wasRegexRun(this)) {
        t.markRegexRun(this);
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
        String f = Fold.fold(k).strip().replaceAll("\\s+", " ");
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
   * fingerprints of their normalized form (folded, letters and digits only): the clear values are
   * dropped once hashed. The text's candidates are its alphanumeric runs, alone or joined across
   * single {@code - _ .} separators, whose normalized length lies within the values' range.
   */
  static final class Exact extends Finder {
    private static final int MAX_JOINED_RUNS = 8;

    private final HashFunction hash;
    private final long[] fingerprints;
    private final int minLength;
    private final int maxLength;

    Exact(String name, String label, Collection<String> values) {
      super(name, label);
      SecureRandom random = new SecureRandom();
      this.hash = Hashing.sipHash24(random.nextLong(), random.nextLong());
      List<Long> prints = new ArrayList<>();
      int min = Integer.MAX_VALUE;
      int max = 0;
      for (String value : values) {
        String normalized = normalize(value);
        if (normalized.isEmpty()) {
          continue;
        }
        prints.add(fingerprint(normalized));
        min = Math.min(min, normalized.length());
        max = Math.max(max, normalized.length());
      }
      if (prints.isEmpty()) {
        throw new IllegalArgumentException("no values in detector `" + name + "`");
      }
      this.fingerprints = prints.stream().mapToLong(Long::longValue).sorted().distinct().toArray();
      this.minLength = min;
      this.maxLength = max;
    }

    static String normalize(String value) {
      String folded = Fold.fold(value);
      StringBuilder out = new StringBuilder(folded.length());
      for (int i = 0; i < folded.length(); i++) {
        char c = folded.charAt(i);
        if (Character.isLetterOrDigit(c)) {
          out.append(c);
        }
      }
      return out.toString();
    }

    private long fingerprint(String normalized) {
      return hash.hashString(normalized, StandardCharsets.UTF_8).asLong();
    }

    int size() {
      return fingerprints.length;
    }

    @Override
    Trigger trigger() {
      return Trigger.ALWAYS;
    }

    @Override
    void afterPass(Text t) {
      String v = t.view;
      int n = v.length();
      int i = 0;
      List<int[]> runs = new ArrayList<>();
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
          runs.add(new int[] {s, i});
          if (i + 1 < n && "-_.".indexOf(v.charAt(i)) >= 0 && Text.isWordChar(v.charAt(i + 1))) {
            i++;
          } else {
            break;
          }
        }
        match(t, runs);
      }
    }

    private void match(Text t, List<int[]> runs) {
      int a = 0;
      while (a < runs.size()) {
        StringBuilder joined = new StringBuilder();
        int matched = -1;
        for (int b = a; b < runs.size() && b - a < MAX_JOINED_RUNS; b++) {
          joined.append(t.view, runs.get(b)[0], runs.get(b)[1]);
          if (joined.length() > maxLength) {
            break;
          }
          if (joined.length() >= minLength) {
            String normalized = normalize(joined.toString());
            if (Arrays.binarySearch(fingerprints, fingerprint(normalized)) >= 0) {
              matched = b;
            }
          }
        }
        if (matched >= 0) {
          String value = t.view.substring(runs.get(a)[0], runs.get(matched)[1]);
          t.report(
              this, runs.get(a)[0], runs.get(matched)[1], normalize(value), mask(normalize(value)));
          a = matched + 1;
        } else {
          a++;
        }
      }
    }
  }
}
