package dev.tollgate.engine.internal.rate;

import dev.tollgate.api.store.CounterLog;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters shared by every server on a store, kept in the store's {@link CounterLog} and measured
 * in this server's memory: a tally appends the action's entries and reads, in the same call (one
 * round trip), every entry of its streams this server has not applied yet; it applies them in their
 * order, and measures at its own entry. The log orders a stream's entries under the stream's lock,
 * so the measure is exactly what a measure taken inside that lock would be, whichever server
 * appended what: a limit holds to the unit across servers, at the store's cost of an append and a
 * read of the few entries other servers added since.
 *
 * <p>Concurrent decisions of this server may read overlapping entries: whichever applies an entry
 * first applies it, and when the entry is another waiting decision's own, takes that decision's
 * measure for it at that point.
 *
 * <p>Novelty is asked of the store only for targets this server did not itself remember within the
 * history (one it remembered stays known: the stored time is never older than the one it wrote),
 * and a target it remembered in the last {@link #REMEMBER_AGAIN_MS} ms is not written again. So a
 * target's stored time can lag its last allowed action by up to a minute: it can look new a minute
 * before its history runs out, never later. Histories are days.
 */
public final class SharedCounters implements Counters {
  static final long REMEMBER_AGAIN_MS = 60_000;
  private static final int MAX_KNOWN = 1_000_000;
  private static final long IDLE_MS = 3_600_000;
  private static final int SWEEP_EVERY = 4096;
  private static final long[] NO_WINDOWS = new long[0];

  private final CounterLog log;
  private final MemoryCounters memory = new MemoryCounters();
  private final ConcurrentHashMap<String, Local> locals = new ConcurrentHashMap<>();
  private final AtomicLong calls = new AtomicLong();

  /** Per novelty subject: the targets this server wrote to the log, with the time written. */
  private final ConcurrentHashMap<String, ConcurrentHashMap<Long, Long>> written =
      new ConcurrentHashMap<>();

  private final AtomicInteger known = new AtomicInteger();

  public SharedCounters(CounterLog log) {
    this.log = log;
  }

  /** What this server applied of a stream, and the decisions waiting for their own entry. */
  private static final class Local {
    final Measure measure;
    long applied;

    /** The longest window measured on the stream: its events are kept that long. */
    long retention;

    long lastUsed;
    boolean dead;
    final Map<Long, Pending> pending = new HashMap<>();
    final Map<Long, double[]> results = new HashMap<>();

    Local(Measure measure) {
      this.measure = measure;
    }
  }

  /** A decision of this server waiting for its entry to be applied, to measure there. */
  private record Pending(long now, long[] windows) {}

  @Override
  public Measured tally(List<Count> counts, List<CounterLog.Lookup> lookups, long now) {
    if (calls.incrementAndGet() % SWEEP_EVERY == 0) {
      sweep(now);
    }
    boolean[] unseen = new boolean[lookups.size()];
    List<CounterLog.Lookup> asked = new ArrayList<>(lookups.size());
    int[] askedAt = new int[lookups.size()];
    for (int j = 0; j < unseen.length; j++) {
      if (!knownHere(lookups.get(j))) {
        askedAt[asked.size()] = j;
        asked.add(lookups.get(j));
      }
    }
    int n = counts.size();
    if (n == 0 && asked.isEmpty()) {
      return new Measured(new double[0][], unseen);
    }
    Local[] ls = new Local[n];
    List<CounterLog.Sync> syncs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Count c = counts.get(i);
      // what is read must reach as far back as any policy measures on the stream: a decision
      // reading a short window must not move this server past entries a longer one needs
      long longest = c.retention();
      for (long w : c.windows()) {
        longest = Math.max(longest, w);
      }
      CounterLog.Entry add = null;
      long after;
      while (true) {
        Local l = locals.computeIfAbsent(c.stream(), k -> new Local(c.measure()));
        synchronized (l) {
          if (l.dead) {
            continue;
          }
          after = l.applied;
          l.lastUsed = now;
          l.retention = Math.max(l.retention, longest);
          if (c.add() != null) {
            Event e = c.add();
            l.pending.put(e.id(), new Pending(now, c.windows()));
            add = new CounterLog.Entry(0, e.id(), e.at(), e.micros(), e.values(), false);
          }
          ls[i] = l;
          break;
        }
      }
      syncs.add(new CounterLog.Sync(c.stream(), after, now - ls[i].retention, add));
    }
    double[][] measured = new double[n][];
    boolean done = false;
    try {
      CounterLog.Synced synced = log.sync(syncs, asked, now);
      for (int i = 0; i < n; i++) {
        Count c = counts.get(i);
        Local l = ls[i];
        synchronized (l) {
          apply(c.stream(), l, synced.entries().get(i));
          if (c.add() == null) {
            measured[i] = memory.tally(c.stream(), l.measure, null, now, c.windows(), l.retention);
          } else {
            measured[i] = l.results.remove(c.add().id());
            if (measured[i] == null) {
              throw new IllegalStateException(
                  "the counter store did not return this decision's own entry");
            }
          }
        }
      }
      for (int j = 0; j < asked.size(); j++) {
        unseen[askedAt[j]] = synced.unseen()[j];
      }
      done = true;
    } finally {
      if (!done) {
        List<CounterLog.Appended> appended = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          Event e = counts.get(i).add();
          if (e != null) {
            synchronized (ls[i]) {
              ls[i].pending.remove(e.id());
              ls[i].results.remove(e.id());
            }
            appended.add(new CounterLog.Appended(counts.get(i).stream(), e.id()));
          }
        }
        // the log may hold the entries (the call failed after its commit): take them out, so
        // that a failed decision leaves nothing counted; unknown ids change nothing
        if (!appended.isEmpty()) {
          try {
            log.release(appended, now);
          } catch (RuntimeException ignored) {
            // the store is down: the entries, if any, count on the safe side
          }
        }
      }
    }
    return new Measured(measured, unseen);
  }

  /** Applies a stream's entries this server has not applied yet, in their order. */
  private void apply(String stream, Local l, List<CounterLog.Entry> entries) {
    for (CounterLog.Entry e : entries) {
      if (e.seq() <= l.applied) {
        continue;
      }
      if (e.release()) {
        memory.release(stream, e.id());
      } else {
        Event event = new Event(e.id(), e.at(), e.micros(), e.values());
        Pending mine = l.pending.remove(e.id());
        if (mine != null) {
          l.results.put(
              e.id(),
              memory.tally(stream, l.measure, event, mine.now(), mine.windows(), l.retention));
        } else {
          memory.tally(stream, l.measure, event, e.at(), NO_WINDOWS, l.retention);
        }
      }
      l.applied = e.seq();
    }
  }

  @Override
  public void release(List<CounterLog.Appended> events, long now) {
    // applied here, as everywhere, when a later tally reads the release from the log
    log.release(events, now);
  }

  @Override
  public void remember(List<CounterLog.Seen> all, long now) {
    List<CounterLog.Seen> seen = new ArrayList<>(all.size());
    for (CounterLog.Seen s : all) {
      Map<Long, Long> mine = written.get(s.subject());
      long[] stale =
          mine == null
              ? s.fingerprints()
              : Arrays.stream(s.fingerprints())
                  .filter(
                      fp -> {
                        Long at = mine.get(fp);
                        return at == null || at < now - REMEMBER_AGAIN_MS;
                      })
                  .toArray();
      if (stale.length > 0) {
        seen.add(new CounterLog.Seen(s.subject(), stale));
      }
    }
    if (seen.isEmpty()) {
      return;
    }
    log.remember(seen, now);
    for (CounterLog.Seen s : seen) {
      Map<Long, Long> mine = written.computeIfAbsent(s.subject(), k -> new ConcurrentHashMap<>());
      for (long fp : s.fingerprints()) {
        // bounded: past it, targets are asked of the store every time
        if (mine.containsKey(fp) || known.incrementAndGet() <= MAX_KNOWN) {
          mine.merge(fp, now, Math::max);
        }
      }
    }
  }

  /** Whether this server wrote every one of the lookup's targets within its history. */
  private boolean knownHere(CounterLog.Lookup l) {
    Map<Long, Long> mine = written.get(l.subject());
    if (mine == null) {
      return false;
    }
    for (long fp : l.fingerprints()) {
      Long at = mine.get(fp);
      if (at == null || at < l.since()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Forgets the streams no decision used for an hour (a later tally reads them from the log again,
   * from its longest window on) and the written targets past the longest history.
   */
  private void sweep(long now) {
    locals.forEach(
        (stream, l) -> {
          synchronized (l) {
            if (l.lastUsed < now - IDLE_MS && l.pending.isEmpty()) {
              // memory first: no other Local of the stream exists until this one is removed
              l.dead = true;
              memory.forget(stream);
              locals.remove(stream, l);
            }
          }
        });
    long oldest = now - dev.tollgate.engine.internal.cel.RateCall.MAX_WINDOW.toMillis();
    written.values().forEach(m -> m.values().removeIf(at -> at < oldest));
    written.values().removeIf(Map::isEmpty);
    known.set(written.values().stream().mapToInt(Map::size).sum());
  }
}
