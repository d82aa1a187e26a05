package dev.tollgate.engine.internal.scan;

/**
 * A bound on the total work of one scan, shared by every string of one action or result: one unit
 * per character read (keys, strings and decoded text), and a few for JSON values, prefilter
 * anchors, hits and configured regexes (see {@link Detectors#scan}). Not thread-safe: one per scan.
 */
public final class Budget {
  private final long limit;
  private long used;

  public Budget(long maxChars) {
    this.limit = maxChars;
  }

  /** Counts {@code chars} more; throws once the total passes the bound. */
  public void spend(long chars) throws ScanLimitException {
    used += chars;
    if (used > limit) {
      throw new ScanLimitException(
          "more than " + limit + " characters to scan (strings, keys and decoded values)");
    }
  }

  public long used() {
    return used;
  }
}
