package dev.tollgate.engine.internal.flow;

import dev.tollgate.engine.internal.scan.Fold;
import java.util.List;
import java.util.Map;

/**
 * Whether a read's arguments name a source the user's request names: "pay the bill in
 * utilities/2026-11-stadtwerke.pdf", "invite everyone in the pinned message of #onboarding-dec",
 * "reply to Priya's mail". What such a read returns is what the user pointed at, so values taken
 * from it (the bill's IBAN, the people listed) are what the user asked for, unless they were read
 * in a paragraph of injected instructions.
 *
 * <p>Judged on the action the gate decided, never on what a caller says about it: the read's own
 * arguments, against the request. An argument names the source when its value is written whole in
 * the request and is distinctive (a path, a file name, a #channel, an id, an address, a URL: it
 * holds a digit or one of {@code . / @ # - _ :}), or is a single word the request writes with a
 * capital (a name: "Stadtwerke"); an address also when a part of its local name is a name the
 * request writes with a capital ({@code priya.nair@...} for "Priya's mail"). A search phrase is not
 * a source, whether it has spaces or is one word under a search argument ({@code query}): its
 * results are whatever matched.
 */
public final class NamedSources {
  /** Shorter values name nothing: "inbox", "all", "new" are in many requests. */
  private static final int MIN_LENGTH = 4;

  /** Parts of an address's local name shorter than this are initials, not a name. */
  private static final int MIN_NAME = 3;

  private NamedSources() {}

  /** Whether some value of {@code args} names a source the request names. */
  public static boolean names(String request, Map<String, Object> args) {
    if (request == null || request.isBlank() || args == null || args.isEmpty()) {
      return false;
    }
    String folded = Fold.fold(request);
    for (Map.Entry<String, Object> e : args.entrySet()) {
      boolean search = SEARCH_KEYS.contains(e.getKey().toLowerCase(java.util.Locale.ROOT));
      if (names(request, folded, e.getValue(), search, 0)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Arguments that select by content: whoever writes the content chooses what they match, so a
   * search for "Globex" returns the impostor's mail as readily as Globex's. Only a distinctive
   * value the request names (a file name, an id) names a source there.
   */
  private static final java.util.Set<String> SEARCH_KEYS =
      java.util.Set.of(
          "query",
          "q",
          "search",
          "keywords",
          "keyword",
          "term",
          "terms",
          "text",
          "contains",
          "filter",
          "match",
          "prompt");

  private static boolean names(
      String request, String folded, Object value, boolean search, int depth) {
    if (depth > 4) {
      return false;
    }
    if (value instanceof String s) {
      return namesValue(request, folded, s, search);
    }
    if (value instanceof List<?> l) {
      for (Object o : l) {
        if (names(request, folded, o, search, depth + 1)) {
          return true;
        }
      }
    } else if (value instanceof Map<?, ?> m) {
      for (Object o : m.values()) {
        if (names(request, folded, o, search, depth + 1)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean namesValue(String request, String folded, String raw, boolean search) {
    String v = Fold.fold(raw).strip();
    if (v.length() < MIN_LENGTH || v.indexOf(' ') >= 0) {
      return false;
    }
    if (distinctive(v) && (whole(folded, v) || (v.charAt(0) != '#' && whole(folded, "#" + v)))) {
      return true;
    }
    int at = v.indexOf('@');
    if (search) {
      // a search for a file name or an id finds that one; a search for a word finds anything
      return false;
    }
    if (at > 0) {
      for (String part : v.substring(0, at).split("[._+-]")) {
        if (part.length() >= MIN_NAME && capitalized(request, folded, part)) {
          return true;
        }
      }
      return false;
    }
    return isWord(v) && capitalized(request, folded, v);
  }

  private static boolean distinctive(String v) {
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (Character.isDigit(c) || "./@#-_:".indexOf(c) >= 0) {
        return true;
      }
    }
    return false;
  }

  private static boolean isWord(String v) {
    for (int i = 0; i < v.length(); i++) {
      if (!Character.isLetter(v.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether {@code word} (folded) is written whole in the request with a capital first letter: a
   * name, not a common word. Folding keeps positions for the letters of a name, so the capital is
   * read from the request as written.
   */
  private static boolean capitalized(String request, String folded, String word) {
    if (folded.length() != request.length()) {
      return false;
    }
    for (int at = folded.indexOf(word); at >= 0; at = folded.indexOf(word, at + 1)) {
      if (clean(folded, at, at + word.length()) && Character.isUpperCase(request.charAt(at))) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code folded} holds {@code v} whole: not inside a longer word or number. */
  static boolean whole(String folded, String v) {
    for (int at = folded.indexOf(v); at >= 0; at = folded.indexOf(v, at + 1)) {
      if (clean(folded, at, at + v.length())) {
        return true;
      }
    }
    return false;
  }

  private static boolean clean(String text, int from, int to) {
    return (from == 0 || !Character.isLetterOrDigit(text.charAt(from - 1)))
        && (to == text.length() || !Character.isLetterOrDigit(text.charAt(to)));
  }
}
