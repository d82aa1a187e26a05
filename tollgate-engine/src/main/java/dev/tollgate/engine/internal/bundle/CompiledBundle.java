package dev.tollgate.engine.internal.bundle;

import dev.tollgate.engine.Problem;
import dev.tollgate.engine.internal.cel.RateCall;
import dev.tollgate.engine.internal.scan.Detectors;
import java.util.List;

/**
 * A whole, checked policy bundle: policies in name order, the catalog, the agent profiles ({@link
 * Profiles#NONE} without {@code agents.yaml}) and the index over the policies, the detectors
 * (built-in ones and those of {@code detectors.yaml}), the manifest ({@link Manifest#NONE} without
 * {@code bundle.yaml}), the warnings that do not keep it from loading, every rate function its
 * policies call and the names of the policies that quarantine ({@code null}: gathered from the
 * policies). Immutable once built; shared by every decision.
 */
public record CompiledBundle(
    List<CompiledPolicy> policies,
    Catalog catalog,
    Profiles profiles,
    PolicyIndex index,
    String digest,
    Detectors detectors,
    Manifest manifest,
    List<Problem> warnings,
    List<RateCall> rates,
    java.util.Set<String> quarantining) {

  public CompiledBundle {
    policies = List.copyOf(policies);
    warnings = List.copyOf(warnings);
    if (rates == null) {
      java.util.LinkedHashSet<RateCall> all = new java.util.LinkedHashSet<>();
      for (CompiledPolicy p : policies) {
        all.addAll(p.rates());
      }
      rates = List.copyOf(all);
    } else {
      rates = List.copyOf(rates);
    }
    if (quarantining == null) {
      java.util.Set<String> names = new java.util.HashSet<>();
      for (CompiledPolicy p : policies) {
        if (p.quarantine()) {
          names.add(p.name());
        }
      }
      quarantining = java.util.Set.copyOf(names);
    } else {
      quarantining = java.util.Set.copyOf(quarantining);
    }
  }

  /** Whether the policy named {@code name} quarantines its session when its deny or ask wins. */
  public boolean quarantines(String name) {
    return quarantining.contains(name);
  }

  public CompiledBundle(
      List<CompiledPolicy> policies,
      Catalog catalog,
      Profiles profiles,
      String digest,
      Detectors detectors,
      Manifest manifest,
      List<Problem> warnings) {
    this(
        policies,
        catalog,
        profiles,
        new PolicyIndex(policies),
        digest,
        detectors,
        manifest,
        warnings,
        null,
        null);
  }
}
