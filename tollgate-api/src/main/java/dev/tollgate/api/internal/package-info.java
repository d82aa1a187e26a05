/**
 * Internal: no compatibility promise; not for use outside tollgate-api.
 *
 * <p>Helpers the contract types share across their two packages ({@code dev.tollgate.api} and
 * {@code dev.tollgate.api.store}), public only because Java has no narrower visibility that spans
 * packages.
 */
package dev.tollgate.api.internal;
