package dev.tollgate.engine;

import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Finding;
import dev.tollgate.api.Gate;
import dev.tollgate.api.Observation;
import dev.tollgate.api.ObservationResult;
import dev.tollgate.api.SessionSpec;
import dev.tollgate.api.store.ApprovalStore;
import dev.tollgate.api.store.AuditLog;
import dev.tollgate.api.store.CounterLog;
import dev.tollgate.api.store.PauseStore;
import dev.tollgate.api.store.RequestStore;
import dev.tollgate.api.store.SessionRecord;
import dev.tollgate.api.store.SessionStore;
import dev.tollgate.api.store.Store;
import dev.tollgate.api.store.ToolPinStore;
import dev.tollgate.engine.internal.bundle.CompiledBundle;
import dev.tollgate.engine.internal.bundle.Redaction;
import dev.tollgate.engine.internal.bundle.ToolSpec;
import dev.tollgate.engine.internal.decide.AuditEntries;
import dev.tollgate.engine.internal.decide.Ids;
import dev.tollgate.engine.internal.decide.Inspection;
import dev.tollgate.engine.internal.decide.Judge;
import dev.tollgate.engine.internal.decide.SessionMask;
import dev.tollgate.engine.internal.decide.SessionView;
import dev.tollgate.engine.internal.decide.Verdict;
import dev.tollgate.engine.internal.flow.Fingerprints;
import dev.tollgate.engine.internal.flow.FlowIndexes;
import dev.tollgate.engine.internal.judge.ChatJudge;
import dev.tollgate.engine.internal.memory.MemoryApprovalStore;
import dev.tollgate.engine.internal.memory.MemoryAuditLog;
import dev.tollgate.engine.internal.memory.MemoryPauseStore;
import dev.tollgate.engine.internal.memory.MemoryRequestStore;
import dev.tollgate.engine.internal.memory.MemorySessionStore;
import dev.tollgate.engine.internal.memory.MemoryToolPinStore;
import dev.tollgate.engine.internal.rate.MemoryCounters;
import dev.tollgate.engine.internal.rate.SharedCounters;
import dev.tollgate.engine.internal.rate.Tallies;
import dev.tollgate.engine.internal.scan.Budget;
import dev.tollgate.engine.internal.scan.Hit;
import dev.tollgate.engine.internal.scan.ScanLimitException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The Tollgate engine in-process: decides actions against a policy bundle and keeps sessions in
 * memory; long because the public {@link Builder} (its options and their documentation) is nested
 * here, beside the sessions this instance opened and their clear text. Decide itself is {@code
 * DecideShell}'s, observing results and the memory ledger {@code Observer}'s.
 *
 * <pre>{@code
 * Tollgate tollgate = Tollgate.builder().bundle(Bundle.load(Path.of("policies"))).build();
 * Gate gate = tollgate.gate("invoice-bot");
 * String session = gate.openSession(SessionSpec.of("alice@acme.example", "Notify the vendor"));
 * Decision d = gate.decide(Action.of(session, "alice@acme.example", "email.send", args));
 * }</pre>
 *
 * <p>Thread-safe. {@link #decide} never throws and never allows on error: an internal failure is a
 * deny whose reason says so. {@link #reload} swaps in a whole new bundle atomically; a decision
 * sees either the old bundle or the new one, never a mix.
 *
 * <p>An action with a {@link Action#requestId() request id} is decided once per agent and request
 * id within a window (a day by default): a retry gets the first attempt's decision back, without
 * evaluating again, using a grant, opening an approval or adding a history step (see {@link
 * #outcome}).
 */
public final class Tollgate {
  /** The reason's policy name when Tollgate itself, not a policy, denies. */
  public static final String INTERNAL = "tollgate";

  /** The longest session id accepted (see {@link #sessionIdProblem}). */
  public static final int MAX_SESSION_ID = 128;

  private final AtomicReference<Bundle> bundle;
  private volatile java.time.Instant bundleLoadedAt;
  private final InstantSource clock;
  private final int maxHistory;
  private final SessionStore sessions;
  private final Approvals approvals;
  private final Requests requests;
  private final FlowIndexes flows;
  private final AuditLog audit;
  private final DecideShell shell;
  private final Pauses pauses;
  private final ToolPins toolPins;
  private final Observer observer;
  private final DecisionTracing tracing;

  /**
   * Clear requests and tasks of the sessions this instance opened, by store key. The store keeps
   * them masked ({@link SessionMask}: a flagged value never lies on disk); policies that read the
   * user's words ({@code session.request}) see them whole while the session is in use on this
   * instance, and every message they render is masked again. Another instance sharing the store
   * sees the masked text; provenance works on both, by the fingerprints in the stored tokens.
   */
  private final Map<String, ClearSpec> clearSpecs;

  /**
   * A session's clear request and task, with each flagged value and the token stored for it, and
   * the request as its flow index reads it ({@link #indexed}), made once when the session opens.
   */
  private record ClearSpec(SessionSpec spec, Map<String, String> flagged, String indexedRequest) {}

  private Tollgate(Builder b) {
    this.tracing = b.tracing;
    this.bundle = new AtomicReference<>(b.bundle);
    this.clock = b.clock;
    this.bundleLoadedAt = b.clock.instant();
    this.sessions = b.sessions != null ? b.sessions : new MemorySessionStore(b.maxSessions);
    int keep = b.maxSessions;
    this.clearSpecs =
        java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(16, 0.75f, true) {
              private static final long serialVersionUID = 1L;

              @Override
              protected boolean removeEldestEntry(Map.Entry<String, ClearSpec> eldest) {
                return size() > keep;
              }
            });
    this.maxHistory = b.maxHistory;
    this.audit = b.audit != null ? b.audit : new MemoryAuditLog();
    this.approvals =
        new Approvals(
            b.approvals != null ? b.approvals : new MemoryApprovalStore(), b.clock, audit);
    byte[] key = b.fingerprintKey;
    if (key == null) {
      key = new byte[16];
      new java.security.SecureRandom().nextBytes(key);
    }
    java.nio.ByteBuffer k = java.nio.ByteBuffer.wrap(key);
    this.flows = new FlowIndexes(new Fingerprints(k.getLong(), k.getLong()), b.maxFlowSessions);
    this.requests =
        new Requests(
            b.requests != null ? b.requests : new MemoryRequestStore(b.maxSessions),
            b.clock,
            b.requestWindow,
            b.requestWait,
            this::redactAgain);
    this.pauses = new Pauses(b.pauses != null ? b.pauses : new MemoryPauseStore(), audit, b.clock);
    this.toolPins =
        new ToolPins(
            b.toolPins != null ? b.toolPins : new MemoryToolPinStore(),
            audit,
            b.clock,
            this::screen);
    this.shell =
        new DecideShell(
            this,
            sessions,
            flows,
            approvals,
            requests,
            audit,
            clock,
            maxHistory,
            b.judge == null
                ? Judge.NONE
                : new ChatJudge(
                    b.judge.endpoint(),
                    b.judge.model(),
                    b.judge.timeout(),
                    b.judge.apiKey(),
                    b.judge.cacheSize()),
            new Tallies(
                b.counters != null ? new SharedCounters(b.counters) : new MemoryCounters(),
                flows.fingerprints()));
    this.observer = new Observer(this::compiled, sessions, flows, audit, clock);
    remaskStoredSessions();
  }

  /** Sessions masked again per store round trip. */
  private static final int REMASK_BATCH = 500;

  /**
   * Masks the request and task of every session the store kept from before Tollgate masked mail
   * addresses and phone numbers (and, before that, financial data and secrets) in them: the
   * migration of a store upgraded in place. Runs when the engine is built, before any decision, so
   * that no stored request stays in clear and provenance finds the tokens it compares with. A
   * request too large to scan is replaced by a note saying so: fail closed, never kept in clear.
   *
   * @return how many sessions were masked
   * @throws dev.tollgate.api.store.StoreUnavailableException when the store cannot be reached: the
   *     engine is not built with clear text left behind silently
   * @throws IllegalStateException when the store offers a session again after it was masked (a
   *     store that implements {@code unmasked} but not {@code remask}), rather than loop forever
   */
  int remaskStoredSessions() {
    int done = 0;
    Set<String> offered = new HashSet<>();
    for (List<SessionRecord> batch = sessions.unmasked(REMASK_BATCH);
        !batch.isEmpty();
        batch = sessions.unmasked(REMASK_BATCH)) {
      for (SessionRecord s : batch) {
        if (!offered.add(s.id())) {
          throw new IllegalStateException(
              "the session store offers session `"
                  + s.id()
                  + "` for masking again after it was masked: implement SessionStore.remask"
                  + " beside SessionStore.unmasked, so that stored requests do not stay in clear");
        }
        SessionMask masked;
        try {
          masked = maskedSpec(new SessionSpec(null, "-", s.request(), s.task()));
        } catch (ScanLimitException e) {
          masked =
              new SessionMask(
                  "[request removed when masked: too large to scan (" + e.getMessage() + ")]",
                  Map.of(),
                  Map.of());
        }
        sessions.remask(s.id(), masked.request(), masked.task());
        done++;
      }
    }
    return done;
  }

  /**
   * The audit log the engine records every decision, retry, refusal, session, observed result,
   * approval and grant event in: the one given to the builder ({@link Builder#store} or {@link
   * Builder#audit}), or by default the last {@value MemoryAuditLog#DEFAULT_CAPACITY} records in
   * memory.
   */
  public AuditLog audit() {
    return audit;
  }

  /**
   * The kill switch: pause an agent, a user's sessions, a session or everything (every decision
   * covered is a deny until resumed), and resume or end the sessions policies quarantined.
   */
  public Pauses pauses() {
    return pauses;
  }

  /**
   * The definitions of MCP servers' tools the gateway pins: a changed or poisoned definition hides
   * its tool until a person accepts it.
   */
  public ToolPins toolPins() {
    return toolPins;
  }

  /** Approvals and grants: what people decide when a policy asks. */
  public Approvals approvals() {
    return approvals;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A gate that speaks for {@code agent}. */
  public Gate gate(String agent) {
    requireAgent(agent);
    return new AgentGate(this, agent);
  }

  /** The bundle in use. */
  public Bundle bundle() {
    return bundle.get();
  }

  /** When the bundle in use was put in use (built or reloaded). */
  public java.time.Instant bundleLoadedAt() {
    return bundleLoadedAt;
  }

  /** Uses {@code next} for every decision from now on. */
  public synchronized void reload(Bundle next) {
    bundle.set(Objects.requireNonNull(next, "bundle"));
    bundleLoadedAt = clock.instant();
  }

  /**
   * Loads the bundle in {@code directory} and uses it from now on; when it cannot be loaded the
   * bundle in use stays and the exception says why.
   */
  public synchronized Bundle reload(Path directory) throws BundleException {
    Bundle next = Bundle.load(directory);
    reload(next);
    return next;
  }

  /**
   * Opens a session for {@code agent}. Session ids are per agent: two agents may each open a
   * session named {@code s1}, and neither sees, nor learns of, the other's. Every value the
   * detectors flag in the request and task (financial data, secrets, mail addresses, phone numbers)
   * is stored masked, as a token with a keyed fingerprint that provenance still compares with.
   *
   * @throws IllegalArgumentException if the id is not a valid session id ({@link
   *     #sessionIdProblem}), if this agent already has a session with that id, or if the request
   *     and task are too large to scan
   */
  public String openSession(String agent, SessionSpec spec) {
    requireAgent(agent);
    Objects.requireNonNull(spec, "spec");
    String id = spec.id() != null ? spec.id() : Ids.unguessable("ses_", clock.millis());
    String problem = sessionIdProblem(id);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    SessionMask stored;
    try {
      stored = maskedSpec(spec);
    } catch (ScanLimitException e) {
      throw new IllegalArgumentException(
          "the session's request and task are too large to scan ("
              + e.getMessage()
              + "): shorten them");
    }
    String key = sessionKey(agent, id);
    SessionRecord record =
        new SessionRecord(
            key,
            agent,
            spec.user(),
            stored.request(),
            stored.task(),
            List.of(),
            List.of(),
            clock.instant());
    if (!sessions.create(record)) {
      throw new IllegalArgumentException(
          "session `" + id + "` is already open: choose another id or leave it out");
    }
    clearSpecs.put(key, new ClearSpec(spec, stored.shown(), indexed(spec, stored)));
    audit.append(List.of(AuditEntries.session(clock.instant(), agent, spec.user(), id)));
    return id;
  }

  /**
   * Why {@code id} cannot name a session, or {@code null} when it can: a session id is 1 to {@value
   * #MAX_SESSION_ID} characters of {@code A-Z a-z 0-9 . _ : -}, and does not start with {@code ~}
   * (kept for Tollgate itself).
   */
  public static String sessionIdProblem(String id) {
    boolean valid = id != null && !id.isEmpty() && id.length() <= MAX_SESSION_ID;
    for (int i = 0; valid && i < id.length(); i++) {
      char c = id.charAt(i);
      valid =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == ':'
              || c == '-';
    }
    return valid
        ? null
        : "invalid session id: use 1 to "
            + MAX_SESSION_ID
            + " characters of A-Z, a-z, 0-9, `.`, `_`, `:` and `-` (for example `run-42`; `~`"
            + " is kept for Tollgate itself), or leave the id out and use the one Tollgate"
            + " returns";
  }

  /**
   * The store's key for an agent's session: ids are per agent. Unambiguous because a session id has
   * no {@code /}; the memory ledger's {@code ~} is outside the id alphabet, so no client can name
   * it.
   */
  static String sessionKey(String agent, String id) {
    return agent + "/" + id;
  }

  /**
   * The request and task as the store keeps them: every value a detector flags (financial data,
   * secrets, mail addresses, phone numbers) replaced by a token with its masked excerpt and keyed
   * fingerprint ({@link SessionMask}).
   */
  private SessionMask maskedSpec(SessionSpec spec) throws ScanLimitException {
    Map<String, Object> both = new java.util.LinkedHashMap<>();
    both.put("request", spec.request());
    both.put("task", spec.task());
    List<Hit> hits =
        bundle
            .get()
            .compiled()
            .detectors()
            .scan(both, "/args", new Budget(Observer.MAX_RESULT_CHARS));
    return SessionMask.of(spec.request(), spec.task(), hits, flows.fingerprints());
  }

  /**
   * The clear request, followed by the fingerprints of the tokens stored for its flagged values:
   * made once per session, since the flow index reads it only when it is first built.
   */
  private static String indexed(SessionSpec spec, SessionMask stored) {
    return stored.shown().isEmpty()
        ? spec.request()
        : spec.request()
            + "\n"
            + Fingerprints.tokenFingerprints(List.of(stored.request(), stored.task()));
  }

  /**
   * The user {@code agent}'s session {@code id} acts for, if the agent has such a session. Another
   * agent's session with the same id is none of its business: empty.
   */
  public java.util.Optional<String> sessionUser(String agent, String id) {
    if (agent == null || sessionIdProblem(id) != null) {
      return java.util.Optional.empty();
    }
    return sessions.get(sessionKey(agent, id)).map(SessionRecord::user);
  }

  /**
   * Decides one action for {@code agent}. Never throws; never allows on error.
   *
   * @param agent the agent's identity, from the caller's credentials or the embedding application
   */
  public Decision decide(String agent, Action action) {
    return outcome(agent, action).decision();
  }

  /**
   * Decides like {@link #decide} and says how the decision came about, for the ways in (server,
   * gateway, integrations) that answer each case in their own way: {@link Outcome.Decided}, {@link
   * Outcome.Replayed} (a retry with the same agent and request id gets the first attempt's decision
   * back), {@link Outcome.Refused} (an unknown or invalid session, a request id reused for another
   * action or invalid: the caller's mistake, nothing decided) or {@link Outcome.FailedClosed} (the
   * store, the audit or the engine failed: a deny that says why). A retry while the first call is
   * still deciding waits for it briefly (5 s by default), then fails closed. Every outcome is
   * recorded in the {@link #audit() audit log} before it is returned (a refusal and a failure best
   * effort). Never throws; never allows on error.
   *
   * <p>A grant that lets the action through is used before the decision is recorded: should the
   * record then fail, the caller gets a deny and the use stays counted (an exact grant is spent).
   *
   * @param agent the agent's identity, from the caller's credentials or the embedding application
   */
  public Outcome outcome(String agent, Action action) {
    if (tracing == DecisionTracing.NONE) {
      return shell.decide(agent, action, null);
    }
    DecisionTracing.Span span = DecisionTracing.Span.NONE;
    String trace = null;
    try {
      span = tracing.start(agent, action.tool());
      trace = span.traceId();
    } catch (RuntimeException e) {
      // tracing never changes a decision: this one goes untraced
    }
    Outcome outcome = shell.decide(agent, action, trace);
    try {
      span.end(outcome.decision());
    } catch (RuntimeException e) {
      // as above: the decision stands, recorded, whatever the span did
    }
    return outcome;
  }

  /**
   * Decides like {@link #decide} and also reports what every considered policy did. A dry run: it
   * uses no grant, opens no approval, ignores the request id and records nothing in the audit; it
   * does add the session's history step, so that a replayed trace's later steps see it.
   */
  public Explanation explain(String agent, Action action) {
    DecideShell.Run run = shell.explain(agent, action);
    return new Explanation(run.outcome().decision(), run.considered());
  }

  /** The arguments of a replayed decision, redacted again as its first attempt redacted them. */
  private Map<String, Object> redactAgain(Action action, Redaction redaction) {
    CompiledBundle compiled = bundle.get().compiled();
    try {
      Inspection inspection =
          Inspection.of(
              compiled.detectors(), compiled.catalog().lookup(action.tool()), action.args(), null);
      return redaction.apply(action.args(), inspection.hits());
    } catch (ScanLimitException e) {
      return null;
    }
  }

  /**
   * Reports a tool result to its session: the session takes the labels the catalog gives the tool's
   * results, the labels of what the detectors found in it, and {@code untrusted} when the tool's
   * results are untrusted. For data flow, the catalog's labels go with anything of the result that
   * re-appears later; a detector's label only with the value it found.
   *
   * @throws IllegalArgumentException if the session is unknown or belongs to another agent
   */
  public ObservationResult observe(String agent, Observation observation) {
    requireAgent(agent);
    return observer.observe(agent, observation);
  }

  /**
   * What the bundle's detectors find in a value that is neither an action nor a result: a tool's
   * name, description and schema before an agent is shown them, for example (the MCP gateway looks
   * for instructions to the model there). Findings are masked, as in decisions; a value too large
   * to scan is reported as one finding labelled {@code unscanned}.
   */
  public List<Finding> inspect(Object value) {
    try {
      return Inspection.findings(
          compiled().detectors().scan(value, "", new Budget(Observer.MAX_RESULT_CHARS)));
    } catch (ScanLimitException e) {
      return List.of(new Finding("scan-limit", "unscanned", "", ""));
    }
  }

  /**
   * A tool definition's findings, and the definition with every flagged value masked except
   * instructions to the model (a person must read those to judge them). A definition too large to
   * scan is one {@code unscanned} finding, kept whole: it is never accepted without a person.
   */
  private ToolPins.Screened screen(Map<String, Object> definition) {
    try {
      List<Hit> hits =
          compiled().detectors().scan(definition, "/args", new Budget(Observer.MAX_RESULT_CHARS));
      List<String> sensitive =
          hits.stream().map(Hit::label).filter(l -> !l.equals("injection")).distinct().toList();
      Map<String, Object> masked =
          sensitive.isEmpty() ? null : new Redaction("mask", sensitive).apply(definition, hits);
      // the definition is scanned as arguments (where the redaction looks), shown from its root
      List<Finding> findings =
          Inspection.findings(hits).stream()
              .map(
                  f ->
                      new Finding(
                          f.detector(),
                          f.label(),
                          f.path().startsWith("/args") ? f.path().substring(5) : f.path(),
                          f.excerpt()))
              .toList();
      return new ToolPins.Screened(findings, masked == null ? definition : masked);
    } catch (ScanLimitException e) {
      return new ToolPins.Screened(
          List.of(new Finding("scan-limit", "unscanned", "", "")),
          Map.of("name", String.valueOf(definition.get("name")), "unscanned", true));
    }
  }

  /** The memory ledger's part of a decision (see {@link Observer#memoryWrite}). */
  void memoryWrite(
      String agent, Action action, Verdict verdict, String decision, boolean wentThrough) {
    observer.memoryWrite(agent, action, verdict, decision, wentThrough);
  }

  void decidedRead(String agent, Action action, ToolSpec tool, String request, String decision) {
    observer.decidedRead(agent, action, tool, request, decision);
  }

  /** The bundle in use, compiled. */
  CompiledBundle compiled() {
    return bundle.get().compiled();
  }

  /**
   * A session as policies see it ({@code view}) and as its flow index reads it ({@code indexed}).
   */
  record Seen(SessionView view, SessionRecord indexed) {}

  /**
   * The session as policies see it: with the clear request and task when this instance opened it,
   * else as {@code shown} (the store's masked text). Its flow index reads the request policies see
   * and, when that is the clear text, the fingerprints of the flagged values the user named, from
   * the stored tokens (not their excerpts, whose digits would pass for words the user wrote). So a
   * recipient is judged alike on every instance: a phone number the user wrote as {@code +1 (415)
   * 555-0100} is named by {@code +1-415-555-0100} on the instance that opened the session as on any
   * other. One lookup per decision: the clear texts are kept in a synchronized, access-ordered map.
   */
  Seen seen(SessionRecord session, SessionView shown) {
    ClearSpec clear = clearSpecs.get(session.id());
    if (clear == null) {
      return new Seen(shown, session);
    }
    return new Seen(
        SessionView.of(
            shown.id(),
            session.agent(),
            session.user(),
            clear.spec().request(),
            clear.spec().task(),
            session.labels(),
            session.history(),
            clear.flagged()),
        new SessionRecord(
            session.id(),
            session.agent(),
            session.user(),
            clear.indexedRequest(),
            clear.spec().task(),
            session.labels(),
            session.history(),
            session.opened(),
            session.results()));
  }

  /**
   * A deny from Tollgate itself rather than a policy, with a fresh decision id: for the shells
   * around the engine (server, gateway) that must fail closed before or after deciding, for example
   * when the audit cannot be written.
   */
  public Decision deny(String message) {
    return Decision.deny(Ids.next("dec_", clock.millis()), INTERNAL, message);
  }

  private static void requireAgent(String agent) {
    if (agent == null || agent.isBlank()) {
      throw new IllegalArgumentException("agent must not be blank");
    }
  }

  /** Builds a {@link Tollgate}; the only required part is nothing: defaults allow everything. */
  public static final class Builder {
    private Bundle bundle = Bundle.empty();
    private InstantSource clock = InstantSource.system();
    private int maxSessions = 100_000;
    private int maxHistory = 1_000;
    private SessionStore sessions;
    private ApprovalStore approvals;
    private AuditLog audit;
    private byte[] fingerprintKey;
    private int maxFlowSessions = 256;
    private RequestStore requests;
    private CounterLog counters;
    private PauseStore pauses;
    private ToolPinStore toolPins;
    private Duration requestWindow = Requests.DEFAULT_WINDOW;
    private Duration requestWait = Requests.DEFAULT_WAIT;
    private JudgeConfig judge;
    private DecisionTracing tracing = DecisionTracing.NONE;

    private Builder() {}

    /**
     * Reports each decision as a span (default {@link DecisionTracing#NONE}); its trace id goes
     * into the decision's audit record as {@code detail.trace}. {@code
     * dev.tollgate.opentelemetry.OpenTelemetryTracing} (module {@code tollgate-opentelemetry})
     * reports to OpenTelemetry.
     */
    public Builder tracing(DecisionTracing tracing) {
      this.tracing = Objects.requireNonNull(tracing, "tracing");
      return this;
    }

    /**
     * An outside judge that policies may read as {@code judge}: a language model asked whether an
     * action fits the user's request, only when a policy reads {@code judge}, with flagged values
     * masked (default, or {@code null}: none, and {@code judge.opinion} is {@code none}). Its
     * answer is one fact among others; a timeout or any failure is no opinion.
     */
    public Builder judge(JudgeConfig judge) {
      this.judge = judge;
      return this;
    }

    /**
     * The 16-byte secret that keys the fingerprints sessions keep of observed results (default, or
     * {@code null}: a random key per instance). Instances that share a store must share the key,
     * and a restarted instance needs the same key to recognise what its sessions read before.
     */
    public Builder fingerprintKey(byte[] key) {
      if (key == null) {
        this.fingerprintKey = null;
        return this;
      }
      if (key.length != 16) {
        throw new IllegalArgumentException("the fingerprint key must be 16 bytes");
      }
      this.fingerprintKey = key.clone();
      return this;
    }

    /** Sessions whose flow index is kept in memory between decisions (default 256). */
    public Builder maxFlowSessions(int maxFlowSessions) {
      if (maxFlowSessions < 1) {
        throw new IllegalArgumentException("maxFlowSessions must be at least 1");
      }
      this.maxFlowSessions = maxFlowSessions;
      return this;
    }

    /**
     * Where approvals and grants live (default: this process's memory). A shared store lets a
     * person approve on any instance and the grant apply on every one.
     */
    public Builder approvals(ApprovalStore approvals) {
      this.approvals = Objects.requireNonNull(approvals, "approvals");
      return this;
    }

    /**
     * Where calls by request id live (default: this process's memory, bounded by {@link
     * #maxSessions}). A shared store makes a retry sent to another instance get the same decision.
     */
    public Builder requests(RequestStore requests) {
      this.requests = Objects.requireNonNull(requests, "requests");
      return this;
    }

    /**
     * How long a request id names its call (default a day, the longest a grant lives): a retry
     * within it gets the first decision back; after it the same id is a new call.
     */
    public Builder requestWindow(Duration window) {
      if (window.isNegative() || window.isZero()) {
        throw new IllegalArgumentException("the request window must be positive");
      }
      this.requestWindow = window;
      return this;
    }

    /**
     * How long a retry waits for an earlier attempt with its request id that is still deciding
     * (default 5 s), before it is denied.
     */
    public Builder requestWait(Duration wait) {
      if (wait.isNegative()) {
        throw new IllegalArgumentException("the request wait must not be negative");
      }
      this.requestWait = wait;
      return this;
    }

    /**
     * Takes sessions, approvals and grants, request ids and the audit log from one store: what the
     * server does. With {@code JdbcStore.open(StoreConfig.sqlite(dir))} the audit is durable and
     * its hash chain verifiable.
     */
    public Builder store(Store store) {
      Objects.requireNonNull(store, "store");
      Builder b =
          sessions(store.sessions())
              .approvals(store.approvals())
              .requests(store.requests())
              .audit(store.audit());
      b.pauses = Objects.requireNonNull(store.pauses(), "store.pauses()");
      b.toolPins = Objects.requireNonNull(store.toolPins(), "store.toolPins()");
      return store.counters() == null ? b : b.counters(store.counters());
    }

    /**
     * Where the rate functions' counters and novelty's fingerprints live (default: this engine's
     * memory, exact across its threads, forgotten on restart). {@link #store} sets the store's own
     * log when it shares them between servers (PostgreSQL): each server appends to the log, reads
     * what the others appended, and measures in its memory.
     */
    public Builder counters(CounterLog counters) {
      this.counters = Objects.requireNonNull(counters, "counters");
      return this;
    }

    /**
     * Where every decision, retry, refusal, session opened, result observed, approval and grant
     * event is recorded (default: the last {@value MemoryAuditLog#DEFAULT_CAPACITY} records in this
     * process's memory, not durable). A decision is returned only once its record is appended.
     */
    public Builder audit(AuditLog audit) {
      this.audit = Objects.requireNonNull(audit, "audit");
      return this;
    }

    public Builder bundle(Bundle bundle) {
      this.bundle = Objects.requireNonNull(bundle, "bundle");
      return this;
    }

    /** The clock for ids, expiries and time windows; tests pass one they control. */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Sessions kept in memory before the oldest is forgotten (default 100,000). */
    public Builder maxSessions(int maxSessions) {
      if (maxSessions < 1) {
        throw new IllegalArgumentException("maxSessions must be at least 1");
      }
      this.maxSessions = maxSessions;
      return this;
    }

    /**
     * Where sessions live (default: this process's memory, bounded by {@link #maxSessions}). A
     * shared store lets several Tollgate instances serve one session; when it cannot be reached,
     * decisions in sessions are denied with the reason "store unavailable".
     */
    public Builder sessions(SessionStore sessions) {
      this.sessions = Objects.requireNonNull(sessions, "sessions");
      return this;
    }

    /** Steps of history kept per session (default 1,000). */
    public Builder maxHistory(int maxHistory) {
      if (maxHistory < 0) {
        throw new IllegalArgumentException("maxHistory must not be negative");
      }
      this.maxHistory = maxHistory;
      return this;
    }

    public Tollgate build() {
      return new Tollgate(this);
    }
  }

  /** A {@link Gate} bound to one agent. */
  private record AgentGate(Tollgate tollgate, String agent) implements Gate {
    @Override
    public String openSession(SessionSpec spec) {
      return tollgate.openSession(agent, spec);
    }

    @Override
    public Decision decide(Action action) {
      return tollgate.decide(agent, action);
    }

    @Override
    public ObservationResult observe(Observation observation) {
      return tollgate.observe(agent, observation);
    }
  }
}
