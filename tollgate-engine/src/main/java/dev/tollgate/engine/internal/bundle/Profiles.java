package dev.tollgate.engine.internal.bundle;

import java.util.List;
import java.util.Map;

/**
 * Agent profiles from {@code agents.yaml}: the tools each agent may use at all. The gate is closed
 * by default: with no {@code agents.yaml} ({@link #NONE}) no agent may act, and an agent without a
 * profile may act only when {@code agents.yaml} says {@code defaults: {unprofiled: allow}}.
 *
 * @param agents the profiles, by agent name
 * @param declared whether the bundle has an {@code agents.yaml} at all
 * @param unprofiledAllowed whether agents without a profile may use every tool (policies still
 *     decide)
 */
public record Profiles(Map<String, Profile> agents, boolean declared, boolean unprofiledAllowed) {

  /** A bundle without {@code agents.yaml}: every action is denied. */
  public static final Profiles NONE = new Profiles(Map.of(), false, false);

  public Profiles {
    agents = Map.copyOf(agents);
  }

  /** One agent's standing privileges. */
  public record Profile(String agent, List<Glob> tools) {
    public boolean permits(String tool) {
      for (Glob g : tools) {
        if (g.matches(tool)) {
          return true;
        }
      }
      return false;
    }

    public List<String> patterns() {
      return tools.stream().map(Glob::pattern).toList();
    }
  }

  public Profile get(String agent) {
    return agents.get(agent);
  }

  /**
   * Why {@code agent} may not use {@code tool} at all, or {@code null} when its profile (or the
   * bundle's explicit permissive default) lets policies decide.
   */
  public String refusal(String agent, String tool) {
    if (!declared) {
      return "the bundle has no agents.yaml, so no agent may act: give agent `"
          + agent
          + "` a profile in agents.yaml";
    }
    Profile profile = agents.get(agent);
    if (profile == null) {
      return unprofiledAllowed
          ? null
          : "agent `"
              + agent
              + "` has no profile in agents.yaml and the bundle does not allow unprofiled agents";
    }
    if (!profile.permits(tool)) {
      return "tool `"
          + tool
          + "` is not in the profile of agent `"
          + agent
          + "` (allowed: "
          + String.join(", ", profile.patterns())
          + ")";
    }
    return null;
  }
}
