package dev.tollgate.server;

import dev.tollgate.json.ClientText;

/**
 * Client-provided text as the server quotes it back in messages, logs and the audit: the engine's
 * {@link ClientText#shown}, so that the engine's messages and the server's quote alike.
 */
final class Text {
  private Text() {}

  /**
   * {@code text} fit to quote: at most {@link ClientText#MAX_SHOWN} characters (then {@code …}),
   * control characters and unpaired surrogates written as {@code \\uXXXX}, so that a quoted value
   * cannot forge a line of a log or hide what it is.
   */
  static String shown(String text) {
    return ClientText.shown(text);
  }
}
