package dev.tollgate.engine.internal.memory;

import dev.tollgate.api.store.PauseRecord;
import dev.tollgate.api.store.PauseStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Pauses in this process's memory, for an engine without a store. */
public final class MemoryPauseStore implements PauseStore {
  private final Map<String, PauseRecord> pauses = new ConcurrentHashMap<>();
  private final AtomicLong version = new AtomicLong();

  private static String key(PauseRecord.Scope scope, String subject) {
    return scope.wireName() + "\u001f" + subject;
  }

  @Override
  public synchronized void put(PauseRecord pause) {
    pauses.put(key(pause.scope(), pause.subject()), pause);
    version.incrementAndGet();
  }

  @Override
  public synchronized boolean remove(PauseRecord.Scope scope, String subject) {
    boolean removed = pauses.remove(key(scope, subject)) != null;
    if (removed) {
      version.incrementAndGet();
    }
    return removed;
  }

  @Override
  public List<PauseRecord> list() {
    List<PauseRecord> out = new ArrayList<>(pauses.values());
    out.sort(Comparator.comparing(PauseRecord::at));
    return out;
  }

  @Override
  public long version() {
    return version.get();
  }
}
