package dev.tollgate.cli;

import dev.tollgate.api.store.Store;
import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.BundleException;
import dev.tollgate.server.Passwords;
import dev.tollgate.server.People;
import dev.tollgate.server.Tokens;
import dev.tollgate.server.TollgateServer;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import dev.tollgate.store.jdbc.audit.AuditSigner;
import dev.tollgate.store.jdbc.audit.AuditVerifier;
import dev.tollgate.store.jdbc.audit.Checkpointer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tollgate serve}: the HTTP sidecar on the embedded store. */
@Command(
    name = "serve",
    description = "Start the Tollgate server (HTTP API) on the embedded store.")
final class ServeCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--port", defaultValue = "8181", description = "Port (default ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--webhook",
      paramLabel = "URL",
      description = "Announce new approvals to this Slack-compatible webhook.")
  java.net.URI webhook;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "Address to listen on (default ${DEFAULT-VALUE}: this machine only).")
  String host;

  @Option(
      names = "--data",
      defaultValue = "tollgate-data",
      paramLabel = "DIR",
      description = "Where the embedded store lives (default ${DEFAULT-VALUE}).")
  Path data;

  @Option(
      names = "--policies",
      defaultValue = "examples/invoice-vendor-mail",
      paramLabel = "DIR",
      description = "The policy bundle (default ${DEFAULT-VALUE}).")
  Path policies;

  @Option(
      names = "--first-agent",
      defaultValue = "invoice-bot",
      paramLabel = "NAME",
      description =
          "On a fresh data directory, the agent whose token is printed once"
              + " (default ${DEFAULT-VALUE}, an agent of the example policies).")
  String firstAgent;

  @Option(
      names = "--checkpoint-every",
      defaultValue = "PT10S",
      paramLabel = "DURATION",
      description = "How often to sign a checkpoint of the audit chain (default ${DEFAULT-VALUE}).")
  Duration checkpointEvery;

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

  /**
   * Opens the store, creates on a fresh data directory the first agent, the admin token and the
   * console's first admin (printing their secrets once), and starts the server.
   *
   * @return the running server, or {@code null} when the bundle does not load (the error printed)
   */
  Running start() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    boolean firstStart = !Files.exists(data.resolve(StoreConfig.SQLITE_FILE));
    try {
      DataDirectory.secure(data, spec.commandLine().getErr());
    } catch (Inputs.UsageException e) {
      spec.commandLine().getErr().println("error: " + e.getMessage());
      return null;
    }
    Store store = JdbcStore.open(StoreConfig.sqlite(data));
    String token = firstStart ? newTokenFor(store, firstAgent) : null;
    AuditSigner signer = AuditSigner.loadOrCreate(data);
    Checkpointer checkpointer =
        Checkpointer.start(store.audit(), signer, InstantSource.system(), checkpointEvery);
    String adminToken = firstStart ? newTokenFor(store, TollgateServer.ADMIN_PREFIX) : null;
    String adminPassword = null;
    if (firstStart) {
      adminPassword = Passwords.generate();
      new People(store, InstantSource.system())
          .add("serve", "admin", Set.of("admin"), adminPassword.toCharArray());
    }
    PublicKey publicKey = AuditSigner.readPublicKey(data.resolve(AuditSigner.PUBLIC_FILE));
    TollgateServer server;
    try {
      TollgateServer.Builder builder = TollgateServer.builder();
      if (webhook != null) {
        builder.webhook(webhook);
      }
      server =
          builder
              .host(host)
              .port(port)
              .store(store)
              .fingerprintKey(FingerprintKey.loadOrCreate(data))
              .policies(policies)
              .auditVerifier(() -> verify(store, publicKey))
              .start();
    } catch (BundleException e) {
      spec.commandLine().getErr().println(e.render());
      checkpointer.close();
      store.close();
      return null;
    }
    Bundle bundle = server.engine().bundle();
    out.println(
        "tollgate listening on "
            + server.uri()
            + " (store: "
            + data.toAbsolutePath()
            + ", policies: "
            + policies
            + ", "
            + bundle.policyNames().size()
            + " policies)");
    out.println("audit signing key " + signer.keyId() + " in " + data.toAbsolutePath());
    if (adminToken != null) {
      out.println("admin token (shown once; for POST /v1/admin/reload and, later, the console):");
      out.println("  " + adminToken);
    }
    if (adminPassword != null) {
      out.println(
          "console person `admin` (role admin), password (shown once): "
              + adminPassword
              + "  -> "
              + server.uri()
              + "/console");
    }
    if (token != null) {
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
    out.flush();
    return new Running(server, store, checkpointer);
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

  static String newTokenFor(Store store, String agent) {
    String token = Tokens.newToken();
    store.credentials().add(agent, Tokens.hash(token), Instant.now());
    return token;
  }
}
