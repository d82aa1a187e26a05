package dev.tollgate.json;

/**
 * Client-provided text (an id, a path, a name) as messages, logs and the audit quote it: bounded
 * and printable. Here, beside the codec, because every module that answers a client (the engine's
 * messages, the server's errors and logs) must quote alike, and all of them depend on this one.
 */
public final class ClientText {
  /** Characters of a client's text quoted at most. */
  public static final int MAX_SHOWN = 120;

  private ClientText() {}

  /**
   * {@code text} fit to quote: at most {@link #MAX_SHOWN} characters (then {@code …}), control
   * characters and unpaired surrogates written as {@code \\uXXXX}, so that a quoted value cannot
   * forge a line of a log or hide what it is.
   */
  public static String shown(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_SHOWN) + 8);
    int i = 0;
    int shown = 0;
    while (i < text.length() && shown < MAX_SHOWN) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        out.append(c).append(text.charAt(i + 1));
        i += 2;
      } else {
        if (Character.isISOControl(c)
            || Character.isSurrogate(c)
            || c == '\u2028'
            || c == '\u2029') {
          out.append(String.format("\\u%04x", (int) c));
        } else {
          out.append(c);
        }
        i++;
      }
      shown++;
    }
    if (i < text.length()) {
      out.append('…');
    }
    return out.toString();
  }
}
