package dev.tollgate.engine;

import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.store.RequestRecord;
import dev.tollgate.api.store.RequestStore;
import dev.tollgate.api.store.StoreUnavailableException;
import dev.tollgate.engine.internal.bundle.Redaction;
import dev.tollgate.json.ApiJson;
import dev.tollgate.json.ApiRecords;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * Decide by request id: a retried call (same agent and request id, within the window) gets the
 * decision of its first attempt back, decided once.
 *
 * <p>How: the first attempt reserves the key in the {@link RequestStore} (an atomic insert),
 * decides, and completes the entry with its decision. Any other attempt finds the entry: for
 * another action (tool, session, user or argument digest) it is refused; decided, its decision is
 * returned as it was (no evaluation, no grant use, no approval, no history step); still pending, it
 * waits for the first attempt up to {@code wait}, then denies. A pending entry older than {@link
 * #STALE} belongs to an attempt whose instance presumably stopped: the next attempt takes it over
 * and decides anew. Should the stopped attempt finish after all, its completion fails (the entry
 * names the new attempt's decision) and it answers a deny, so that one request id is never answered
 * with two different decisions that let something through.
 *
 * <p>What is stored of the decision is the decision as returned, except the arguments an obligation
 * redacted: those may still hold values the redaction left alone (a redaction of financial data
 * keeps a personal address), so only the redaction (mode and labels) and the digest of its result
 * are kept, and a replay redacts the retried action's arguments again, which are the same arguments
 * (same digest). Reasons and findings hold masked values only, as the audit does.
 */
final class Requests {
  /** How long a request id names its call: a day, like the longest grant (see docs/server.md). */
  static final Duration DEFAULT_WINDOW = Duration.ofDays(1);

  /** How long a duplicate waits for the first attempt to decide before it denies. */
  static final Duration DEFAULT_WAIT = Duration.ofSeconds(5);

  /** A pending entry older than this is taken over by the next attempt. */
  static final Duration STALE = Duration.ofMinutes(1);

  static final int MAX_LENGTH = 128;

  private static final long SWEEP_EVERY_MILLIS = Duration.ofMinutes(1).toMillis();
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private final RequestStore store;
  private final InstantSource clock;
  private final Duration window;
  private final Duration wait;

  /** Wakes the duplicates waiting on this instance when an entry is completed or released. */
  private final Object settled = new Object();

  private final AtomicLong nextSweep = new AtomicLong();

  /** Redacts a replayed action's arguments again: (action, redaction) to redacted arguments. */
  private final BiFunction<Action, Redaction, Map<String, Object>> redactor;

  Requests(
      RequestStore store,
      InstantSource clock,
      Duration window,
      Duration wait,
      BiFunction<Action, Redaction, Map<String, Object>> redactor) {
    this.store = store;
    this.clock = clock;
    this.window = window;
    this.wait = wait;
    this.redactor = redactor;
  }

  /** What is wrong with a request id, or {@code null} when it is valid. */
  static String problem(String requestId) {
    boolean printable = !requestId.isEmpty() && requestId.length() <= MAX_LENGTH;
    for (int i = 0; printable && i < requestId.length(); i++) {
      char c = requestId.charAt(i);
      printable = c > 0x20 && c < 0x7f;
    }
    return printable
        ? null
        : "invalid `requestId`: use 1 to "
            + MAX_LENGTH
            + " printable ASCII characters without spaces (a UUID, for example)";
  }

  /**
   * What {@link #reserve} found: either an outcome that needs no deciding ({@link #done}), or the
   * reservation this call now holds ({@link #held}), which the caller must {@link #complete} or
   * {@link #release}.
   */
  record Reservation(Outcome done, RequestRecord held) {}

  /**
   * Reserves {@code action}'s request id (already checked with {@link #problem}) for decision
   * {@code id}, or finds the earlier attempt's entry: another action's is refused, a decided one
   * replayed, a pending one waited for (then failed closed).
   *
   * @param digest the digest of the action's arguments, computed once per run and shared
   * @throws StoreUnavailableException when the request store cannot be reached
   */
  Reservation reserve(String id, String agent, Action action, Supplier<String> digest) {
    String rid = action.requestId();
    sweepIfDue();
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      Instant now = clock.instant();
      RequestRecord mine =
          new RequestRecord(
              agent,
              rid,
              action.tool(),
              action.session(),
              action.user(),
              digest.get(),
              id,
              null,
              now,
              now.plus(window));
      Optional<RequestRecord> held = store.reserve(mine, now, now.minus(STALE));
      if (held.isEmpty()) {
        return new Reservation(null, mine);
      }
      RequestRecord entry = held.get();
      // Wait for the attempt that holds the key, unless it has decided already.
      while (entry != null) {
        if (!entry.sameAction(mine)) {
          return new Reservation(reused(id, entry), null);
        }
        if (!entry.pending()) {
          return new Reservation(replay(id, entry, action), null);
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return new Reservation(stillPending(id, entry), null);
        }
        await(Math.min(left, POLL_NANOS));
        Instant at = clock.instant();
        entry = store.get(agent, rid).orElse(null);
        if (entry != null
            && (!at.isBefore(entry.expiresAt())
                || (entry.pending() && entry.created().isBefore(at.minus(STALE))))) {
          entry = null; // over or abandoned: try to reserve it
        }
      }
    }
  }

  /**
   * Lets go of a reservation whose call decided nothing (refused, failed closed): a retry (once the
   * store is back, or the session open) decides anew. Never throws: a reservation that cannot be
   * released goes stale and is taken over later.
   */
  void release(RequestRecord held) {
    try {
      store.release(held.agent(), held.requestId(), held.decisionId());
    } catch (RuntimeException e) {
      // the reservation goes stale and is taken over later
    } finally {
      signal();
    }
  }

  /**
   * Completes a reservation with its decision, so that retries get it back.
   *
   * @param redaction the redaction that made the decision's changed arguments, or {@code null}
   * @return {@code null} when the decision now stands for the request id, or a failed-closed deny
   *     when a later attempt took the request id over meanwhile (its decision stands)
   * @throws StoreUnavailableException when the request store cannot be reached
   */
  Outcome complete(RequestRecord held, Decision decision, Redaction redaction) {
    boolean kept;
    try {
      kept =
          store.complete(
              held.agent(), held.requestId(), held.decisionId(), encode(decision, redaction));
    } finally {
      signal();
    }
    if (kept) {
      return null;
    }
    return new Outcome.FailedClosed(
        deny(
            held.decisionId(),
            "request id `"
                + held.requestId()
                + "` was taken over by a later attempt while this one was still deciding"
                + " (it took longer than "
                + STALE.toSeconds()
                + "s); denied to fail closed: the later attempt's decision stands"),
        Outcome.Failure.REQUEST_TAKEN_OVER);
  }

  private static Decision deny(String id, String message) {
    return Decision.deny(id, Tollgate.INTERNAL, message);
  }

  private Outcome reused(String id, RequestRecord entry) {
    return new Outcome.Refused(
        deny(
            id,
            "request id `"
                + entry.requestId()
                + "` was already used for a different action (another tool, session, user"
                + " or arguments) and names it until "
                + entry.expiresAt()
                + ": give each call its own request id, and the same one only to a retry of"
                + " that call"),
        Outcome.Refusal.REQUEST_ID_REUSED,
        "/requestId");
  }

  private Outcome stillPending(String id, RequestRecord entry) {
    return new Outcome.FailedClosed(
        deny(
            id,
            "request id `"
                + entry.requestId()
                + "` is still being decided by an earlier attempt (decision "
                + entry.decisionId()
                + ") after waiting "
                + wait.toMillis()
                + " ms; its server may have stopped: denied to fail closed. Retry later (an"
                + " attempt that has not decided within "
                + STALE.toSeconds()
                + "s is taken over) or send the call with a new request id"),
        Outcome.Failure.REQUEST_PENDING);
  }

  private Outcome replay(String id, RequestRecord entry, Action action) {
    Stored stored = decode(entry.decision());
    Decision d = stored.decision();
    if (stored.redaction() != null) {
      Map<String, Object> args = redactor.apply(action, stored.redaction());
      if (args == null || !ApiJson.digest(args).equals(stored.argsDigest())) {
        return new Outcome.FailedClosed(
            deny(
                id,
                "the decision for request id `"
                    + entry.requestId()
                    + "` redacted the arguments, and the same redaction cannot be made again"
                    + " (the detectors changed since): denied to fail closed; send the call"
                    + " with a new request id"),
            Outcome.Failure.INTERNAL_ERROR);
      }
      d = d.withArgs(args);
    }
    return new Outcome.Replayed(d);
  }

  private void sweepIfDue() {
    long now = clock.millis();
    long next = nextSweep.get();
    if (now >= next && nextSweep.compareAndSet(next, now + SWEEP_EVERY_MILLIS)) {
      try {
        store.sweep(clock.instant());
      } catch (RuntimeException e) {
        // an expired entry left a minute longer changes nothing: reserve replaces it anyway
      }
    }
  }

  private void await(long nanos) {
    synchronized (settled) {
      try {
        settled.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for an earlier attempt", e);
      }
    }
  }

  private void signal() {
    synchronized (settled) {
      settled.notifyAll();
    }
  }

  // ---- the stored form ----

  /** A decision as stored: without redacted arguments, which are made again on replay. */
  record Stored(Decision decision, Redaction redaction, String argsDigest) {}

  static String encode(Decision d, Redaction r) {
    Map<String, Object> out = new LinkedHashMap<>();
    Map<String, Object> decision = ApiRecords.toMap(d);
    decision.remove("args");
    out.put("decision", decision);
    if (d.args() != null) {
      if (r == null) {
        throw new IllegalStateException("changed arguments without a redaction");
      }
      out.put("redaction", Map.of("mode", r.mode(), "labels", r.labels()));
      out.put("argsDigest", ApiJson.digest(d.args()));
    }
    return ApiJson.write(out);
  }

  @SuppressWarnings("unchecked")
  static Stored decode(String text) {
    try {
      Map<String, Object> root = (Map<String, Object>) ApiJson.toJava(ApiJson.readTree(text));
      Decision decision = ApiRecords.decision((Map<String, Object>) root.get("decision"));
      Redaction redaction = null;
      if (root.get("redaction") instanceof Map<?, ?> r) {
        redaction = new Redaction((String) r.get("mode"), (List<String>) r.get("labels"));
      }
      return new Stored(decision, redaction, (String) root.get("argsDigest"));
    } catch (dev.tollgate.json.InputException | RuntimeException e) {
      throw new IllegalStateException("unreadable stored decision: " + e.getMessage(), e);
    }
  }
}
