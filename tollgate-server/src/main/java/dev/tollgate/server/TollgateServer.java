package dev.tollgate.server;

import dev.tollgate.api.store.Store;
import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.BundleException;
import dev.tollgate.engine.PolicyDirectory;
import dev.tollgate.engine.Problem;
import dev.tollgate.engine.Tollgate;
import dev.tollgate.server.console.Console;
import dev.tollgate.server.http.HttpListener;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The Tollgate sidecar: the decision API over HTTP, for agents in any language (docs/server.md, and
 * {@code GET /v1/openapi.json} for every route).
 *
 * <pre>{@code
 * try (TollgateServer server = TollgateServer.builder().bundle(bundle).store(store).port(8181).start()) {
 *   ...
 * }
 * }</pre>
 *
 * <p>Every request runs on its own virtual thread. The agent of a call is the one its bearer token
 * belongs to, never one named in the body. A decision is answered only once its audit record is
 * durable; when the audit cannot be written the answer is a deny that says so. Clients' mistakes
 * are 4xx answers with a JSON error naming the field and the fix, and are audited too.
 *
 * <p>This class owns the builder, the wiring of the parts, the listeners and the background threads
 * (approval expiry, waiting reload records, the policy watcher) from start to close. The requests
 * themselves are served by {@link ApiRoutes} and the parts it routes to: {@link AgentApi}, {@link
 * ApprovalsApi}, {@link AdminApi}, with {@link Auth}, {@link Bodies} and {@link Failures}.
 */
public final class TollgateServer implements AutoCloseable {
  /**
   * Credentials whose name starts with this are people's admin credentials, never agents: agent
   * names cannot contain it.
   */
  public static final String ADMIN_PREFIX = "@admin";

  /** Every route of the API: see {@link ApiRoutes#ROUTES}. */
  static final List<String> ROUTES = ApiRoutes.ROUTES;

  private final HttpListener http;
  private final HttpListener metricsListener;
  private final Tollgate engine;
  private final PolicyWatcher watcher;
  private final ReloadAudit reloadAudit;
  private final AdminApi admin;
  private final Console console;
  private final ScheduledExecutorService sweeper;
  private final Notifier notifier;

  private TollgateServer(Builder b) throws IOException {
    Metrics metrics = new Metrics();
    this.engine =
        Tollgate.builder()
            .bundle(b.bundle)
            .clock(b.clock)
            .store(b.store)
            .audit(new TimedAuditLog(b.store.audit(), metrics))
            .fingerprintKey(b.fingerprintKey)
            .judge(b.judge)
            // what the OpenTelemetry Java agent (or the application) installed; without one, no
            // span is recorded but a caller's traceparent still reaches the audit
            .tracing(
                b.tracing != null
                    ? b.tracing
                    : dev.tollgate.opentelemetry.OpenTelemetryTracing.global())
            .build();
    ServerContext ctx =
        new ServerContext(engine, b.store, b.clock, metrics, new Bodies(b.maxBodyBytes));
    Auth auth = new Auth(b.store, b.clock);
    People people = new People(b.store, b.clock);
    this.console = new Console(engine, b.store, b.clock, people, b.auditVerifier);
    this.reloadAudit =
        new ReloadAudit(b.store.audit(), b.waitingReloadRecords, b.reloadListener::written);
    this.admin =
        new AdminApi(
            ctx,
            auth,
            b.policies,
            b.policies == null
                ? null
                : new PolicyDirectory(b.policies, b.reloadSettle, b.reloadSleeper),
            reloadAudit,
            b.reloadListener,
            b.metricsToken == null ? null : Tokens.hash(b.metricsToken),
            people,
            this::connections);
    console.lastReload(admin::lastReloadLine);
    ApprovalsApi approvals = new ApprovalsApi(ctx, auth, this::stopping);
    this.notifier = b.webhook == null ? null : new Notifier(b.webhook, this::uri, metrics);
    if (notifier != null) {
      engine.approvals().subscribe(notifier::on);
    }
    this.sweeper =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("tollgate-approval-expiry").daemon().factory());
    // Approvals past their expiry are marked (and audited) once, by whichever instance sees them
    // first; the status a caller reads is already "expired" before that.
    sweeper.scheduleWithFixedDelay(admin::expireQuietly, 1, 1, TimeUnit.SECONDS);
    // Reload records that the store could not take wait for it; this writes them once it is back.
    sweeper.scheduleWithFixedDelay(reloadAudit::flush, 1, 1, TimeUnit.SECONDS);
    this.watcher =
        b.policies != null && b.watch
            ? new PolicyWatcher(b.policies, b.watchPoll, b.reloadSettle, admin::reloadOutcome)
            : null;
    ApiRoutes routes =
        new ApiRoutes(
            ctx,
            auth,
            new Failures(ctx),
            new AgentApi(ctx),
            approvals,
            admin,
            new PausesApi(ctx),
            new ToolsApi(ctx),
            console,
            b.metricsOpen);
    HttpListener.Observer observer =
        new HttpListener.Observer() {
          @Override
          public void overloaded() {
            metrics.rejected(503, "overloaded");
          }

          @Override
          public void failed(Throwable error) {
            metrics.rejected(500, "internal");
          }
        };
    HttpListener main = null;
    HttpListener side = null;
    try {
      main = new HttpListener(b.host, b.port, b.limits, routes::handle, observer);
      if (b.metricsHost != null) {
        side =
            new HttpListener(
                b.metricsHost, b.metricsPort, b.limits, routes::handleMetrics, observer);
      }
    } catch (IOException | RuntimeException e) {
      if (main != null) {
        main.close();
      }
      closeParts();
      throw e;
    }
    this.http = main;
    this.metricsListener = side;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Whether {@code path} is one of {@link #ROUTES}' paths: see {@link ApiRoutes#routed}. */
  static boolean routed(String path) {
    return ApiRoutes.routed(path);
  }

  /** The port the server listens on (the one chosen when it was asked for port 0). */
  public int port() {
    return http.port();
  }

  /** The base address, for example {@code http://127.0.0.1:8181}. */
  public URI uri() {
    return URI.create("http://" + hostForUri(http.host()) + ":" + port());
  }

  /**
   * The address of the separate metrics listener ({@link Builder#metricsAddress}), or {@code null}
   * when metrics are served on the main port.
   */
  public URI metricsUri() {
    return metricsListener == null
        ? null
        : URI.create("http://" + hostForUri(metricsListener.host()) + ":" + metricsListener.port());
  }

  /** How many connections the main listener holds (read once it exists, after wiring). */
  private int connections() {
    return http.connections();
  }

  /** Whether the main listener is shutting down (read once it exists, after wiring). */
  private boolean stopping() {
    return http.stopping();
  }

  private static String hostForUri(String host) {
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  /** The engine behind the API: reload bundles through it. */
  public Tollgate engine() {
    return engine;
  }

  /**
   * Loads the policy directory again and uses it for every decision from now on, unless {@link
   * PolicyDirectory} holds or refuses it: then the bundle in use stays. Every outcome is counted in
   * {@code /metrics} and shown in {@code /ready}; loads, holds and refusals are audited and logged.
   * A record the store cannot take now waits for it ({@link ReloadAudit}): none is dropped
   * silently.
   *
   * @return the problems that kept the new bundle out, or an empty list
   */
  public List<Problem> reload() {
    return admin.reloadResult().problems();
  }

  /** The metrics as {@code /metrics} answers them. */
  String metricsText() {
    return admin.metricsText();
  }

  /**
   * Hears every reload as it ends, in order, on the thread that ran it: tests wait on "the reload
   * with outcome X happened" rather than on time.
   */
  interface ReloadListener {
    ReloadListener NONE = (reload, recorded) -> {};

    /**
     * A reload ended; {@code recorded} is false when its audit record waits for the store. Called
     * after the bundle it loaded is in use and its record written or queued.
     */
    void reloaded(PolicyDirectory.Reload reload, boolean recorded);

    /** Reload records that had waited for the store were written ({@code records} of them). */
    default void written(int records) {}
  }

  /**
   * Stops: no new requests are taken, requests in flight get the shutdown grace to finish
   * (long-polls answer at once with the state they have), then the rest is closed.
   */
  @Override
  public void close() {
    if (watcher != null) {
      watcher.close();
    }
    // Event streams never end by themselves: end them so that they do not hold up the grace.
    console.close();
    http.close();
    if (metricsListener != null) {
      metricsListener.close();
    }
    closeParts();
  }

  private void closeParts() {
    sweeper.shutdownNow();
    reloadAudit.close();
    if (notifier != null) {
      notifier.close();
    }
    console.close();
    if (watcher != null) {
      watcher.close();
    }
  }

  /** Configures and starts a {@link TollgateServer}. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port = 8181;
    private Bundle bundle = Bundle.empty();
    private Store store;
    private InstantSource clock = InstantSource.system();
    private int maxBodyBytes = 1024 * 1024;
    private HttpListener.Limits limits = HttpListener.Limits.defaults();
    private String metricsToken;
    private boolean metricsOpen;
    private String metricsHost;
    private int metricsPort;
    private Path policies;
    private Duration reloadSettle = Duration.ofSeconds(1);
    private Duration watchPoll = Duration.ofSeconds(2);
    private boolean watch = true;
    private PolicyDirectory.Sleeper reloadSleeper = Thread::sleep;
    private ReloadListener reloadListener = ReloadListener.NONE;
    private int waitingReloadRecords = 1000;
    private URI webhook;
    private java.util.function.Supplier<String> auditVerifier;
    private byte[] fingerprintKey;
    private dev.tollgate.engine.JudgeConfig judge;
    private dev.tollgate.engine.DecisionTracing tracing;

    private Builder() {}

    /**
     * Where decisions are reported as spans (default: OpenTelemetry's global instance, which the
     * OpenTelemetry Java agent installs; without one no span is recorded, and a caller's {@code
     * traceparent} still reaches the audit).
     */
    public Builder tracing(dev.tollgate.engine.DecisionTracing tracing) {
      this.tracing = java.util.Objects.requireNonNull(tracing, "tracing");
      return this;
    }

    /**
     * The optional judge policies may read as {@code judge} (default, or {@code null}: none); see
     * {@link Tollgate.Builder#judge}.
     */
    public Builder judge(dev.tollgate.engine.JudgeConfig judge) {
      this.judge = judge;
      return this;
    }

    /**
     * Verifies the audit chain for the console's audit page and says how it went in one line
     * (starting with {@code ok} when intact); without one the page says how to verify.
     */
    public Builder auditVerifier(java.util.function.Supplier<String> auditVerifier) {
      this.auditVerifier = auditVerifier;
      return this;
    }

    /**
     * The policy directory: loaded now, and again whenever a file in it changes (unless {@link
     * #watch} is off) or an admin calls {@code POST /v1/admin/reload}.
     *
     * @throws BundleException when the directory does not hold a valid bundle
     */
    public Builder policies(Path directory) throws BundleException {
      this.bundle = new PolicyDirectory(directory, reloadSettle).load();
      this.policies = directory;
      return this;
    }

    /**
     * The 16-byte secret that keys session fingerprints of observed results (default: random per
     * start). Servers sharing a store must share it, and a restarted server needs the same key to
     * see data flow from results its sessions observed before the restart.
     */
    public Builder fingerprintKey(byte[] key) {
      if (key == null || key.length != 16) {
        throw new IllegalArgumentException("the fingerprint key must be 16 bytes");
      }
      this.fingerprintKey = key.clone();
      return this;
    }

    /**
     * Where to announce new approvals: a Slack-compatible incoming webhook ({@code {"text": ...}}),
     * retried with backoff, never delaying a decision.
     */
    public Builder webhook(URI url) {
      this.webhook = Objects.requireNonNull(url, "url");
      return this;
    }

    /**
     * What one connection may cost: header timeout, idle timeout, minimum body rate, connection cap
     * and shutdown grace (default {@link HttpListener.Limits#defaults()}).
     */
    public Builder limits(HttpListener.Limits limits) {
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /**
     * A token that may read {@code /metrics} (besides admin credentials). Without one, and without
     * {@link #metricsOpen}, only admin credentials may.
     */
    public Builder metricsToken(String token) {
      if (token == null || token.isBlank()) {
        throw new IllegalArgumentException("the metrics token must not be blank");
      }
      this.metricsToken = token.strip();
      return this;
    }

    /**
     * Serves {@code /metrics} to anyone who can reach the port (default false: metrics name agents
     * and policies). For a scraper on a private network, prefer {@link #metricsAddress}.
     */
    public Builder metricsOpen(boolean open) {
      this.metricsOpen = open;
      return this;
    }

    /**
     * Serves {@code /metrics}, {@code /health} and {@code /ready} on a listener of their own (for
     * example {@code 127.0.0.1:9181}, or a port only the monitoring network reaches), open unless a
     * {@link #metricsToken} is set. Port 0 picks a free one.
     */
    public Builder metricsAddress(String host, int port) {
      this.metricsHost = Objects.requireNonNull(host, "host");
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be between 0 and 65535");
      }
      this.metricsPort = port;
      return this;
    }

    /**
     * How long the policy directory must stay quiet before a reload that drops policies, agents or
     * catalog entries is loaded (default 1 s).
     */
    public Builder reloadSettle(Duration settle) {
      this.reloadSettle = settle;
      return this;
    }

    /**
     * How often the watcher compares the directory's file names, sizes and times, in case the file
     * system's change events miss something (default 2 s).
     */
    public Builder watchPoll(Duration poll) {
      this.watchPoll = poll;
      return this;
    }

    /** How a reload waits out the settle time (tests decide when a wait ends). */
    Builder reloadSleeper(PolicyDirectory.Sleeper sleeper) {
      this.reloadSleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /** Told of every reload as it ends (tests wait on it rather than on time). */
    Builder reloadListener(ReloadListener listener) {
      this.reloadListener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * How many reload records may wait for a store that cannot take them (default 1000); past that
     * the oldest are dropped, counted and summed up in the audit.
     */
    Builder waitingReloadRecords(int capacity) {
      this.waitingReloadRecords = capacity;
      return this;
    }

    /** Whether to reload on file changes (default true). */
    public Builder watch(boolean watch) {
      this.watch = watch;
      return this;
    }

    /** The address to listen on (default 127.0.0.1: only this machine). */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** The port (default 8181; 0 picks a free one). */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder bundle(Bundle bundle) {
      this.bundle = Objects.requireNonNull(bundle, "bundle");
      return this;
    }

    /** Where sessions, credentials and the audit live. Required. */
    public Builder store(Store store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The largest request body accepted (default 1 MiB); larger ones get a 413. */
    public Builder maxBodyBytes(int maxBodyBytes) {
      if (maxBodyBytes < 1024) {
        throw new IllegalArgumentException("maxBodyBytes must be at least 1024");
      }
      this.maxBodyBytes = maxBodyBytes;
      return this;
    }

    public TollgateServer start() throws IOException {
      if (store == null) {
        throw new IllegalStateException("a store is required: call store(...) before start()");
      }
      return new TollgateServer(this);
    }
  }
}
