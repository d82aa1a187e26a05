package dev.tollgate.engine.internal.scan;

/** JSON pointer segments (RFC 6901): how findings name where in the arguments a value sits. */
public final class Pointer {
  private Pointer() {}

  /** The segment for a map key: {@code ~} and {@code /} escaped. */
  public static String segment(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }

  /** The map key a segment names. */
  public static String key(String segment) {
    return segment.replace("~1", "/").replace("~0", "~");
  }
}
