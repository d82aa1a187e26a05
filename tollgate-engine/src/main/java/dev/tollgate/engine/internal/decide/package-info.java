/**
 * Internal: no compatibility promise; not for use outside tollgate-engine.
 *
 * <p>Decide: the pure decision function ({@link dev.tollgate.engine.internal.decide.Decider}:
 * action, session view, bundle and clock in, verdict out, no I/O but for the {@link
 * dev.tollgate.engine.internal.decide.Judge} the shell hands in, asked only when a policy reads
 * {@code judge}), the inspection and policy evaluation it runs, and the audit entries the shell
 * writes for it.
 */
package dev.tollgate.engine.internal.decide;
