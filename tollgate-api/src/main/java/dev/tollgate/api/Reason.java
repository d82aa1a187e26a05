package dev.tollgate.api;

import java.util.Objects;

/**
 * Why a decision came out as it did.
 *
 * @param policy the name of the policy (or built-in rule, such as {@code profile}) that spoke
 * @param message its rendered message
 */
public record Reason(String policy, String message) {
  public Reason {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(message, "message");
  }
}
