package dev.tollgate.cli;

import dev.tollgate.api.store.Checkpoint;
import dev.tollgate.api.store.Store;
import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.BundleException;
import dev.tollgate.engine.JudgeConfig;
import dev.tollgate.server.Passwords;
import dev.tollgate.server.People;
import dev.tollgate.server.TollgateServer;
import dev.tollgate.server.http.HttpListener;
import dev.tollgate.store.jdbc.audit.AuditSigner;
import dev.tollgate.store.jdbc.audit.AuditVerifier;
import dev.tollgate.store.jdbc.audit.Checkpointer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tollgate serve}: the HTTP sidecar and console, on the embedded store or on PostgreSQL.
 * Every option may also be set in the environment (the variable is named in its description and in
 * docs/server.md), so that several servers on one PostgreSQL start alike from a shell or a
 * container.
 */
@Command(
    name = "serve",
    description = {
      "Start the Tollgate server (HTTP API and console) on the embedded store or on PostgreSQL.",
      "Every option may also be set in the environment: its variable is named below.",
      "Servers sharing one PostgreSQL must share their keys (--keys): the fingerprint key and the"
          + " audit signing key."
    })
final class ServeCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin StoreOptions source;

  @Option(
      names = "--port",
      paramLabel = "N",
      defaultValue = "${env:TOLLGATE_PORT:-8181}",
      description = "Port; 0 picks a free one (default ${DEFAULT-VALUE}; env TOLLGATE_PORT).")
  int port;

  @Option(
      names = "--host",
      paramLabel = "ADDR",
      defaultValue = "${env:TOLLGATE_HOST:-127.0.0.1}",
      description =
          "Address to listen on (default ${DEFAULT-VALUE}: this machine only; env TOLLGATE_HOST).")
  String host;

  @Option(
      names = "--policies",
      defaultValue = "${env:TOLLGATE_POLICIES:-examples/invoice-vendor-mail}",
      paramLabel = "DIR",
      description = "The policy bundle (default ${DEFAULT-VALUE}; env TOLLGATE_POLICIES).")
  Path policies;

  @Option(
      names = "--keys",
      defaultValue = "${env:TOLLGATE_KEYS}",
      paramLabel = "DIR",
      description =
          "Where the fingerprint key (fingerprint.key) and the audit signing key (audit-key.pk8,"
              + " audit-key.pub) are, created on first start; every server on one PostgreSQL must"
              + " be given the same ones (default: the --data directory; env TOLLGATE_KEYS).")
  Path keys;

  @Option(
      names = "--webhook",
      defaultValue = "${env:TOLLGATE_WEBHOOK}",
      paramLabel = "URL",
      description =
          "Announce new approvals to this Slack-compatible webhook (env TOLLGATE_WEBHOOK).")
  java.net.URI webhook;

  @Option(
      names = "--first-agent",
      defaultValue = "${env:TOLLGATE_FIRST_AGENT:-invoice-bot}",
      paramLabel = "NAME",
      description =
          "On a new store, the agent given a token (default ${DEFAULT-VALUE}, an agent of the"
              + " example policies; env TOLLGATE_FIRST_AGENT).")
  String firstAgent;

  @Option(
      names = "--credentials-file",
      defaultValue = "${env:TOLLGATE_CREDENTIALS_FILE}",
      paramLabel = "FILE",
      description =
          "On a new store, write the first secrets (admin token, console password, agent token)"
              + " to FILE, created owner-only, instead of standard output; an existing FILE is"
              + " refused (env TOLLGATE_CREDENTIALS_FILE).")
  Path credentialsFile;

  @Option(
      names = "--replace-credentials-file",
      arity = "0..1",
      fallbackValue = "true",
      defaultValue = "${env:TOLLGATE_REPLACE_CREDENTIALS_FILE:-false}",
      paramLabel = "true|false",
      description =
          "Replace an existing --credentials-file on a new store (default ${DEFAULT-VALUE}; env"
              + " TOLLGATE_REPLACE_CREDENTIALS_FILE).")
  boolean replaceCredentialsFile;

  @Option(
      names = "--admin-password-env",
      defaultValue = "TOLLGATE_ADMIN_PASSWORD",
      paramLabel = "VAR",
      description =
          "On a new store, the console person `admin` gets the password in this environment"
              + " variable, when it is set, instead of a generated one, which is then neither"
              + " printed nor written (default ${DEFAULT-VALUE}).")
  String adminPasswordEnv;

  @Option(
      names = "--checkpoint-every",
      defaultValue = "${env:TOLLGATE_CHECKPOINT_EVERY:-10s}",
      paramLabel = "DURATION",
      converter = DurationOption.class,
      description =
          "How often to sign a checkpoint of the audit chain (default ${DEFAULT-VALUE}; env"
              + " TOLLGATE_CHECKPOINT_EVERY).")
  Duration checkpointEvery;

  @Option(
      names = "--metrics-token-env",
      defaultValue = "TOLLGATE_METRICS_TOKEN",
      paramLabel = "VAR",
      description =
          "/metrics also answers `Authorization: Bearer <token>` with the token in this"
              + " environment variable, when it is set (default ${DEFAULT-VALUE}); admin tokens"
              + " always may. A token is never an option: options show in the process list.")
  String metricsTokenEnv;

  @Option(
      names = "--metrics-address",
      defaultValue = "${env:TOLLGATE_METRICS_ADDRESS}",
      paramLabel = "HOST:PORT",
      description =
          "Also serve /metrics, /health and /ready on a listener of their own, for example"
              + " 127.0.0.1:9181, open there unless a metrics token is set (env"
              + " TOLLGATE_METRICS_ADDRESS).")
  String metricsAddress;

  @Option(
      names = "--metrics-open",
      arity = "0..1",
      fallbackValue = "true",
      defaultValue = "${env:TOLLGATE_METRICS_OPEN:-false}",
      paramLabel = "true|false",
      description =
          "Serve /metrics on the main port to anyone who reaches it, without a token; metrics"
              + " name agents and policies (default ${DEFAULT-VALUE}; env TOLLGATE_METRICS_OPEN).")
  boolean metricsOpen;

  @Option(
      names = "--judge-url",
      defaultValue = "${env:TOLLGATE_JUDGE_URL}",
      paramLabel = "URL",
      description =
          "Turn on the optional judge that policies read as `judge`: the base URL of an"
              + " OpenAI-compatible chat API, for example http://localhost:11434/v1 (default: off;"
              + " env TOLLGATE_JUDGE_URL).")
  String judgeUrl;

  @Option(
      names = "--judge-model",
      defaultValue = "${env:TOLLGATE_JUDGE_MODEL}",
      paramLabel = "NAME",
      description = "The judge's model, required with --judge-url (env TOLLGATE_JUDGE_MODEL).")
  String judgeModel;

  @Option(
      names = "--judge-timeout",
      defaultValue = "${env:TOLLGATE_JUDGE_TIMEOUT:-2s}",
      paramLabel = "DURATION",
      converter = DurationOption.class,
      description =
          "The most one question to the judge may take; past it the judge has no opinion (default"
              + " ${DEFAULT-VALUE}; env TOLLGATE_JUDGE_TIMEOUT).")
  Duration judgeTimeout;

  @Option(
      names = "--judge-cache",
      paramLabel = "N",
      defaultValue = "${env:TOLLGATE_JUDGE_CACHE:-1000}",
      description =
          "The judge's answers kept, so that the same question is asked once; 0 keeps none"
              + " (default ${DEFAULT-VALUE}; env TOLLGATE_JUDGE_CACHE).")
  int judgeCache;

  @Option(
      names = "--judge-api-key-env",
      defaultValue = "TOLLGATE_JUDGE_API_KEY",
      paramLabel = "VAR",
      description =
          "The judge's API key, sent as a bearer token, is read from this environment variable"
              + " when it is set (default ${DEFAULT-VALUE}); never from an option, which the"
              + " process list shows.")
  String judgeApiKeyEnv;

  @Mixin ConnectionLimits connections;

  @Override
  public Integer call() throws Exception {
    Running running = start();
    if (running == null) {
      return Exit.ERROR;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    running.close();
                  } finally {
                    stopped.countDown();
                  }
                }));
    stopped.await();
    return Exit.OK;
  }

  /** A started server with its store; closing it stops the server and checkpoints the audit. */
  static final class Running implements AutoCloseable {
    final TollgateServer server;
    private final Store store;
    private final Checkpointer checkpointer;

    private Running(TollgateServer server, Store store, Checkpointer checkpointer) {
      this.server = server;
      this.store = store;
      this.checkpointer = checkpointer;
    }

    /** The store the server runs on. */
    Store store() {
      return store;
    }

    @Override
    public void close() {
      server.close();
      try {
        checkpointer.checkpointNow();
      } finally {
        checkpointer.close();
        store.close();
      }
    }
  }

  /** The server's clock: the system's; tests that must pass time move their own. */
  InstantSource clock = InstantSource.system();

  /**
   * Opens the store and the keys and starts the server; on a new store (an empty audit log), also
   * creates the first agent's token, an admin token and the console's first admin, and prints their
   * secrets once.
   *
   * @return the running server, or {@code null} when it cannot start (the error printed)
   */
  Running start() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!firstAgent.matches(Credentials.NAME)) {
      err.println(
          "error: invalid agent name `"
              + firstAgent
              + "` for --first-agent: use letters, digits, `.`, `_` and `-`");
      return null;
    }
    HttpListener.Limits limits;
    MetricsAccess metrics;
    JudgeConfig judge;
    try {
      limits = connections.limits();
      metrics = metricsAccess();
      judge = judgeConfig();
    } catch (Inputs.UsageException e) {
      err.println("error: " + e.getMessage());
      return null;
    }
    Path keyDir = given(keys) ? keys : source.data;
    Store store;
    try {
      DataDirectory.secure(keyDir, err);
      store = source.open(err);
    } catch (Inputs.UsageException e) {
      err.println("error: " + e.getMessage());
      return null;
    }
    AuditSigner signer;
    byte[] fingerprintKey;
    boolean fresh;
    try {
      signer = AuditSigner.loadOrCreate(keyDir);
      fingerprintKey = FingerprintKey.loadOrCreate(keyDir);
      fresh = store.audit().head().isEmpty();
      List<Checkpoint> checkpoints = fresh ? List.of() : store.audit().checkpoints();
      if (!checkpoints.isEmpty() && !checkpoints.getLast().keyId().equals(signer.keyId())) {
        err.println(
            "warning: the store's last audit checkpoint was signed with key "
                + checkpoints.getLast().keyId()
                + ", and this server's key in "
                + keyDir.toAbsolutePath()
                + " is "
                + signer.keyId()
                + ": servers sharing a store must share their keys (--keys), or `audit verify`"
                + " will report BAD_SIGNATURE and data flow seen by one is missed by the other");
      }
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    if (fresh
        && given(credentialsFile)
        && Files.exists(credentialsFile, LinkOption.NOFOLLOW_LINKS)
        && !replaceCredentialsFile) {
      err.println(
          "error: the credentials file `"
              + credentialsFile
              + "` exists: a new store's secrets are never written over another file; move it,"
              + " give another path, or pass --replace-credentials-file");
      store.close();
      return null;
    }
    Checkpointer checkpointer = Checkpointer.start(store.audit(), signer, clock, checkpointEvery);
    PublicKey publicKey = signer.publicKey();
    TollgateServer server;
    try {
      TollgateServer.Builder builder = TollgateServer.builder();
      if (webhook != null && !webhook.toString().isEmpty()) {
        builder.webhook(webhook);
      }
      builder.limits(limits).metricsOpen(metricsOpen).judge(judge);
      if (metrics.token() != null) {
        builder.metricsToken(metrics.token());
      }
      if (metrics.host() != null) {
        builder.metricsAddress(metrics.host(), metrics.port());
      }
      server =
          builder
              .clock(clock)
              .host(host)
              .port(port)
              .store(store)
              .fingerprintKey(fingerprintKey)
              .policies(policies)
              .auditVerifier(() -> verify(store, publicKey))
              .start();
    } catch (BundleException e) {
      err.println(e.render());
      checkpointer.close();
      store.close();
      return null;
    } catch (IOException | RuntimeException e) {
      checkpointer.close();
      store.close();
      throw e;
    }
    Running running = new Running(server, store, checkpointer);
    Bundle bundle = server.engine().bundle();
    out.println(
        "tollgate listening on "
            + server.uri()
            + " (store: "
            + (source.postgres() ? source.config() : source.data.toAbsolutePath())
            + ", policies: "
            + policies
            + ", "
            + bundle.policyNames().size()
            + " policies)");
    out.println("audit signing key " + signer.keyId() + " in " + keyDir.toAbsolutePath());
    out.println(metricsLine(server, metrics));
    if (judge != null) {
      out.println(
          "judge: "
              + judge.model()
              + " at "
              + judge.endpoint()
              + " (timeout "
              + judge.timeout().toMillis()
              + " ms, API key "
              + (judge.apiKey() == null ? "none" : "from " + judgeApiKeyEnv)
              + ")");
    }
    if (fresh) {
      try {
        firstStart(store, server, out);
      } catch (IOException e) {
        running.close();
        err.println("error: cannot write the credentials file `" + credentialsFile + "`: " + e);
        return null;
      } catch (Exception e) {
        running.close();
        throw e;
      }
    }
    out.flush();
    return running;
  }

  /**
   * Sets up a new store: the console's first admin, an admin token and the first agent's token,
   * their secrets shown once, in the credentials file when one is given (created owner-only before
   * anything is stored, and removed again if nothing is), else on standard output. Adding the
   * person named {@code admin} comes first: when several servers start together on a new PostgreSQL
   * store, it succeeds on one of them only, and the others create nothing.
   */
  private void firstStart(Store store, TollgateServer server, PrintWriter out) throws Exception {
    String fromEnv = System.getenv(adminPasswordEnv);
    boolean passwordGiven = fromEnv != null && !fromEnv.isEmpty();
    String adminPassword = passwordGiven ? fromEnv : Passwords.generate();
    Path file = given(credentialsFile) ? credentialsFile : null;
    if (file != null) {
      if (replaceCredentialsFile) {
        Files.deleteIfExists(file);
      }
      DataDirectory.createOwnerOnly(file);
    }
    String adminToken;
    String token;
    try {
      try {
        new People(store, clock)
            .add("serve", "admin", Set.of("admin"), adminPassword.toCharArray());
      } catch (People.PeopleException e) {
        if (e.code().equals("taken")) {
          if (file != null) {
            Files.deleteIfExists(file);
          }
          return; // another server set this store up a moment ago
        }
        throw new Inputs.UsageException(
            "the console password in " + adminPasswordEnv + " is refused: " + e.getMessage());
      }
      adminToken = Credentials.add(store, Credentials.admin(null), "serve");
      token = Credentials.add(store, firstAgent, "serve");
    } catch (Exception e) {
      if (file != null) {
        Files.deleteIfExists(file);
      }
      throw e;
    }
    String console = server.uri() + "/console";
    if (file != null) {
      StringBuilder text =
          new StringBuilder()
              .append(
                  "# The first secrets of a new Tollgate store, written by `tollgate serve` at ")
              .append(Instant.now())
              .append(".\n# Shown nowhere else; the store keeps only hashes. Move them to a")
              .append(" vault, then delete this file.\n")
              .append("TOLLGATE_URL=")
              .append(server.uri())
              .append("\nTOLLGATE_ADMIN_TOKEN=")
              .append(adminToken)
              .append("\nTOLLGATE_ADMIN_NAME=admin\n");
      if (!passwordGiven) {
        text.append("TOLLGATE_ADMIN_PASSWORD=").append(adminPassword).append('\n');
      }
      text.append("TOLLGATE_AGENT=")
          .append(firstAgent)
          .append("\nTOLLGATE_AGENT_TOKEN=")
          .append(token)
          .append('\n');
      Files.writeString(file, text, StandardCharsets.UTF_8);
      out.println(
          "new store: the admin token"
              + (passwordGiven ? "" : ", the console password of `admin`")
              + " and the token of agent `"
              + firstAgent
              + "` are in "
              + file.toAbsolutePath()
              + " (owner-only; shown nowhere else)");
      if (passwordGiven) {
        out.println("console person `admin` (role admin): the password in " + adminPasswordEnv);
      }
      out.println("console: " + console);
      return;
    }
    out.println("admin token (shown once; for the admin API: approvals, grants, reload):");
    out.println("  " + adminToken);
    out.println(
        "console person `admin` (role admin), "
            + (passwordGiven
                ? "password: the one in " + adminPasswordEnv
                : "password (shown once): " + adminPassword)
            + "  -> "
            + console);
    out.println("first agent `" + firstAgent + "`, token (shown once, stored only as a hash):");
    out.println("  " + token);
    out.println(
        "try: curl -s -H 'Authorization: Bearer "
            + token
            + "' -H 'Content-Type: application/json' -d "
            + "'{\"tool\":\"invoices.search\",\"args\":{}}' "
            + server.uri()
            + "/v1/decide");
  }

  /** The judge from its options and its key's variable, or {@code null} when it is off. */
  private JudgeConfig judgeConfig() throws Inputs.UsageException {
    boolean url = judgeUrl != null && !judgeUrl.isBlank();
    boolean model = judgeModel != null && !judgeModel.isBlank();
    if (!url && !model) {
      return null;
    }
    if (!url) {
      throw new Inputs.UsageException(
          "--judge-model (or TOLLGATE_JUDGE_MODEL) is given without --judge-url: give the"
              + " judge's URL too, or leave both out to run without a judge");
    }
    if (!model) {
      throw invalid(
          "--judge-url", judgeUrl, "give the judge's model with --judge-model (or leave both out)");
    }
    if (judgeCache < 0) {
      throw invalid("--judge-cache", judgeCache, "give 0 or more answers to keep");
    }
    String key = judgeApiKeyEnv == null ? null : System.getenv(judgeApiKeyEnv);
    try {
      return new JudgeConfig(
          java.net.URI.create(judgeUrl.strip()), judgeModel.strip(), judgeTimeout, key, judgeCache);
    } catch (IllegalArgumentException e) {
      throw invalid("--judge-url", judgeUrl, e.getMessage());
    }
  }

  /** Who may read /metrics, and where: from the options and the token's variable. */
  record MetricsAccess(String token, String host, int port) {}

  private MetricsAccess metricsAccess() throws Inputs.UsageException {
    String token = metricsTokenEnv == null ? null : System.getenv(metricsTokenEnv);
    if (token != null && token.isBlank()) {
      token = null;
    }
    if (metricsAddress == null || metricsAddress.isBlank()) {
      return new MetricsAccess(token, null, 0);
    }
    String text = metricsAddress.strip();
    int colon = text.lastIndexOf(':');
    String host = colon < 0 ? "" : text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = -1;
    try {
      port = colon < 0 ? -1 : Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      // reported below
    }
    if (host.isEmpty() || port < 0 || port > 65535) {
      throw invalid(
          "--metrics-address",
          metricsAddress,
          "give HOST:PORT, for example 127.0.0.1:9181 or [::1]:9181 (port 0 picks a free one)");
    }
    return new MetricsAccess(token, host, port);
  }

  /** Says where /metrics is served and who may read it; never the token. */
  private String metricsLine(TollgateServer server, MetricsAccess metrics) {
    String who =
        metrics.token() != null
            ? "the metrics token in " + metricsTokenEnv + " or an admin token"
            : "an admin token";
    String main = metricsOpen ? "open to anyone on the main port" : "on the main port with " + who;
    if (server.metricsUri() == null) {
      return "metrics: " + main;
    }
    return "metrics: "
        + main
        + "; and on "
        + server.metricsUri()
        + " (/metrics, /health, /ready), "
        + (metrics.token() != null ? "with the metrics token" : "open");
  }

  /**
   * A serve option's wrong value, named with the variable it may also come from: serve's variables
   * are the option's name in capitals after {@code TOLLGATE_} (as ServeEnvironmentTest checks).
   */
  static Inputs.UsageException invalid(String option, Object value, String hint) {
    String variable = "TOLLGATE_" + option.substring(2).toUpperCase(Locale.ROOT).replace('-', '_');
    return new Inputs.UsageException(
        "invalid value `" + value + "` for " + option + " (or " + variable + "): " + hint);
  }

  /** Whether an optional path was given: a variable set to the empty string counts as not set. */
  private static boolean given(Path path) {
    return path != null && !path.toString().isEmpty();
  }

  private static String verify(Store store, PublicKey publicKey) {
    AuditVerifier.Result r = AuditVerifier.verify(store.audit(), publicKey);
    return r.ok()
        ? "ok: "
            + r.records()
            + " records, "
            + r.checkpoints()
            + " signed checkpoints, chain intact"
        : "TAMPERED: " + r.problem() + " at record " + r.seq() + ": " + r.message();
  }
}
