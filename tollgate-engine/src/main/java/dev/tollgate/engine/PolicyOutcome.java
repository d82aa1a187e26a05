package dev.tollgate.engine;

import dev.tollgate.api.Effect;

/**
 * What one considered policy did for one action: the raw material of an explanation.
 *
 * @param policy the policy's name
 * @param effect the effect the policy has when it matches
 * @param shadow whether the policy is in shadow mode
 * @param status whether it matched, did not match, or failed
 * @param message the rendered message when it matched, the error when it failed, else {@code null}
 * @param location {@code file:line} where the policy is defined
 * @param condition the policy's {@code when} as written, or {@code null} when it has none
 */
public record PolicyOutcome(
    String policy,
    Effect effect,
    boolean shadow,
    Status status,
    String message,
    String location,
    String condition) {

  /** How a considered policy came out. */
  public enum Status {
    MATCHED,
    NOT_MATCHED,
    /** The condition failed at decision time; an enforcing policy then denies. */
    FAILED
  }
}
