package dev.tollgate.api.store;

import java.time.Instant;

/**
 * A signed statement that the chain reached {@code seq} with {@code hash}. Truncating the log back
 * past a checkpoint, or rewriting anything before it, is detected by verifying the signature and
 * the chain.
 *
 * @param seq the last record covered
 * @param hash that record's hash
 * @param time when the checkpoint was made
 * @param keyId which signing key made it (the server's Ed25519 key fingerprint)
 * @param signature base64 Ed25519 signature over the canonical {@code seq}, {@code hash}, {@code
 *     time}
 */
public record Checkpoint(long seq, String hash, Instant time, String keyId, String signature) {}
