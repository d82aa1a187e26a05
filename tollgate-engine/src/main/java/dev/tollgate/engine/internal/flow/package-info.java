/**
 * Internal: no compatibility promise; not for use outside tollgate-engine.
 *
 * <p>Flow: fingerprints of values the session has seen in tool results, and the index that tells
 * decide whether an action's arguments carry them onward.
 */
package dev.tollgate.engine.internal.flow;
