package dev.tollgate.api;

import java.time.Instant;

/**
 * The approval an {@code ask} decision opened.
 *
 * @param id the approval's id
 * @param status {@code pending}, {@code approved}, {@code denied} or {@code expired}
 * @param expiresAt when it counts as denied if nobody decides
 */
public record ApprovalRef(String id, String status, Instant expiresAt) {}
