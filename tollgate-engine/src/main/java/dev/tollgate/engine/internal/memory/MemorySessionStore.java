package dev.tollgate.engine.internal.memory;

import dev.tollgate.api.Effect;
import dev.tollgate.api.store.ObservedResult;
import dev.tollgate.api.store.SessionRecord;
import dev.tollgate.api.store.SessionStore;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Sessions in this process's memory: the engine's default when no shared store is configured.
 * Records are immutable and replaced atomically, so concurrent appends are never lost. Past {@code
 * maxSessions}, the oldest sessions are forgotten (a later decision in one is denied as an unknown
 * session).
 */
public final class MemorySessionStore implements SessionStore {
  private final int maxSessions;
  private final ConcurrentHashMap<String, SessionRecord> sessions = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<String> opened = new ConcurrentLinkedQueue<>();
  private final ConcurrentHashMap<String, ArrayDeque<ObservedResult>> results =
      new ConcurrentHashMap<>();

  public MemorySessionStore(int maxSessions) {
    if (maxSessions < 1) {
      throw new IllegalArgumentException("maxSessions must be at least 1");
    }
    this.maxSessions = maxSessions;
  }

  @Override
  public boolean create(SessionRecord session) {
    if (sessions.putIfAbsent(session.id(), session) != null) {
      return false;
    }
    opened.add(session.id());
    while (sessions.size() > maxSessions) {
      String oldest = opened.poll();
      if (oldest == null) {
        break;
      }
      sessions.remove(oldest);
      results.remove(oldest);
    }
    return true;
  }

  @Override
  public Optional<SessionRecord> get(String id) {
    return Optional.ofNullable(sessions.get(id));
  }

  @Override
  public void appendHistory(String id, String tool, Effect effect, int max) {
    if (max <= 0) {
      return;
    }
    sessions.computeIfPresent(
        id,
        (k, s) -> {
          List<Map<String, Object>> history = s.history();
          int from = Math.max(0, history.size() + 1 - max);
          List<Map<String, Object>> next = new ArrayList<>(history.subList(from, history.size()));
          next.add(Map.of("tool", tool, "effect", effect.wireName()));
          return changed(s, s.labels(), next, s.results());
        });
  }

  @Override
  public void addLabels(String id, List<String> labels) {
    sessions.computeIfPresent(
        id,
        (k, s) -> {
          LinkedHashSet<String> next = new LinkedHashSet<>(s.labels());
          if (!next.addAll(labels)) {
            return s;
          }
          return changed(s, List.copyOf(next), s.history(), s.results());
        });
  }

  @Override
  public long addResult(String id, ObservedResult result, int max) {
    long[] seq = {0};
    sessions.computeIfPresent(
        id,
        (k, s) -> {
          seq[0] = s.results() + 1;
          ArrayDeque<ObservedResult> kept = results.computeIfAbsent(id, x -> new ArrayDeque<>());
          synchronized (kept) {
            kept.addLast(result.numbered(seq[0]));
            while (kept.size() > Math.max(0, max)) {
              kept.removeFirst();
            }
          }
          return changed(s, s.labels(), s.history(), seq[0]);
        });
    return seq[0];
  }

  /** {@code s} with what a session's life changes: its labels, history and result count. */
  private static SessionRecord changed(
      SessionRecord s, List<String> labels, List<Map<String, Object>> history, long results) {
    return new SessionRecord(
        s.id(), s.agent(), s.user(), s.request(), s.task(), labels, history, s.opened(), results);
  }

  @Override
  public List<ObservedResult> results(String id, long afterSeq) {
    ArrayDeque<ObservedResult> kept = results.get(id);
    if (kept == null) {
      return List.of();
    }
    synchronized (kept) {
      List<ObservedResult> out = new ArrayList<>();
      for (ObservedResult r : kept) {
        if (r.seq() > afterSeq) {
          out.add(r);
        }
      }
      return out;
    }
  }
}
