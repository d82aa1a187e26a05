/**
 * Internal: no compatibility promise; not for use outside tollgate-engine.
 *
 * <p>CEL: the one environment every condition and message compiles against, and the functions
 * policies may call; the bundle compiles with it and decide evaluates with it.
 */
package dev.tollgate.engine.internal.cel;
