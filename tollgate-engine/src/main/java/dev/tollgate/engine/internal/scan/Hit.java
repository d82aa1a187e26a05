package dev.tollgate.engine.internal.scan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One detector match inside a scanned JSON value.
 *
 * @param detector the detector's name, for example {@code iban}
 * @param label the label it gives, for example {@code financial}
 * @param path JSON pointer of the string it was found in (for a map key: the pointer of the entry)
 * @param start start of the match in that string (for an encoded match: of the encoded run)
 * @param end end (exclusive) of the match in that string
 * @param value the matched value in its folded form, in clear: for fingerprints and exact matches
 *     in memory only, never written anywhere ({@link #toString} leaves it out)
 * @param excerpt the value masked, safe to show and store
 * @param key whether it was found in a map key rather than a value
 * @param encoding {@code null}, or how the value was hidden: {@code base64}, {@code url} or {@code
 *     unicode-tags} (text spelled in invisible tag characters)
 * @param source the string at {@link #path} as sent (the key for a key hit), in clear and in memory
 *     only like {@link #value}, or {@code null}: {@link #clearText} reads the hit's span from it
 *     without walking the arguments again
 */
public record Hit(
    String detector,
    String label,
    String path,
    int start,
    int end,
    String value,
    String excerpt,
    boolean key,
    String encoding,
    String source) {

  /**
   * Leaves out the value, and the path too: a map key on it may be a flagged value (see {@link
   * #shownPath}).
   */
  @Override
  public String toString() {
    return "Hit[" + detector + ", " + label + ", " + excerpt + (key ? ", in a key" : "") + "]";
  }

  /**
   * The text this hit covers in the string as sent (for an encoded value: the encoded run), in
   * clear; {@code null} when the source is unknown.
   */
  public String clearText() {
    if (source == null || start < 0 || end > source.length() || start >= end) {
      return null;
    }
    return source.substring(start, end);
  }

  /**
   * The path safe to show, store or log: {@link #path} with every segment that is a flagged map key
   * (a key hit among {@code hits}, the hits of the same scan) replaced by that hit's excerpt, or by
   * {@code [flagged key]} when several hits lie in it. A path is a locator, not a value, but a key
   * can be an e-mail address or a token: {@code /args/jane@acme.example/0} is shown as {@code
   * /args/j•••@acme.example/0}.
   */
  public String shownPath(List<Hit> hits) {
    return shown(path, flaggedKeys(hits));
  }

  /**
   * {@link #shownPath} of every hit of one scan, in order: the flagged keys are gathered once
   * rather than once per hit.
   */
  public static List<String> shownPaths(List<Hit> hits) {
    Map<String, String> flaggedKeys = flaggedKeys(hits);
    List<String> out = new ArrayList<>(hits.size());
    for (Hit h : hits) {
      out.add(shown(h.path, flaggedKeys));
    }
    return out;
  }

  /** The pointer of each flagged key among {@code hits}, with what to show in its place. */
  private static Map<String, String> flaggedKeys(List<Hit> hits) {
    Map<String, String> flaggedKeys = Map.of();
    for (Hit h : hits) {
      if (h.key) {
        if (flaggedKeys.isEmpty()) {
          flaggedKeys = new HashMap<>();
        }
        // Several hits in one key: the excerpt of one may show the value of another.
        flaggedKeys.merge(h.path, h.excerpt, (a, b) -> "[flagged key]");
      }
    }
    return flaggedKeys;
  }

  private static String shown(String path, Map<String, String> flaggedKeys) {
    if (flaggedKeys.isEmpty()) {
      return path;
    }
    StringBuilder out = new StringBuilder();
    int from = 0;
    while (from < path.length()) {
      int next = path.indexOf('/', from + 1);
      int end = next < 0 ? path.length() : next;
      String excerpt = flaggedKeys.get(path.substring(0, end));
      if (excerpt != null) {
        out.append('/').append(Pointer.segment(excerpt));
      } else {
        out.append(path, from, end);
      }
      from = end;
    }
    return out.toString();
  }
}
