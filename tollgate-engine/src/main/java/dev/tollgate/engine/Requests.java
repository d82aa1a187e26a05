package dev.tollgate.engine;

import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.store.RequestRecord;
import dev.tollgate.api.store.RequestStore;
import dev.tollgate.api.store.StoreUnavailableException;
import dev.tollgate.engine.Tollgate.Outcome;
import dev.tollgate.engine.internal.Redaction;
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
   * Decides {@code action}, whose request id is set, once per agent and request id.
   *
   * @param decider decides the action for real, with decision id {@code id}
   */
  Outcome decide(String id, String agent, Action action, Supplier<Tollgate.Ran> decider) {
    // INVARIANT: never allows on error. Every failure below becomes a deny that says so.
    String rid = action.requestId();
    String problem = problem(rid);
    if (problem != null) {
      return new Outcome(Tollgate.denied(id, problem).decision(), Outcome.Kind.INVALID_REQUEST_ID);
    }
    try {
      sweepIfDue();
      String digest = Json.digest(action.args());
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
                digest,
                id,
                null,
                now,
                now.plus(window));
        Optional<RequestRecord> held = store.reserve(mine, now, now.minus(STALE));
        if (held.isEmpty()) {
          return decideHeld(mine, decider);
        }
        RequestRecord entry = held.get();
        // Wait for the attempt that holds the key, unless it has decided already.
        while (entry != null) {
          if (!entry.sameAction(mine)) {
            return reused(id, entry);
          }
          if (!entry.pending()) {
            return replay(id, entry, action);
          }
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return stillPending(id, entry);
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
    } catch (StoreUnavailableException e) {
      return new Outcome(
          Tollgate.denied(
                  id,
                  "store unavailable ("
                      + e.getMessage()
                      + "): the request id could not be checked; denied to fail closed")
              .decision(),
          Outcome.Kind.DECIDED);
    } catch (RuntimeException e) {
      return new Outcome(
          Tollgate.denied(
                  id,
                  "internal error while checking the request id ("
                      + e.getClass().getSimpleName()
                      + (e.getMessage() == null ? "" : ": " + e.getMessage())
                      + "); denied to fail closed")
              .decision(),
          Outcome.Kind.DECIDED);
    }
  }

  private Outcome decideHeld(RequestRecord mine, Supplier<Tollgate.Ran> decider) {
    Tollgate.Ran ran = decider.get();
    if (ran.failed()
        || ran.kind() == Outcome.Kind.UNKNOWN_SESSION
        || ran.kind() == Outcome.Kind.INVALID_SESSION_ID) {
      // Nothing was decided: a retry (once the store is back, or the session open) decides anew.
      try {
        store.release(mine.agent(), mine.requestId(), mine.decisionId());
      } catch (StoreUnavailableException e) {
        // the reservation goes stale and is taken over later
      } finally {
        signal();
      }
      return new Outcome(ran.decision(), ran.kind());
    }
    boolean kept;
    try {
      kept =
          store.complete(
              mine.agent(), mine.requestId(), mine.decisionId(), encode(ran.decision(), ran));
    } finally {
      signal();
    }
    if (!kept) {
      return new Outcome(
          Tollgate.denied(
                  mine.decisionId(),
                  "request id `"
                      + mine.requestId()
                      + "` was taken over by a later attempt while this one was still deciding"
                      + " (it took longer than "
                      + STALE.toSeconds()
                      + "s); denied to fail closed: the later attempt's decision stands")
              .decision(),
          Outcome.Kind.DECIDED);
    }
    return new Outcome(ran.decision(), ran.kind());
  }

  private Outcome reused(String id, RequestRecord entry) {
    return new Outcome(
        Tollgate.denied(
                id,
                "request id `"
                    + entry.requestId()
                    + "` was already used for a different action (another tool, session, user"
                    + " or arguments) and names it until "
                    + entry.expiresAt()
                    + ": give each call its own request id, and the same one only to a retry of"
                    + " that call")
            .decision(),
        Outcome.Kind.REQUEST_ID_REUSED);
  }

  private Outcome stillPending(String id, RequestRecord entry) {
    return new Outcome(
        Tollgate.denied(
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
                    + "s is taken over) or send the call with a new request id")
            .decision(),
        Outcome.Kind.DECIDED);
  }

  private Outcome replay(String id, RequestRecord entry, Action action) {
    Stored stored = decode(entry.decision());
    Decision d = stored.decision();
    if (stored.redaction() != null) {
      Map<String, Object> args = redactor.apply(action, stored.redaction());
      if (args == null || !Json.digest(args).equals(stored.argsDigest())) {
        return new Outcome(
            Tollgate.denied(
                    id,
                    "the decision for request id `"
                        + entry.requestId()
                        + "` redacted the arguments, and the same redaction cannot be made again"
                        + " (the detectors changed since): denied to fail closed; send the call"
                        + " with a new request id")
                .decision(),
            Outcome.Kind.DECIDED);
      }
      d =
          new Decision(
              d.id(),
              d.effect(),
              args,
              d.reasons(),
              d.findings(),
              d.approval(),
              d.grant(),
              d.shadow());
    }
    return new Outcome(d, Outcome.Kind.REPLAYED);
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

  static String encode(Decision d, Tollgate.Ran ran) {
    Map<String, Object> out = new LinkedHashMap<>();
    Map<String, Object> decision = ApiRecords.toMap(d);
    decision.remove("args");
    out.put("decision", decision);
    if (d.args() != null) {
      Redaction r = ran.redaction();
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
