package dev.tollgate.json;

import java.util.Collection;
import java.util.List;
import java.util.function.Function;

/**
 * "Did you mean" suggestions for unknown names: the codec's field names and the engine's bundle
 * files share this one rule, so a misspelling is answered alike wherever it is made.
 */
public final class Names {
  private Names() {}

  /**
   * The constant of a typed state whose wire name is {@code text}, for values read from JSON, the
   * store or a command line.
   *
   * @param values the enum's constants ({@code Kind.values()})
   * @param wireName how each is written on the wire
   * @param what what the value is and where it was read, for the message ({@code "approval status
   *     in the store"})
   * @throws IllegalArgumentException for anything else (also {@code null}), saying what was read
   *     where (quoted by {@link ClientText#shown}), the nearest accepted name if one is close, and
   *     every accepted name
   */
  public static <E extends Enum<E>> E wire(
      String text, E[] values, Function<E, String> wireName, String what) {
    List<String> names = new java.util.ArrayList<>(values.length);
    for (E e : values) {
      String name = wireName.apply(e);
      if (name.equals(text)) {
        return e;
      }
      names.add(name);
    }
    String near = text == null ? null : nearest(text, names);
    throw new IllegalArgumentException(
        "unknown "
            + what
            + " `"
            + ClientText.shown(text)
            + "`: "
            + (near != null ? "did you mean `" + near + "`? " : "")
            + "use one of "
            + String.join(", ", names));
  }

  /** The candidate within edit distance 2 of {@code word}, or {@code null}. */
  public static String nearest(String word, Collection<String> candidates) {
    String best = null;
    int bestDistance = 3;
    for (String candidate : candidates) {
      int d = distance(word, candidate);
      if (d < bestDistance) {
        bestDistance = d;
        best = candidate;
      }
    }
    return best;
  }

  /** The Levenshtein distance between {@code a} and {@code b}. */
  public static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
