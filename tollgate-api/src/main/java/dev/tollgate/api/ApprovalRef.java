package dev.tollgate.api;

import java.time.Instant;

/**
 * The approval an {@code ask} decision opened.
 *
 * @param id the approval's id
 * @param status where it stands
 * @param expiresAt when it counts as denied if nobody decides
 */
public record ApprovalRef(String id, ApprovalStatus status, Instant expiresAt) {}
