package dev.tollgate.engine.internal.memory;

import dev.tollgate.api.store.ToolPinRecord;
import dev.tollgate.api.store.ToolPinStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Tool definitions in this process's memory, for an engine without a store. */
public final class MemoryToolPinStore implements ToolPinStore {
  private final Map<String, ToolPinRecord> pins = new LinkedHashMap<>();
  private long version;

  private static String tool(String agent, String server, String tool) {
    return agent + "\u001f" + server + "\u001f" + tool;
  }

  private static String key(String agent, String server, String tool, String fingerprint) {
    return tool(agent, server, tool) + "\u001f" + fingerprint;
  }

  @Override
  public synchronized Sighting sight(ToolPinRecord seen) {
    ToolPinRecord accepted = accepted(seen.agent(), seen.server(), seen.tool());
    String key = key(seen.agent(), seen.server(), seen.tool(), seen.fingerprint());
    ToolPinRecord known = pins.get(key);
    if (known != null) {
      return new Sighting(known, false, accepted);
    }
    ToolPinRecord added =
        seen.status() == ToolPinRecord.Status.ACCEPTED && accepted != null
            ? seen.withStatus(ToolPinRecord.Status.PENDING, null, null)
            : seen;
    pins.put(key, added);
    version++;
    return new Sighting(added, true, accepted == null && isAccepted(added) ? added : accepted);
  }

  private static boolean isAccepted(ToolPinRecord pin) {
    return pin.status() == ToolPinRecord.Status.ACCEPTED;
  }

  private ToolPinRecord accepted(String agent, String server, String tool) {
    String prefix = tool(agent, server, tool) + "\u001f";
    for (Map.Entry<String, ToolPinRecord> e : pins.entrySet()) {
      if (e.getKey().startsWith(prefix) && isAccepted(e.getValue())) {
        return e.getValue();
      }
    }
    return null;
  }

  @Override
  public synchronized Optional<ToolPinRecord> accept(
      String agent, String server, String tool, String fingerprint, String by, Instant at) {
    String key = key(agent, server, tool, fingerprint);
    ToolPinRecord chosen = pins.get(key);
    if (chosen == null) {
      return Optional.empty();
    }
    if (isAccepted(chosen)) {
      return Optional.of(chosen);
    }
    ToolPinRecord before = accepted(agent, server, tool);
    if (before != null && !before.fingerprint().equals(fingerprint)) {
      pins.put(
          key(agent, server, tool, before.fingerprint()),
          before.withStatus(
              ToolPinRecord.Status.SUPERSEDED, before.decidedBy(), before.decidedAt()));
    }
    ToolPinRecord now = chosen.withStatus(ToolPinRecord.Status.ACCEPTED, by, at);
    pins.put(key, now);
    version++;
    return Optional.of(now);
  }

  @Override
  public synchronized List<ToolPinRecord> list() {
    List<ToolPinRecord> out = new ArrayList<>(pins.values());
    out.sort(
        Comparator.comparing(ToolPinRecord::agent)
            .thenComparing(ToolPinRecord::server)
            .thenComparing(ToolPinRecord::tool)
            .thenComparing(ToolPinRecord::seenAt));
    return out;
  }

  @Override
  public synchronized long version() {
    return version;
  }
}
