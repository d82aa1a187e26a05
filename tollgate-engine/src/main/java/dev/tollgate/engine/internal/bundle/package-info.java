/**
 * Internal: no compatibility promise; not for use outside tollgate-engine.
 *
 * <p>Bundle: reads a policy directory (manifest, catalog, profiles, policies, detectors) and
 * compiles it into an immutable {@link dev.tollgate.engine.internal.bundle.CompiledBundle} with its
 * policy index; runs at load and reload, never per decision.
 */
package dev.tollgate.engine.internal.bundle;
