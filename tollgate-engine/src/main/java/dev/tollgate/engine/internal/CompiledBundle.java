package dev.tollgate.engine.internal;

import dev.tollgate.engine.internal.scan.Detectors;
import java.util.List;

/**
 * A whole, checked policy bundle: policies in name order, the catalog, the agent profiles (or
 * {@code null}) and the index over the policies, and the detectors (built-in ones and those of
 * {@code detectors.yaml}). Immutable once built; shared by every decision.
 */
public record CompiledBundle(
    List<CompiledPolicy> policies,
    Catalog catalog,
    Profiles profiles,
    PolicyIndex index,
    String digest,
    Detectors detectors) {

  public CompiledBundle {
    policies = List.copyOf(policies);
  }

  public CompiledBundle(
      List<CompiledPolicy> policies,
      Catalog catalog,
      Profiles profiles,
      String digest,
      Detectors detectors) {
    this(policies, catalog, profiles, new PolicyIndex(policies), digest, detectors);
  }
}
