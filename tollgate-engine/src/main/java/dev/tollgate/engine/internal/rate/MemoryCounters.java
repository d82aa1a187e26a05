package dev.tollgate.engine.internal.rate;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters in this process (the embedded store): exact, shared by the threads of one engine, lost
 * on restart. Each stream is a queue of events in arrival order, locked while it is appended to and
 * measured. Bounded: a stream keeps its newest {@value #MAX_EVENTS} events, a subject its newest
 * {@value #MAX_SEEN} targets; streams and targets past their window are swept.
 */
public final class MemoryCounters implements Counters {
  static final int MAX_EVENTS = 100_000;
  static final int MAX_SEEN = 1_000_000;
  private static final int SWEEP_EVERY = 4096;

  private final ConcurrentHashMap<String, Stream> streams = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, ConcurrentHashMap<Long, Long>> seen =
      new ConcurrentHashMap<>();
  private final AtomicLong calls = new AtomicLong();

  private static final class Stream {
    final ArrayDeque<Event> events = new ArrayDeque<>();
    long retention;
    long newest;

    /** Swept out of the map: a caller that still holds it takes the map's current stream. */
    boolean dead;
  }

  @Override
  public double[] tally(String key, Measure measure, Event add, long now, long[] windows) {
    if (calls.incrementAndGet() % SWEEP_EVERY == 0) {
      sweep(now);
    }
    double[] out = new double[windows.length];
    while (true) {
      Stream s = streams.computeIfAbsent(key, k -> new Stream());
      synchronized (s) {
        if (s.dead) {
          continue;
        }
        tally(s, measure, add, now, windows, out);
        return out;
      }
    }
  }

  private static void tally(
      Stream s, Measure measure, Event add, long now, long[] windows, double[] out) {
    {
      long longest = 0;
      for (long w : windows) {
        longest = Math.max(longest, w);
      }
      s.retention = Math.max(s.retention, longest);
      while (!s.events.isEmpty() && s.events.peekFirst().at() < now - s.retention) {
        s.events.pollFirst();
      }
      if (add != null) {
        if (s.events.size() >= MAX_EVENTS) {
          s.events.pollFirst();
        }
        s.events.addLast(add);
        s.newest = Math.max(s.newest, add.at());
      }
      for (int i = 0; i < windows.length; i++) {
        out[i] = measure(s.events, measure, now - windows[i], now);
      }
    }
  }

  private static double measure(ArrayDeque<Event> events, Measure measure, long from, long now) {
    double total = 0;
    java.util.HashSet<Long> distinct =
        measure == Measure.DISTINCT ? new java.util.HashSet<>() : null;
    // newest first: events of a window are at the end of the queue
    for (Iterator<Event> it = events.descendingIterator(); it.hasNext(); ) {
      Event e = it.next();
      if (e.at() < from) {
        break;
      }
      if (e.at() > now) {
        continue;
      }
      switch (measure) {
        case COUNT -> total++;
        case SUM -> total += e.amount();
        case DISTINCT -> {
          for (long v : e.values()) {
            distinct.add(v);
          }
        }
      }
    }
    return distinct == null ? total : distinct.size();
  }

  @Override
  public void release(String key, long id) {
    Stream s = streams.get(key);
    if (s == null) {
      return;
    }
    synchronized (s) {
      s.events.removeIf(e -> e.id() == id);
    }
  }

  @Override
  public boolean seen(String subject, long fingerprint, long since) {
    Map<Long, Long> targets = seen.get(subject);
    Long last = targets == null ? null : targets.get(fingerprint);
    return last != null && last >= since;
  }

  @Override
  public void remember(String subject, long[] fingerprints, long now) {
    ConcurrentHashMap<Long, Long> targets =
        seen.computeIfAbsent(subject, k -> new ConcurrentHashMap<>());
    for (long fp : fingerprints) {
      if (targets.size() < MAX_SEEN || targets.containsKey(fp)) {
        targets.merge(fp, now, Math::max);
      }
    }
  }

  /** Drops streams whose every event is past their window, and targets past the longest history. */
  private void sweep(long now) {
    streams.forEach(
        (key, s) -> {
          synchronized (s) {
            if (s.newest < now - s.retention) {
              s.dead = true;
              streams.remove(key, s);
            }
          }
        });
    long oldest = now - dev.tollgate.engine.internal.cel.RateCall.MAX_WINDOW.toMillis();
    seen.values().forEach(m -> m.values().removeIf(at -> at < oldest));
  }
}
