package dev.tollgate.engine;

import dev.tollgate.api.Action;
import dev.tollgate.api.Observation;
import dev.tollgate.api.ObservationResult;
import dev.tollgate.api.store.AuditLog;
import dev.tollgate.api.store.ObservedResult;
import dev.tollgate.api.store.SessionRecord;
import dev.tollgate.api.store.SessionStore;
import dev.tollgate.engine.internal.bundle.CompiledBundle;
import dev.tollgate.engine.internal.bundle.ToolSpec;
import dev.tollgate.engine.internal.decide.AuditEntries;
import dev.tollgate.engine.internal.decide.Inspection;
import dev.tollgate.engine.internal.decide.Verdict;
import dev.tollgate.engine.internal.flow.Fingerprints;
import dev.tollgate.engine.internal.flow.FlowIndexes;
import dev.tollgate.engine.internal.flow.NamedSources;
import dev.tollgate.engine.internal.scan.Budget;
import dev.tollgate.engine.internal.scan.Hit;
import dev.tollgate.engine.internal.scan.ScanLimitException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The observe path: what a tool result brings into its session (labels, fingerprints for flow and
 * provenance, the audit's {@code observe} record), and the memory ledger that outlives sessions (a
 * memory write from untrusted text makes a later read of it untrusted). The decide shell tells it
 * of memory writes ({@link #memoryWrite}); {@link Tollgate#observe} is its way in.
 */
final class Observer {
  /** Observed results kept per session (the oldest are forgotten first). */
  static final int MAX_RESULTS = 1_000;

  /** Characters of one observed result that are scanned and fingerprinted. */
  static final long MAX_RESULT_CHARS = 4L << 20;

  /**
   * Flagged memory writes this engine did not let through (asked, denied, or explained only), per
   * agent and by decision id: if the write's result is observed anyway (a person approved it
   * elsewhere, the gate ran in shadow, a replay records that it ran), the write happened and is
   * remembered in the ledger then. Bounded per agent, so that one agent's writes cannot push out
   * another's, and in the number of agents; the oldest are forgotten.
   */
  private final Map<String, Map<String, UnconfirmedWrite>> unconfirmedWrites = // guarded by itself
      bounded(MAX_UNCONFIRMED_AGENTS);

  private static final int MAX_UNCONFIRMED_AGENTS = 1_024;
  private static final int MAX_UNCONFIRMED_WRITES = 256;

  private static <V> Map<String, V> bounded(int max) {
    return new java.util.LinkedHashMap<>(16, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > max;
      }
    };
  }

  private record UnconfirmedWrite(String tool, byte[] fingerprints) {}

  /**
   * Reads whose arguments name a source the session's request names ({@link NamedSources}), by
   * agent and decision id, for their results to be marked when observed. Kept in this engine only:
   * a result observed on another server than the one that decided its read is not marked, which is
   * the stricter reading. The oldest are forgotten.
   */
  private final Map<String, Boolean> namedReads = bounded(MAX_NAMED_READS); // guarded by itself

  private static final int MAX_NAMED_READS = 65_536;

  /**
   * The session that holds what each agent wrote to memory from untrusted text: memory outlives
   * sessions, so a later read of it must still be known as untrusted.
   */
  static final String MEMORY_LEDGER = "~memory";

  private final Supplier<CompiledBundle> bundle;
  private final SessionStore sessions;
  private final FlowIndexes flows;
  private final AuditLog audit;
  private final InstantSource clock;

  Observer(
      Supplier<CompiledBundle> bundle,
      SessionStore sessions,
      FlowIndexes flows,
      AuditLog audit,
      InstantSource clock) {
    this.bundle = bundle;
    this.sessions = sessions;
    this.flows = flows;
    this.audit = audit;
    this.clock = clock;
  }

  /**
   * Reports a tool result to its session: the session takes the labels the catalog gives the tool's
   * results, the labels of what the detectors found in it, and {@code untrusted} when the tool's
   * results are untrusted. For data flow, the catalog's labels go with anything of the result that
   * re-appears later; a detector's label only with the value it found.
   *
   * @throws IllegalArgumentException if the session is unknown or belongs to another agent
   */
  ObservationResult observe(String agent, Observation observation) {
    SessionRecord session =
        Tollgate.sessionIdProblem(observation.session()) != null
            ? null
            : sessions.get(Tollgate.sessionKey(agent, observation.session())).orElse(null);
    if (session == null || !session.agent().equals(agent)) {
      boolean valid = Tollgate.sessionIdProblem(observation.session()) == null;
      try {
        audit.append(
            List.of(
                AuditEntries.refused(
                    clock.instant(),
                    agent,
                    null,
                    valid ? observation.session() : null,
                    observation.tool(),
                    null,
                    valid
                        ? Outcome.Refusal.UNKNOWN_SESSION.code()
                        : Outcome.Refusal.INVALID_SESSION_ID.code(),
                    "/session")));
      } catch (RuntimeException e) {
        // the caller's mistake is answered even when the audit is down
      }
      throw new IllegalArgumentException(
          "unknown session `"
              + observation.session()
              + "`: open it with openSession before observing results");
    }
    CompiledBundle compiled = bundle.get();
    ToolSpec tool = compiled.catalog().lookup(observation.tool());
    LinkedHashSet<String> labels = new LinkedHashSet<>(tool.labels());
    boolean trusted = tool.trust() == ObservedResult.Trust.TRUSTED;
    List<Hit> hits;
    try {
      hits =
          compiled.detectors().scan(observation.result(), "/result", new Budget(MAX_RESULT_CHARS));
    } catch (ScanLimitException e) {
      // What cannot be scanned cannot be tracked: say so to the policies rather than drop it.
      hits = List.of();
      labels.add("unscanned");
    }
    for (Hit h : hits) {
      labels.add(h.label());
    }
    if (trusted
        && tool.kind() == ToolSpec.Kind.MEMORY
        && fromUntrustedMemory(agent, observation, hits)) {
      trusted = false;
    }
    byte[] fingerprints =
        flows
            .fingerprints()
            .ofResult(
                observation.result(),
                hits,
                !trusted,
                session.request(),
                namedRead(agent, observation.decision()));
    if (!trusted) {
      labels.add("untrusted");
    } else {
      // instruction-like text in a trusted system's result is data, not an attack on the session
      labels.remove("injection");
    }
    List<String> all = List.copyOf(labels);
    // The catalog's labels describe the whole result, so whatever of it flows out carries them. A
    // detector's label belongs to the value it found: the fingerprint of that value carries it, so
    // an order number copied from a mail that also held the sender's address is not personal data.
    LinkedHashSet<String> whole = new LinkedHashSet<>(tool.labels());
    for (String l : List.of("untrusted", "unscanned")) {
      if (labels.contains(l)) {
        whole.add(l);
      }
    }
    sessions.addResult(
        session.id(),
        new ObservedResult(
            0,
            observation.tool(),
            trusted ? ObservedResult.Trust.TRUSTED : ObservedResult.Trust.UNTRUSTED,
            List.copyOf(whole),
            fingerprints),
        MAX_RESULTS);
    sessions.addLabels(session.id(), all);
    if (observation.decision() != null) {
      confirmWrite(agent, observation.decision());
    }
    ObservationResult observed = new ObservationResult(all, Inspection.findings(hits));
    audit.append(
        List.of(
            AuditEntries.observe(
                clock.instant(),
                agent,
                observation.session(),
                observation.tool(),
                observation.decision(),
                observed.findings(),
                observed.labels())));
    return observed;
  }

  /** Remembers a read whose arguments name a source the request names. */
  void decidedRead(String agent, Action action, ToolSpec tool, String request, String decision) {
    if (tool.kind() == ToolSpec.Kind.READ
        && decision != null
        && NamedSources.names(request, action.args())) {
      synchronized (namedReads) {
        namedReads.put(agent + '\u0000' + decision, Boolean.TRUE);
      }
    }
  }

  private boolean namedRead(String agent, String decision) {
    if (decision == null) {
      return false;
    }
    synchronized (namedReads) {
      return namedReads.containsKey(agent + '\u0000' + decision);
    }
  }

  /** Whether a memory read returns what was written to memory from untrusted text. */
  private boolean fromUntrustedMemory(String agent, Observation observation, List<Hit> hits) {
    SessionRecord ledger = sessions.get(Tollgate.sessionKey(agent, MEMORY_LEDGER)).orElse(null);
    if (ledger == null || ledger.results() == 0) {
      return false;
    }
    List<String> strings = new ArrayList<>();
    Fingerprints.collect(observation.result(), strings);
    return !flows.of(ledger, sessions).flow(strings, hits).sources().isEmpty();
  }

  /** Whether a memory write's text came from untrusted content or carries instructions. */
  private static boolean flaggedWrite(Inspection inspection) {
    return inspection.flow().labels().contains("untrusted")
        || inspection.dataLabels().contains("injection");
  }

  /**
   * Remembers the write {@code decision} stopped, now that its result shows it ran. Only the agent
   * that made the decision can confirm it; the entry goes only once the ledger holds the write, so
   * an observe that fails on the store can be retried.
   */
  private void confirmWrite(String agent, String decision) {
    UnconfirmedWrite write;
    synchronized (unconfirmedWrites) {
      Map<String, UnconfirmedWrite> mine = unconfirmedWrites.get(agent);
      write = mine == null ? null : mine.get(decision);
    }
    if (write == null) {
      return;
    }
    remember(agent, write.tool(), write.fingerprints());
    synchronized (unconfirmedWrites) {
      Map<String, UnconfirmedWrite> mine = unconfirmedWrites.get(agent);
      if (mine != null) {
        mine.remove(decision, write);
      }
    }
  }

  private void unconfirmed(String agent, String decision, UnconfirmedWrite write) {
    synchronized (unconfirmedWrites) {
      unconfirmedWrites
          .computeIfAbsent(agent, a -> bounded(MAX_UNCONFIRMED_WRITES))
          .put(decision, write);
    }
  }

  /** Remembers a memory write in the agent's ledger, so that a later read of it is untrusted. */
  private void remember(String agent, String tool, byte[] fingerprints) {
    String ledger = Tollgate.sessionKey(agent, MEMORY_LEDGER);
    sessions.create(
        new SessionRecord(ledger, agent, "", "", Map.of(), List.of(), List.of(), clock.instant()));
    sessions.addResult(
        ledger,
        new ObservedResult(
            0, tool, ObservedResult.Trust.UNTRUSTED, List.of("untrusted"), fingerprints),
        MAX_RESULTS);
  }

  /**
   * Keeps the memory ledger: a flagged memory write that went through is remembered now; one that
   * did not (asked, denied, explained) is remembered if its result is observed later.
   */
  void memoryWrite(
      String agent, Action action, Verdict verdict, String decision, boolean wentThrough) {
    if (verdict.tool().kind() != ToolSpec.Kind.MEMORY || !flaggedWrite(verdict.inspection())) {
      return;
    }
    byte[] written = flows.fingerprints().ofResult(action.args(), verdict.inspection().hits());
    if (wentThrough) {
      remember(agent, action.tool(), written);
    } else {
      unconfirmed(agent, decision, new UnconfirmedWrite(action.tool(), written));
    }
  }
}
