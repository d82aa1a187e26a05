package dev.tollgate.engine.internal.rate;

import dev.tollgate.api.store.CounterLog;
import dev.tollgate.engine.internal.cel.RateCall;
import dev.tollgate.engine.internal.cel.RateValues;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters in this process (the embedded store): exact, shared by the threads of one engine, lost
 * on restart. A stream is a time-ordered array of its events (a timestamp earlier than the newest,
 * from a clock a moment behind, is raised to it: the event stays in its windows a moment longer,
 * never shorter), with running sums, and for {@code distinct} a multiset of the values in each
 * window. So a tally costs a binary search and the events that left the window since the last one,
 * however many the window holds. A stream locks while it is appended to and measured.
 *
 * <p>A stream holds at most {@value #MAX_EVENTS} events in its longest window; past that its
 * tallies fail (the policies that read it deny) until events age out, rather than undercount.
 */
public final class MemoryCounters implements Counters {
  static final int MAX_EVENTS = 1_000_000;
  static final int MAX_SEEN = 1_000_000;
  private static final int SWEEP_EVERY = 4096;

  private final ConcurrentHashMap<String, Stream> streams = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, ConcurrentHashMap<Long, Long>> seen =
      new ConcurrentHashMap<>();
  private final AtomicLong calls = new AtomicLong();

  /** One stream's events, oldest first, in arrays from {@code head} to {@code tail}. */
  private static final class Stream {
    long[] at = new long[16];
    long[] ids = new long[16];

    /** Amounts in millionths, so that sums over a window are exact (no drift from subtracting). */
    long[] micros = new long[16];

    long[][] values = new long[16][];

    /** sums[i]: the amounts of the events up to and including i, since the arrays were packed. */
    long[] sums = new long[16];

    int head;
    int tail;
    long retention;
    long newest = Long.MIN_VALUE;

    /** Per window length: the multiset of values of the events in it, and its first event. */
    final Map<Long, Window> windows = new HashMap<>();

    /** Swept out of the map: a caller that still holds it takes the map's current stream. */
    boolean dead;
  }

  private static final class Window {
    final HashMap<Long, Integer> values = new HashMap<>();
    int first;
  }

  @Override
  public Measured tally(
      java.util.List<Count> counts, java.util.List<CounterLog.Lookup> lookups, long now) {
    double[][] measured = new double[counts.size()][];
    for (int i = 0; i < measured.length; i++) {
      Count c = counts.get(i);
      try {
        measured[i] = tally(c.stream(), c.measure(), c.add(), now, c.windows(), c.retention());
      } catch (RuntimeException e) {
        // all or nothing: the decision fails, so what it appended so far goes again
        for (int j = 0; j < i; j++) {
          if (counts.get(j).add() != null) {
            release(counts.get(j).stream(), counts.get(j).add().id());
          }
        }
        throw e;
      }
    }
    boolean[] unseen = new boolean[lookups.size()];
    for (int i = 0; i < unseen.length; i++) {
      CounterLog.Lookup l = lookups.get(i);
      unseen[i] = anyUnseen(l.subject(), l.fingerprints(), l.since());
    }
    return new Measured(measured, unseen);
  }

  /**
   * Appends {@code add} to a stream (unless {@code null}) and measures it over each window, keeping
   * the stream's events for at least {@code retention} ms whatever windows this call measures.
   */
  double[] tally(String key, Measure measure, Event add, long now, long[] windows, long retention) {
    if (calls.incrementAndGet() % SWEEP_EVERY == 0) {
      sweep(now);
    }
    while (true) {
      Stream s = streams.computeIfAbsent(key, k -> new Stream());
      synchronized (s) {
        if (s.dead) {
          continue;
        }
        return tally(s, measure, add, now, windows, retention);
      }
    }
  }

  private static double[] tally(
      Stream s, Measure measure, Event add, long now, long[] windows, long retention) {
    long longest = retention;
    for (long w : windows) {
      longest = Math.max(longest, w);
    }
    s.retention = Math.max(s.retention, longest);
    evict(s, now - s.retention);
    if (add != null) {
      if (s.tail - s.head >= MAX_EVENTS) {
        throw new RateValues.Unavailable(
            "a rate counter holds over "
                + MAX_EVENTS
                + " actions in its window: denied rather than counted short");
      }
      append(s, add, measure == Measure.DISTINCT);
    }
    double[] out = new double[windows.length];
    for (int i = 0; i < windows.length; i++) {
      long from = now - windows[i];
      int first = firstAtOrAfter(s, from);
      out[i] =
          switch (measure) {
            case COUNT -> s.tail - first;
            case SUM -> first >= s.tail ? 0 : (s.sums[s.tail - 1] - before(s, first)) / 1e6;
            case DISTINCT -> distinct(s, windows[i], from);
          };
    }
    return out;
  }

  /** The running sum before index {@code i} (evicted events' sums stay valid until a pack). */
  private static long before(Stream s, int i) {
    return i == 0 ? 0 : s.sums[i - 1];
  }

  /** The first event at or after {@code from}: the arrays are in time order. */
  private static int firstAtOrAfter(Stream s, long from) {
    int lo = s.head;
    int hi = s.tail;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (s.at[mid] < from) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private static void append(Stream s, Event e, boolean distinct) {
    if (s.tail == s.at.length) {
      pack(s);
    }
    long at = Math.max(e.at(), s.newest);
    int i = s.tail++;
    s.at[i] = at;
    s.ids[i] = e.id();
    s.micros[i] = e.micros();
    s.values[i] = e.values();
    s.sums[i] = before(s, i) + s.micros[i];
    s.newest = at;
    if (distinct) {
      for (Window w : s.windows.values()) {
        add(w, e.values());
      }
    }
  }

  /** Moves the events to the start of the arrays, growing them when over half full. */
  private static void pack(Stream s) {
    int n = s.tail - s.head;
    int size = n * 2 > s.at.length ? s.at.length * 2 : s.at.length;
    long[] at = new long[size];
    long[] ids = new long[size];
    long[] micros = new long[size];
    long[][] values = new long[size][];
    long[] sums = new long[size];
    System.arraycopy(s.at, s.head, at, 0, n);
    System.arraycopy(s.ids, s.head, ids, 0, n);
    System.arraycopy(s.micros, s.head, micros, 0, n);
    System.arraycopy(s.values, s.head, values, 0, n);
    long running = 0;
    for (int i = 0; i < n; i++) {
      running += micros[i];
      sums[i] = running;
    }
    for (Window w : s.windows.values()) {
      w.first -= s.head;
    }
    s.at = at;
    s.ids = ids;
    s.micros = micros;
    s.values = values;
    s.sums = sums;
    s.tail = n;
    s.head = 0;
  }

  /** Drops the events before {@code from} (past every window), out of every window too. */
  private static void evict(Stream s, long from) {
    int head = s.head;
    while (head < s.tail && s.at[head] < from) {
      head++;
    }
    for (Window w : s.windows.values()) {
      while (w.first < head) {
        remove(w, s.values[w.first]);
        w.first++;
      }
    }
    for (int i = s.head; i < head; i++) {
      s.values[i] = null;
    }
    s.head = head;
  }

  private static double distinct(Stream s, long length, long from) {
    Window w = s.windows.get(length);
    if (w == null) {
      w = new Window();
      w.first = firstAtOrAfter(s, from);
      for (int i = w.first; i < s.tail; i++) {
        add(w, s.values[i]);
      }
      s.windows.put(length, w);
      return w.values.size();
    }
    while (w.first < s.tail && s.at[w.first] < from) {
      remove(w, s.values[w.first]);
      w.first++;
    }
    return w.values.size();
  }

  private static void add(Window w, long[] values) {
    for (long v : values) {
      w.values.merge(v, 1, Integer::sum);
    }
  }

  private static void remove(Window w, long[] values) {
    if (values == null) {
      return;
    }
    for (long v : values) {
      w.values.computeIfPresent(v, (k, n) -> n == 1 ? null : n - 1);
    }
  }

  @Override
  public void release(java.util.List<CounterLog.Appended> events, long now) {
    for (CounterLog.Appended e : events) {
      release(e.stream(), e.id());
    }
  }

  void release(String key, long id) {
    Stream s = streams.get(key);
    if (s == null) {
      return;
    }
    synchronized (s) {
      // a decision settles moments after it appended: its event is near the end
      for (int i = s.tail - 1; i >= s.head; i--) {
        if (s.ids[i] == id) {
          removeAt(s, i);
          return;
        }
      }
    }
  }

  private static void removeAt(Stream s, int i) {
    for (Window w : s.windows.values()) {
      if (i >= w.first) {
        remove(w, s.values[i]);
      } else {
        w.first--;
      }
    }
    int moved = s.tail - i - 1;
    System.arraycopy(s.at, i + 1, s.at, i, moved);
    System.arraycopy(s.ids, i + 1, s.ids, i, moved);
    System.arraycopy(s.micros, i + 1, s.micros, i, moved);
    System.arraycopy(s.values, i + 1, s.values, i, moved);
    s.tail--;
    s.values[s.tail] = null;
    for (int j = i; j < s.tail; j++) {
      s.sums[j] = before(s, j) + s.micros[j];
    }
  }

  private boolean anyUnseen(String subject, long[] fingerprints, long since) {
    Map<Long, Long> targets = seen.get(subject);
    for (long fp : fingerprints) {
      Long last = targets == null ? null : targets.get(fp);
      if (last == null || last < since) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void remember(java.util.List<CounterLog.Seen> seen, long now) {
    for (CounterLog.Seen s : seen) {
      remember(s.subject(), s.fingerprints(), now);
    }
  }

  private void remember(String subject, long[] fingerprints, long now) {
    ConcurrentHashMap<Long, Long> targets =
        seen.computeIfAbsent(subject, k -> new ConcurrentHashMap<>());
    for (long fp : fingerprints) {
      if (targets.size() < MAX_SEEN || targets.containsKey(fp)) {
        targets.merge(fp, now, Math::max);
      }
    }
  }

  /** Drops a stream, whatever it holds. */
  void forget(String key) {
    Stream s = streams.remove(key);
    if (s != null) {
      synchronized (s) {
        s.dead = true;
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
    long oldest = now - RateCall.MAX_WINDOW.toMillis();
    seen.values().forEach(m -> m.values().removeIf(at -> at < oldest));
    seen.values().removeIf(Map::isEmpty);
  }
}
