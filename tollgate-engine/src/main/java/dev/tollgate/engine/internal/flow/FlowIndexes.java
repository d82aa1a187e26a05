package dev.tollgate.engine.internal.flow;

import dev.tollgate.api.store.SessionRecord;
import dev.tollgate.api.store.SessionStore;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The flow indexes of recently used sessions, kept in memory so that a decision reads from the
 * store only the results observed since the last one. Bounded: the least recently used index is
 * dropped and rebuilt from the store when its session is used again. Every instance sharing a store
 * keeps its own, and catches up from the session's result count.
 */
public final class FlowIndexes {
  private final Fingerprints fingerprints;
  private final Map<String, FlowIndex> cache;

  public FlowIndexes(Fingerprints fingerprints, int maxSessions) {
    this.fingerprints = fingerprints;
    this.cache =
        new LinkedHashMap<>(16, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<String, FlowIndex> eldest) {
            return size() > maxSessions;
          }
        };
  }

  public Fingerprints fingerprints() {
    return fingerprints;
  }

  /** The index of {@code session}, up to its newest observed result. */
  public FlowIndex of(SessionRecord session, SessionStore store) {
    FlowIndex index;
    synchronized (cache) {
      index = cache.get(session.id());
      if (index == null) {
        index = new FlowIndex(fingerprints, session.request(), session.task());
        cache.put(session.id(), index);
      }
    }
    long seen = index.seen();
    if (session.results() > seen) {
      index.add(store.results(session.id(), seen));
    }
    return index;
  }
}
