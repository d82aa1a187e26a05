package dev.tollgate.engine.internal.rate;

import dev.tollgate.api.store.CounterLog;
import dev.tollgate.engine.internal.cel.RateValues;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One decision's rate values, and what its action added to the counters: kept when the action is
 * allowed, released otherwise ({@link Tallies#settle}).
 */
public final class Tally implements RateValues {
  /** A decision under a bundle without rate functions. */
  public static final Tally NONE = new Tally(Map.of(), List.of(), List.of());

  private final Map<String, Object> values;
  final List<CounterLog.Appended> reserved;
  final List<CounterLog.Seen> remember;
  private boolean settled;

  Tally(
      Map<String, Object> values,
      List<CounterLog.Appended> reserved,
      List<CounterLog.Seen> remember) {
    this.values = values;
    this.reserved = reserved;
    this.remember = remember;
  }

  static Tally building() {
    return new Tally(new HashMap<>(), new ArrayList<>(), new ArrayList<>());
  }

  void put(String key, Object value) {
    values.put(key, value);
  }

  /** Puts {@code value}, or keeps the larger count already there (a failure always wins). */
  void putMax(String key, Object value) {
    values.merge(
        key,
        value,
        (a, b) ->
            a instanceof Failure
                ? a
                : b instanceof Failure
                    ? b
                    : ((Number) a).doubleValue() >= ((Number) b).doubleValue() ? a : b);
  }

  /** Marks the tally settled; true the first time only, so that a failure path settles once. */
  synchronized boolean settle() {
    if (settled) {
      return false;
    }
    settled = true;
    return true;
  }

  @Override
  public Object value(String key) {
    Object v = values.get(key);
    if (v == null) {
      throw new RateValues.Unavailable(
          "this rate call was not tallied for this action (" + key.replace('\u0000', ' ') + ")");
    }
    if (v instanceof Failure f) {
      throw new RateValues.Unavailable(f.message());
    }
    return v;
  }

  /** A value that could not be given, with the reason the policy's failure states. */
  record Failure(String message) {}
}
