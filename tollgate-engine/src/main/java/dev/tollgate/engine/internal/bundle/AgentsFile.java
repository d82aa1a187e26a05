package dev.tollgate.engine.internal.bundle;

import dev.tollgate.engine.Problem;
import dev.tollgate.engine.internal.yaml.MapReader;
import dev.tollgate.engine.internal.yaml.Y;
import dev.tollgate.engine.internal.yaml.YamlReader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@code agents.yaml}, each agent's profile (the tools it may use at all) and what happens to
 * an agent without one, into {@link Profiles}; problems and warnings go to the loader's lists.
 */
final class AgentsFile {
  private static final Set<String> AGENTS_KEYS = Set.of("agents", "defaults");
  private static final Set<String> DEFAULTS_KEYS = Set.of("unprofiled");
  private static final Set<String> PROFILE_KEYS = Set.of("tools", "description");

  private AgentsFile() {}

  static Profiles read(String file, Y root, List<Problem> problems, List<Problem> warnings) {
    if (root == null) {
      if (problems.stream().noneMatch(p -> p.file().equals(file))) {
        problems.add(
            new Problem(
                file,
                0,
                0,
                "empty agents file",
                "list the agents under `agents:`, or say `defaults: {unprofiled: allow}` to let"
                    + " policies alone decide for agents without a profile",
                null));
      }
      return Profiles.NONE;
    }
    Y.Map top = MapReader.asMap(root, "the agents file", problems);
    if (top == null) {
      return Profiles.NONE;
    }
    MapReader r = new MapReader(top, "the agents file", problems, AGENTS_KEYS);
    boolean unprofiledAllowed = false;
    Y.Map defaults = r.mapping("defaults");
    if (defaults != null) {
      MapReader d =
          new MapReader(defaults, "`defaults` of the agents file", problems, DEFAULTS_KEYS);
      Y.Scalar unprofiled = d.string("unprofiled", false);
      if (unprofiled != null) {
        String value = (String) unprofiled.value();
        if (value.equals("allow")) {
          unprofiledAllowed = true;
          warnings.add(
              YamlReader.at(
                  unprofiled,
                  "defaults.unprofiled: allow lets agents without a profile act on every tool",
                  "give each agent a profile and say `unprofiled: deny` (the default), so that an"
                      + " agent nobody described can do nothing"));
        } else if (!value.equals("deny")) {
          d.problem(
              unprofiled,
              "unknown value `" + value + "` for `defaults.unprofiled`",
              "use `deny` (the default: agents without a profile may do nothing) or `allow`");
        }
      }
    }
    Y.Map agents = r.mapping("agents");
    if (agents == null) {
      if (top.get("agents") == null && defaults == null) {
        problems.add(
            YamlReader.at(
                top,
                "missing key `agents` in the agents file",
                "list the agents under `agents:`, one `name: {tools: [...]}` entry each"));
      }
      return new Profiles(Map.of(), true, unprofiledAllowed);
    }
    Map<String, Profiles.Profile> out = new LinkedHashMap<>();
    agents
        .entries()
        .forEach(
            (name, node) -> {
              String label = "agent `" + name + "`";
              Y.Map entry = MapReader.asMap(node, label, problems);
              if (entry == null) {
                return;
              }
              MapReader a = new MapReader(entry, label, problems, PROFILE_KEYS);
              List<String> tools = a.strings("tools");
              if (tools == null) {
                if (entry.get("tools") == null) {
                  problems.add(
                      YamlReader.at(
                          entry,
                          "missing key `tools` in " + label,
                          "list the tools this agent may use, for example `tools: [\"email.*\"]`"));
                }
                return;
              }
              out.put(name, new Profiles.Profile(name, tools.stream().map(Glob::of).toList()));
            });
    return new Profiles(out, true, unprofiledAllowed);
  }
}
