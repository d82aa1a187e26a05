package dev.tollgate.api;

/**
 * A policy in shadow mode that matched: recorded, never changing the effect.
 *
 * @param policy the policy's name
 * @param effect the effect it would have had
 * @param message its rendered message
 */
public record ShadowOutcome(String policy, Effect effect, String message) {}
