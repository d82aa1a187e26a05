/**
 * Internal: no compatibility promise; not for use outside tollgate-engine.
 *
 * <p>Memory: the in-memory session, approval, request and audit stores that {@link
 * dev.tollgate.engine.Tollgate.Builder} uses by default and that tests run against.
 */
package dev.tollgate.engine.internal.memory;
