package dev.tollgate.api;

import dev.tollgate.api.internal.WireNames;
import java.util.Locale;

/**
 * Where an approval stands. On the wire (JSON, the store's {@code status} column, audit details)
 * each status is its lower-case name: {@code pending}, {@code approved}, {@code denied}, {@code
 * expired}.
 */
public enum ApprovalStatus {
  /** Nobody has decided yet and it has not expired. */
  PENDING,
  /** A person (for four eyes: two) approved it; a grant was issued. */
  APPROVED,
  /** A person denied it. */
  DENIED,
  /** Nobody decided before it expired; it counts as denied. */
  EXPIRED;

  private final String wireName = name().toLowerCase(Locale.ROOT);

  private static final WireNames<ApprovalStatus> WIRE_NAMES =
      new WireNames<>("approval status", values(), ApprovalStatus::wireName);

  /** The lower-case name used in JSON, the store and the CLI. */
  public String wireName() {
    return wireName;
  }

  /**
   * Parses {@code pending}, {@code approved}, {@code denied} or {@code expired}.
   *
   * @throws IllegalArgumentException naming the accepted values, for anything else (also {@code
   *     null})
   */
  public static ApprovalStatus parse(String text) {
    return WIRE_NAMES.parse(text);
  }
}
