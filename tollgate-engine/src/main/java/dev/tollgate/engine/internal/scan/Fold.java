package dev.tollgate.engine.internal.scan;

import java.util.Locale;

/**
 * The form in which text is compared: zero-width and other invisible characters removed,
 * compatibility forms and look-alike letters folded to ASCII, lower case. Two texts a person reads
 * as the same fold to the same string.
 */
public final class Fold {
  private Fold() {}

  public static String fold(CharSequence text) {
    // TODO(scan): NFKC, confusables, invisible characters
    return text.toString().toLowerCase(Locale.ROOT);
  }
}
