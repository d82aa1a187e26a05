/**
 * Internal: no compatibility promise; not for use outside tollgate-engine.
 *
 * <p>Scan: the detectors (secrets, personal data, financial markers, instruction-like text,
 * configured regex, keyword and exact-data detectors) that find what an action's arguments carry,
 * within a budget, on every decision.
 */
package dev.tollgate.engine.internal.scan;
