package dev.tollgate.mcp;

import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * One server behind the gateway: a child process, or a server over Streamable HTTP, and the MCP
 * client speaking to it. A server that stops answering (it crashed, or its transport broke) fails
 * the calls in flight, and is started again on the next call: at once after a first crash, then
 * after 1, 2, 4... up to 60 seconds while it keeps failing, the calls in between answered that it
 * is restarting.
 */
final class Upstream implements AutoCloseable {
  static final Duration CALL_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(60);

  private final String name;
  private final GatewayConfig.ServerSpec spec;
  private final McpJsonMapper json;
  private final PrintStream log;
  private final Consumer<List<McpSchema.Tool>> toolsChanged;
  private final Consumer<McpSchema.ProgressNotification> progress;
  private Connection client;

  /** Completed when the process behind {@link #client} ends. */
  private java.util.concurrent.CompletableFuture<Void> exited;

  private int failures;
  private long retryAt;
  private boolean closed;

  private Upstream(
      String name,
      GatewayConfig.ServerSpec spec,
      McpJsonMapper json,
      PrintStream log,
      Consumer<List<McpSchema.Tool>> toolsChanged,
      Consumer<McpSchema.ProgressNotification> progress) {
    this.name = name;
    this.spec = spec;
    this.json = json;
    this.log = log;
    this.toolsChanged = toolsChanged;
    this.progress = progress;
  }

  /**
   * Starts the server; one that does not start is an {@link IllegalStateException} saying so.
   *
   * @param toolsChanged told the server's tools when it says they changed, and after a restart
   * @param progress told the progress notifications the server sends
   */
  static Upstream start(
      String name,
      GatewayConfig.ServerSpec spec,
      McpJsonMapper json,
      PrintStream log,
      Consumer<List<McpSchema.Tool>> toolsChanged,
      Consumer<McpSchema.ProgressNotification> progress) {
    Upstream u = new Upstream(name, spec, json, log, toolsChanged, progress);
    synchronized (u) {
      u.client = u.connect();
    }
    return u;
  }

  String name() {
    return name;
  }

  /** The running server's client, starting it again first when it crashed and may be retried. */
  synchronized Connection client() {
    if (closed) {
      throw new IllegalStateException("the gateway is closing");
    }
    if (client != null && exited != null && exited.isDone()) {
      // it ended between calls: start it again now rather than fail the next call
      crashed(client, new IllegalStateException("its process ended"));
    }
    if (client == null) {
      long wait = retryAt - System.nanoTime();
      if (wait > 0) {
        throw new IllegalStateException(
            "the MCP server `"
                + name
                + "` crashed and is started again in "
                + Math.max(1, wait / 1_000_000_000L)
                + " s");
      }
      try {
        client = connect();
      } catch (RuntimeException e) {
        backOff();
        throw e;
      }
      log.println("tollgate mcp: the MCP server `" + name + "` was started again");
      toolsChanged.accept(client.listTools());
    }
    return client;
  }

  /**
   * Calls a tool; a server that does not answer, or whose process ends while the call is in flight,
   * is taken as crashed (the SDK's client would wait for the answer until its timeout).
   */
  McpSchema.CallToolResult call(McpSchema.CallToolRequest request) {
    Connection c;
    java.util.concurrent.CompletableFuture<Void> gone;
    synchronized (this) {
      c = client();
      gone = exited;
    }
    try {
      if (Thread.currentThread().isInterrupted()) {
        // cancelled while it was being decided: it never reaches the server
        throw cancelled();
      }
      java.util.concurrent.CompletableFuture<McpSchema.CallToolResult> answer;
      try {
        answer = c.callTool(request);
      } catch (RuntimeException e) {
        // a request the SDK's client refused to send: examined below, as a failed answer
        answer = java.util.concurrent.CompletableFuture.failedFuture(e);
      }
      try {
        // a server over HTTP has no process to watch (gone never completes): the SDK's client
        // fails the call when the connection breaks
        java.util.concurrent.CompletableFuture.anyOf(answer, gone).get();
      } catch (InterruptedException e) {
        // the caller stopped waiting (its client cancelled the call): the server is told
        answer.cancel(true);
        throw cancelled();
      } catch (java.util.concurrent.ExecutionException e) {
        // answered with a failure: examined below
      }
      if (!answer.isDone()) {
        answer.cancel(true);
        throw new IllegalStateException(
            "the MCP server `" + name + "` exited in the middle of the call");
      }
      McpSchema.CallToolResult result = answer.join();
      synchronized (this) {
        failures = 0;
      }
      return result;
    } catch (java.util.concurrent.CompletionException e) {
      RuntimeException cause =
          e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
      if (cause instanceof McpError
          || cause instanceof io.modelcontextprotocol.modern.McpException
          || cause instanceof IllegalArgumentException) {
        // an error answer (the server is alive), or a request the SDK's client refused to send
        throw cause;
      }
      crashed(c, cause);
      throw cause;
    } catch (java.util.concurrent.CancellationException e) {
      // the caller stopped waiting: the server is not to blame
      throw e;
    } catch (RuntimeException e) {
      crashed(c, e);
      throw e;
    }
  }

  private java.util.concurrent.CancellationException cancelled() {
    return new java.util.concurrent.CancellationException(
        "its answer from `" + name + "` is dropped");
  }

  private synchronized void crashed(Connection c, RuntimeException e) {
    if (client != c) {
      return;
    }
    client = null;
    log.println("tollgate mcp: the MCP server `" + name + "` stopped answering: " + e.getMessage());
    if (failures == 0) {
      // a first crash: started again at the next call
      failures = 1;
      retryAt = System.nanoTime();
    } else {
      backOff();
    }
    try {
      c.close();
    } catch (RuntimeException ignored) {
      // the process is gone already
    }
  }

  /** Waits 1, 2, 4... up to 60 seconds before the next start, as failures go on. */
  private void backOff() {
    long seconds = Math.min(MAX_BACKOFF.toSeconds(), 1L << Math.min(Math.max(failures - 1, 0), 6));
    failures++;
    retryAt = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
  }

  /**
   * Connects in the session-based revisions; a server that refuses them (it speaks only the
   * stateless revision 2026-07-28, and answers the handshake with an unsupported version) is spoken
   * to in that revision instead, once its {@code server/discover} says it serves it. A child
   * process is tried again only when it answered the handshake with an error: one that did not
   * answer at all would not answer the second time either.
   */
  private Connection connect() {
    try {
      return connectSessions();
    } catch (IllegalStateException sessions) {
      if (spec.url() == null && !answered(sessions)) {
        throw sessions;
      }
      Connection stateless;
      try {
        stateless = connectStateless();
      } catch (RuntimeException e) {
        sessions.addSuppressed(e);
        throw sessions;
      }
      log.println(
          "tollgate mcp: the MCP server `" + name + "` speaks the stateless revision 2026-07-28");
      return stateless;
    }
  }

  private static boolean answered(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof McpError) {
        return true;
      }
    }
    return false;
  }

  private Connection connectStateless() {
    io.modelcontextprotocol.modern.client.transport.McpClientTransport transport;
    if (spec.url() != null) {
      transport =
          io.modelcontextprotocol.modern.client.transport.HttpClientMcpTransport.builder(spec.url())
              .jsonMapper(json)
              .connectTimeout(Duration.ofSeconds(10))
              .requestCustomizer(
                  io.modelcontextprotocol.modern.client.transport.McpHttpRequestCustomizer.fromSync(
                      (request, headers, context) -> spec.headers().forEach(headers::set)))
              .build();
    } else {
      List<String> command = spec.command();
      transport =
          io.modelcontextprotocol.modern.client.transport.StdioMcpClientTransport.builder(
                  ServerParameters.builder(command.getFirst())
                      .args(command.subList(1, command.size()))
                      .env(spec.env())
                      .build())
              .jsonMapper(json)
              .stderrConsumer(line -> log.println("[" + name + "] " + line))
              .start();
    }
    io.modelcontextprotocol.modern.client.McpAsyncClient c =
        io.modelcontextprotocol.modern.client.McpClient.async(transport)
            .clientInfo(
                io.modelcontextprotocol.modern.McpSchema.Implementation.builder(
                        "tollgate-mcp-gateway", "0.1")
                    .build())
            .jsonMapper(json)
            .callTimeout(CALL_TIMEOUT)
            .build();
    McpSchema.ServerCapabilities capabilities;
    try {
      var discovered = c.discover().block();
      if (!discovered.supportedVersions().contains("2026-07-28")) {
        throw new IllegalStateException(
            "the MCP server `"
                + name
                + "` speaks neither the session-based revisions nor 2026-07-28");
      }
      capabilities =
          discovered.capabilities() == null
              ? null
              : json.convertValue(
                  json.convertValue(discovered.capabilities(), Map.class),
                  McpSchema.ServerCapabilities.class);
    } catch (RuntimeException e) {
      Connection.release(transport);
      throw e;
    }
    exited = new java.util.concurrent.CompletableFuture<>();
    return new Connection.Stateless(c, transport, json, capabilities, progress);
  }

  private Connection.Sessions connectSessions() {
    McpClientTransport transport;
    java.util.concurrent.CompletableFuture<Void> gone =
        new java.util.concurrent.CompletableFuture<>();
    StdioClientTransport process = null;
    if (spec.url() != null) {
      // a server over HTTP has no process to watch: a broken call or connection is its crash
      URI url = spec.url();
      String base = url.getScheme() + "://" + url.getRawAuthority();
      String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
      Map<String, String> headers = spec.headers();
      transport =
          HttpClientStreamableHttpTransport.builder(base)
              .endpoint(url.getRawQuery() == null ? path : path + "?" + url.getRawQuery())
              .jsonMapper(json)
              .connectTimeout(Duration.ofSeconds(10))
              .clientBuilder(
                  java.net.http.HttpClient.newBuilder()
                      .version(java.net.http.HttpClient.Version.HTTP_1_1))
              .httpRequestCustomizer(
                  (request, method, uri, body, context) -> headers.forEach(request::header))
              .build();
    } else {
      List<String> command = spec.command();
      process =
          new StdioClientTransport(
              ServerParameters.builder(command.getFirst())
                  .args(command.subList(1, command.size()))
                  .env(spec.env())
                  .build(),
              json);
      process.setStdErrorHandler(line -> log.println("[" + name + "] " + line));
      transport = process;
    }
    // asynchronous, so that progress is handed on in line and in order (Connection.Sessions); a
    // change of tools is handled off the transport's thread, since handling it may wait
    Cancelling cancelling = new Cancelling(transport);
    McpAsyncClient c =
        McpClient.async(cancelling)
            .clientInfo(McpSchema.Implementation.builder("tollgate-mcp-gateway", "0.1").build())
            .requestTimeout(CALL_TIMEOUT)
            .initializationTimeout(Duration.ofSeconds(60))
            .toolsChangeConsumer(
                tools ->
                    Mono.fromRunnable(() -> toolsChanged.accept(tools))
                        .subscribeOn(Schedulers.boundedElastic())
                        .then())
            .progressConsumer(n -> Mono.fromRunnable(() -> progress.accept(n)))
            .build();
    try {
      c.initialize().block();
      if (process != null) {
        StdioClientTransport watched = process;
        Thread.ofVirtual()
            .name("mcp-server-" + name)
            .start(
                () -> {
                  watched.awaitForExit();
                  gone.complete(null);
                });
      }
      exited = gone;
    } catch (RuntimeException e) {
      c.close();
      throw new IllegalStateException(
          "the MCP server `" + name + "` (" + spec.where() + ") did not start: " + e.getMessage(),
          e);
    }
    return new Connection.Sessions(c, cancelling);
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (client != null) {
      try {
        client.close();
      } catch (RuntimeException e) {
        log.println("tollgate mcp: the MCP server `" + name + "` did not stop cleanly");
      }
      client = null;
    }
  }
}
