package dev.tollgate.api;

import dev.tollgate.api.internal.WireNames;
import java.util.Locale;

/** What Tollgate decided. Precedence when several policies match: deny over ask over allow. */
public enum Effect {
  ALLOW,
  ASK,
  DENY;

  // Made once: every decision's audit record and history step writes it.
  private final String wireName = name().toLowerCase(Locale.ROOT);

  private static final WireNames<Effect> WIRE_NAMES =
      new WireNames<>("effect", values(), Effect::wireName);

  /** The lower-case name used in JSON, YAML and the CLI. */
  public String wireName() {
    return wireName;
  }

  /**
   * Parses {@code allow}, {@code ask} or {@code deny}.
   *
   * @throws IllegalArgumentException naming the accepted values, for anything else
   */
  public static Effect parse(String text) {
    return WIRE_NAMES.parse(text);
  }

  /** The stricter of two effects. */
  public Effect strictest(Effect other) {
    return other.compareTo(this) > 0 ? other : this;
  }
}
