/**
 * Rates, sums, distinct targets and novelty over time windows: the counters the decide shell
 * tallies before the policies run and settles after the decision (internal).
 */
package dev.tollgate.engine.internal.rate;
