package dev.tollgate.engine.internal.scan;

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
 * @param encoding {@code null}, or how the value was hidden: {@code base64} or {@code url}
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
    String encoding) {

  @Override
  public String toString() {
    return "Hit[" + detector + ", " + label + ", " + path + ", " + excerpt + "]";
  }
}
