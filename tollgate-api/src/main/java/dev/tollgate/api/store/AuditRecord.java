package dev.tollgate.api.store;

/**
 * An entry in its place in the hash chain.
 *
 * @param seq its position, from 1, without gaps
 * @param entry what happened
 * @param prevHash the hash of record {@code seq - 1} ({@code sha256:} and 64 zeros for the first)
 * @param hash {@code sha256:<hex>} over the canonical encoding of {@code seq}, {@code entry} and
 *     {@code prevHash}
 */
public record AuditRecord(long seq, AuditEntry entry, String prevHash, String hash) {}
