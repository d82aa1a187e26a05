package dev.tollgate.engine.internal;

import java.util.List;
import java.util.Map;

/**
 * Agent profiles from {@code agents.yaml}: the tools each agent may use at all. When a bundle has
 * no {@code agents.yaml} there is no {@code Profiles} and no profile restricts any agent.
 */
public record Profiles(Map<String, Profile> agents) {

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
}
