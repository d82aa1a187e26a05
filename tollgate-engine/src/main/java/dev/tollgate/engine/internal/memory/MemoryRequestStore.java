package dev.tollgate.engine.internal.memory;

import dev.tollgate.api.store.RequestRecord;
import dev.tollgate.api.store.RequestStore;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Calls by request id in this process's memory: the engine's default when no shared store is
 * configured. One lock makes every change atomic, as the JDBC store's transactions do. Bounded:
 * past {@code max} entries the oldest reserved is forgotten (a later retry of it is decided anew).
 */
public final class MemoryRequestStore implements RequestStore {
  private final int max;
  private final Map<String, RequestRecord> entries = new LinkedHashMap<>();

  public MemoryRequestStore(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1");
    }
    this.max = max;
  }

  private static String key(String agent, String requestId) {
    // agent names never hold a NUL
    return agent + '\0' + requestId;
  }

  @Override
  public synchronized Optional<RequestRecord> reserve(
      RequestRecord request, Instant now, Instant staleBefore) {
    String key = key(request.agent(), request.requestId());
    RequestRecord held = entries.get(key);
    if (held != null
        && now.isBefore(held.expiresAt())
        && !(held.pending() && held.created().isBefore(staleBefore))) {
      return Optional.of(held);
    }
    // re-inserted at the end: the order of the map is the order of reservation
    entries.remove(key);
    entries.put(key, request);
    Iterator<RequestRecord> oldest = entries.values().iterator();
    while (entries.size() > max) {
      oldest.next();
      oldest.remove();
    }
    return Optional.empty();
  }

  @Override
  public synchronized boolean complete(
      String agent, String requestId, String decisionId, String decision) {
    String key = key(agent, requestId);
    RequestRecord held = entries.get(key);
    if (held == null || !held.pending() || !held.decisionId().equals(decisionId)) {
      return false;
    }
    entries.put(key, held.decided(decision));
    return true;
  }

  @Override
  public synchronized void release(String agent, String requestId, String decisionId) {
    String key = key(agent, requestId);
    RequestRecord held = entries.get(key);
    if (held != null && held.pending() && held.decisionId().equals(decisionId)) {
      entries.remove(key);
    }
  }

  @Override
  public synchronized Optional<RequestRecord> get(String agent, String requestId) {
    return Optional.ofNullable(entries.get(key(agent, requestId)));
  }

  @Override
  public synchronized int sweep(Instant now) {
    int before = entries.size();
    entries.values().removeIf(r -> !now.isBefore(r.expiresAt()));
    return before - entries.size();
  }
}
