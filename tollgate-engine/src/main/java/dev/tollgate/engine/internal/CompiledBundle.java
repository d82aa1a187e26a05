package dev.tollgate.engine.internal;

import java.util.List;

/**
 * A whole, checked policy bundle: policies in name order, the catalog, the agent profiles (or
 * {@code null}) and the index over the policies. Immutable once built; shared by every decision.
 */
public record CompiledBundle(
    List<CompiledPolicy> policies,
    Catalog catalog,
    Profiles profiles,
    PolicyIndex index,
    String digest) {

  public CompiledBundle {
    policies = List.copyOf(policies);
  }

  public CompiledBundle(
      List<CompiledPolicy> policies, Catalog catalog, Profiles profiles, String digest) {
    this(policies, catalog, profiles, new PolicyIndex(policies), digest);
  }
}
