package dev.tollgate.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.api.ApprovalStatus;
import dev.tollgate.api.Gate;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The MCP gateway: towards the client an MCP server over stdio, towards each configured server an
 * MCP client of a child process it starts; every server's tools re-exposed as {@code
 * <server>.<tool>}, and every tools/call decided through a {@link Gate} in the client's session
 * before it reaches a server. A call that is not allowed never reaches the server: the model gets a
 * tool error whose text says why, so that it can change course. An allowed call goes with the
 * arguments the decision gives (redacted, when a policy redacts), and its result is observed before
 * it goes back, so that later calls see where its data flows. Resources, resource templates,
 * prompts and completions pass through ({@link Passthrough}); progress a server reports on a call
 * goes back to the client that made it ({@link ProgressRelay}).
 *
 * <p>Built on the official MCP Java SDK (session-based protocol revisions up to 2025-11-25).
 */
public final class McpGateway implements AutoCloseable {
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);

  private final McpJsonMapper json = new JacksonMcpJsonMapper(new ObjectMapper());
  private final GatewayConfig config;
  private final PrintStream log;
  private final ApprovalWait approvals;
  private final ToolShelf shelf;
  private final ProgressRelay progress = new ProgressRelay();

  private final InFlight inFlight;

  private final Map<String, Upstream> upstreams = new LinkedHashMap<>();

  private final CountDownLatch closed = new CountDownLatch(1);
  private Conversations conversations;
  private HttpFront front;
  private io.modelcontextprotocol.modern.server.transport.StdioMcpTransport stateless;
  private volatile McpSyncServer server;

  private McpGateway(
      GatewayConfig config, PrintStream log, ApprovalWait approvals, ToolPinning pinning) {
    this.config = config;
    this.log = log;
    this.approvals = approvals;
    this.shelf = new ToolShelf(pinning, json, log, this::proxy);
    this.inFlight = new InFlight(log);
  }

  /**
   * Starts every configured server, opens the client's session, and serves the client on {@code in}
   * and {@code out} until {@code in} ends or {@link #close} is called.
   *
   * <p>An asked call is held up to the configuration's {@code approval_wait} while a person
   * decides: approved, it goes through (decided again, through the approval's grant); denied or
   * expired, the model is told; still pending, it is answered with the approval's id. A client that
   * asked for progress hears from the gateway every few seconds while it waits. A tool is shown
   * only while its definition is pinned ({@code pinning}): a changed definition, or one that
   * carries instructions to the model or names another server's tool, is hidden and blocked until a
   * person accepts it.
   *
   * @param log where the gateway and its servers' standard error go (never {@code out}: it is the
   *     protocol's channel)
   */
  public static McpGateway start(
      GatewayConfig config,
      Gate gate,
      ApprovalWait approvals,
      ToolPinning pinning,
      InputStream in,
      OutputStream out,
      PrintStream log) {
    McpGateway g = new McpGateway(config, log, approvals, pinning);
    try {
      g.open(
          gate,
          "stdio",
          () -> {
            // one stdio stream speaks one era of the protocol: the client's first line says which
            FirstLine first = FirstLine.read(in);
            if (first.stateless()) {
              g.stateless =
                  ModernFront.stdio(
                      g.json, g.shelf, g, g.untilEnd(first.input()), LineGuard.lines(out));
              log.println("tollgate mcp: the client speaks the stateless revision 2026-07-28");
              return null;
            }
            return McpServer.sync(
                    new StdioServerTransportProvider(
                        g.json,
                        LineGuard.guard(
                            g.untilEnd(first.input()),
                            out,
                            log,
                            g.json,
                            id -> g.inFlight.cancelled(InFlight.stdioCall(id))),
                        LineGuard.lines(out)))
                .serverInfo(SERVER_INFO);
          });
    } catch (RuntimeException e) {
      g.close();
      throw e;
    }
    return g;
  }

  /**
   * As {@link #start(GatewayConfig, Gate, ApprovalWait, ToolPinning, InputStream, OutputStream,
   * PrintStream)}, serving any number of clients over Streamable HTTP at the configuration's {@code
   * listen} address, path {@code /mcp}, until {@link #close}. A client presents a bearer token of
   * the gateway's agent ({@code tokens}); each client conversation has a Tollgate session of its
   * own.
   *
   * @throws IllegalStateException when the address cannot be served, or a server does not start
   */
  public static McpGateway startHttp(
      GatewayConfig config,
      Gate gate,
      ApprovalWait approvals,
      ToolPinning pinning,
      ClientTokens tokens,
      PrintStream log) {
    if (config.listen() == null) {
      throw new IllegalArgumentException("the configuration has no `listen` address to serve");
    }
    McpGateway g = new McpGateway(config, log, approvals, pinning);
    try {
      var transport = HttpFront.transport(g.json);
      // each HTTP request has a thread of its own, which the servlet holds until the answer: the
      // call runs on it, rather than being handed to another thread and back (on stdio one thread
      // reads every message, so the calls there are handed off)
      g.open(
          gate,
          null,
          () -> McpServer.sync(transport).serverInfo(SERVER_INFO).immediateExecution(true));
      g.front =
          HttpFront.start(
              config.listenHost(),
              config.listenPort(),
              transport,
              ModernFront.servlet(g.json, g.shelf, g),
              tokens,
              g::cancel,
              g.inFlight::cancelled,
              g.inFlight::dropped,
              log);
      log.println("tollgate mcp: serving MCP over Streamable HTTP at " + g.front.uri());
    } catch (RuntimeException e) {
      g.close();
      throw e;
    }
    return g;
  }

  /** Where HTTP clients post ({@code http://host:port/mcp}), or {@code null} on stdio. */
  public java.net.URI uri() {
    return front == null ? null : front.uri();
  }

  private static final McpSchema.Implementation SERVER_INFO =
      McpSchema.Implementation.builder("tollgate-mcp-gateway", "0.1").build();

  /**
   * Serves this process's standard input and output until the client goes away: the process of an
   * MCP client's configuration. Standard output is kept for the protocol; anything else printed to
   * it goes to standard error.
   */
  public static void serveStdio(
      GatewayConfig config, Gate gate, ApprovalWait approvals, ToolPinning pinning)
      throws InterruptedException {
    PrintStream protocol = System.out;
    PrintStream log = new PrintStream(System.err, true, java.nio.charset.StandardCharsets.UTF_8);
    System.setOut(log);
    try (McpGateway g = start(config, gate, approvals, pinning, System.in, protocol, log)) {
      g.awaitClosed();
    }
  }

  /**
   * Starts the servers behind, then the gateway's own server on the transport whose specification
   * {@code transport} gives.
   *
   * @param stdioClient the client's name when there is one client (stdio), whose session opens at
   *     once; {@code null} over HTTP
   */
  private void open(
      Gate gate,
      String stdioClient,
      java.util.function.Supplier<McpServer.SyncSpecification<?>> transport) {
    Map<String, List<McpSchema.Tool>> first = new LinkedHashMap<>();
    Passthrough offered = new Passthrough();
    for (Map.Entry<String, GatewayConfig.ServerSpec> e : config.servers().entrySet()) {
      String name = e.getKey();
      Upstream upstream =
          Upstream.start(
              name,
              e.getValue(),
              json,
              log,
              listed -> shelf.listed(name, listed),
              progress::deliver);
      upstreams.put(name, upstream);
      Connection connection = upstream.client();
      first.put(name, connection.listTools());
      offered.add(upstream, connection);
    }
    shelf.start(first);
    conversations = new Conversations(gate, config);
    String session =
        stdioClient == null ? null : conversations.of(stdioClient, null, null).session();
    McpServer.SyncSpecification<?> classic = transport.get();
    this.server =
        classic == null
            ? null
            : offered
                .offer(classic)
                .jsonMapper(json)
                .capabilities(offered.capabilities())
                // the decision reads the arguments as sent, and the servers behind check their own
                // schemas: a second pass here would cost every call a schema walk, and would turn a
                // server's answer into the SDK's error
                .validateToolInputs(false)
                .jsonSchemaValidator(
                    (schema, content) ->
                        io.modelcontextprotocol.json.schema.JsonSchemaValidator.ValidationResponse
                            .asValid(null))
                .requestTimeout(Upstream.CALL_TIMEOUT)
                .tools(shelf.specifications())
                .build();
    if (server != null) {
      shelf.attach(server);
    }
    // a server's tools that changed while the gateway was starting: listed again, now that the
    // changes have somewhere to go
    for (Upstream u : upstreams.values()) {
      shelf.listed(u.name(), u.client().listTools());
    }
    log.println(
        "tollgate mcp: serving "
            + shelf.size()
            + " tools of "
            + String.join(", ", upstreams.keySet())
            + " as agent "
            + gate.agent()
            + (session == null ? "" : " in session " + session));
  }

  /** The server's tool, re-exposed under its server's name, each call decided first. */
  private McpServerFeatures.SyncToolSpecification proxy(String serverName, McpSchema.Tool tool) {
    Upstream upstream = upstreams.get(serverName);
    String name = upstream.name() + "." + tool.name();
    McpSchema.Tool shown =
        McpSchema.Tool.builder(name, tool.inputSchema())
            .title(tool.title())
            .description(tool.description())
            .outputSchema(tool.outputSchema())
            .annotations(tool.annotations())
            .meta(tool.meta())
            .icons(tool.icons())
            .build();
    return McpServerFeatures.SyncToolSpecification.builder()
        .tool(shown)
        .callHandler(
            (exchange, request) ->
                call(
                    name,
                    tool.name(),
                    upstream,
                    new Caller(
                        client(exchange),
                        exchange.sessionId(),
                        request.progressToken() == null ? null : exchange::progressNotification,
                        callKey(exchange, request)),
                    request))
        .build();
  }

  private McpSchema.CallToolResult call(
      String name,
      String upstreamName,
      Upstream upstream,
      Caller caller,
      McpSchema.CallToolRequest request) {
    // decided, held and observed in the trace the client named in _meta, if it named one
    return TraceContext.within(
        request.meta(),
        () ->
            inFlight.run(
                InFlight.session(caller.client(), caller.mcpSession()),
                caller.call(),
                waits -> decideAndCall(name, upstreamName, upstream, caller, request, waits)));
  }

  /** A client ended its MCP session (over HTTP): its calls in flight are cancelled. */
  void cancel(String client, String mcpSession) {
    inFlight.sessionEnded(client, mcpSession);
  }

  private McpSchema.CallToolResult decideAndCall(
      String name,
      String upstreamName,
      Upstream upstream,
      Caller caller,
      McpSchema.CallToolRequest request,
      InFlight.Waits waits) {
    Map<String, Object> args =
        request.arguments() == null ? Map.of() : new HashMap<>(request.arguments());
    CallGate calls;
    CallGate.Verdict verdict;
    try {
      calls = conversations.of(caller.client(), caller.mcpSession(), request.meta());
      verdict = calls.decide(name, args);
    } catch (RuntimeException e) {
      // a malformed action (the gate refuses it before the engine): fail closed, say why
      return refused("Tollgate could not decide this call to " + name + ": " + e.getMessage());
    }
    if (!verdict.forward() && verdict.decision().approval() != null) {
      CallGate.Verdict asked = verdict;
      verdict =
          waits.cancellable(
              () -> awaitPerson(calls, name, args, asked, caller, request.progressToken()));
    }
    if (!verdict.forward()) {
      return CallGate.withDecision(refused(verdict.refusal()), verdict.decision());
    }
    McpSchema.CallToolResult result;
    Map<String, Object> meta = progress.open(InFlight.unstamped(request.meta()), caller.progress());
    try {
      McpSchema.CallToolRequest forwarded =
          McpSchema.CallToolRequest.builder(upstreamName)
              .arguments(verdict.args())
              .meta(meta)
              .build();
      result = waits.cancellable(() -> upstream.call(forwarded));
    } catch (java.util.concurrent.CancellationException e) {
      return refused("The client cancelled this call to " + name + ": " + e.getMessage());
    } catch (RuntimeException e) {
      return refused(
          "The MCP server behind "
              + name
              + " did not answer this call (Tollgate allowed it, decision "
              + verdict.decision().id()
              + "): "
              + e.getMessage());
    } finally {
      progress.close(meta);
    }
    try {
      calls.observe(name, verdict.decision(), observed(result));
    } catch (RuntimeException e) {
      log.println("tollgate mcp: the result of " + name + " was not observed: " + e.getMessage());
    }
    return CallGate.withDecision(result, verdict.decision());
  }

  /**
   * Who makes a call: the client (the one of stdio, or the one an HTTP request's token identified),
   * its MCP session if the protocol has one, and where progress goes while a call is held ({@code
   * null}: the client asked for none, or the transport cannot send it).
   */
  record Caller(
      String client,
      String mcpSession,
      java.util.function.Consumer<McpSchema.ProgressNotification> progress,
      String call) {}

  /** The front's key for a call, by which the client's cancellation finds it, or {@code null}. */
  private static String callKey(McpSyncServerExchange exchange, McpSchema.CallToolRequest request) {
    Object http = exchange.transportContext().get(HttpFront.CALL);
    if (http != null) {
      return http.toString();
    }
    Object stdio = request.meta() == null ? null : request.meta().get(InFlight.CALL_KEY);
    return stdio == null ? null : InFlight.stdioCall(stdio);
  }

  /** Calls a shown tool for a caller (the 2026 revision's server, which has no exchange). */
  McpSchema.CallToolResult call(
      String shownName, Caller caller, McpSchema.CallToolRequest request) {
    int dot = shownName.indexOf('.');
    Upstream upstream = dot < 0 ? null : upstreams.get(shownName.substring(0, dot));
    if (upstream == null) {
      return refused("No tool " + shownName + " behind this gateway.");
    }
    return call(shownName, shownName.substring(dot + 1), upstream, caller, request);
  }

  /** Who the client is: the one of stdio, or the one an HTTP request's token identified. */
  static String client(io.modelcontextprotocol.common.McpTransportContext context) {
    Object c = context == null ? null : context.get(HttpFront.CLIENT);
    return c == null ? "stdio" : c.toString();
  }

  private static String client(McpSyncServerExchange exchange) {
    return client(exchange.transportContext());
  }

  /** The key of a result's {@code _meta} entry that carries Tollgate's decision on the call. */
  public static final String DECISION_META = "dev.tollgate/decision";

  /**
   * Holds an asked call while a person decides, up to {@code approval_wait}; approved, the call is
   * decided again (the approval's grant lets it through).
   */
  private CallGate.Verdict awaitPerson(
      CallGate calls,
      String name,
      Map<String, Object> args,
      CallGate.Verdict asked,
      Caller caller,
      Object progressToken) {
    if (approvals == ApprovalWait.NONE || config.approvalWait().isZero()) {
      return asked;
    }
    String id = asked.decision().approval().id();
    long deadline = System.nanoTime() + config.approvalWait().toNanos();
    ApprovalStatus status = ApprovalStatus.PENDING;
    int slices = 0;
    try {
      while (status == ApprovalStatus.PENDING) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        if (progressToken != null && caller.progress() != null) {
          caller
              .progress()
              .accept(
                  new McpSchema.ProgressNotification(
                      progressToken,
                      ++slices,
                      null,
                      "waiting for a person to approve this call in the Tollgate console (approval "
                          + id
                          + ")"));
        }
        status = approvals.await(id, Duration.ofNanos(Math.min(left, PROGRESS_EVERY.toNanos())));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return asked;
    } catch (RuntimeException e) {
      log.println("tollgate mcp: could not follow approval " + id + ": " + e.getMessage());
      return asked;
    }
    return switch (status) {
      case APPROVED -> calls.decide(name, args);
      case DENIED ->
          new CallGate.Verdict(
              asked.decision(),
              null,
              "A person denied this call to "
                  + name
                  + " (approval "
                  + id
                  + "). The call did not reach the tool; do not retry it.");
      case EXPIRED ->
          new CallGate.Verdict(
              asked.decision(),
              null,
              "No one approved this call to "
                  + name
                  + " before its approval ("
                  + id
                  + ") expired. The call did not reach the tool.");
      default -> asked;
    };
  }

  /** What the session learns from a result: its text and its structured content. */
  private static Map<String, Object> observed(McpSchema.CallToolResult result) {
    List<Object> texts = new ArrayList<>();
    if (result.content() != null) {
      for (McpSchema.Content c : result.content()) {
        if (c instanceof McpSchema.TextContent t) {
          texts.add(t.text());
        } else if (c instanceof McpSchema.EmbeddedResource r
            && r.resource() instanceof McpSchema.TextResourceContents text) {
          texts.add(text.text());
        }
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("content", texts);
    if (result.structuredContent() != null) {
      out.put("structuredContent", result.structuredContent());
    }
    return out;
  }

  private static McpSchema.CallToolResult refused(String text) {
    return McpSchema.CallToolResult.builder().addTextContent(text).isError(true).build();
  }

  /** Blocks until the client's input ends or the gateway is closed. */
  public void awaitClosed() throws InterruptedException {
    closed.await();
  }

  /** Stops serving the client and stops every server. */
  @Override
  public void close() {
    shelf.close();
    if (stateless != null) {
      stateless.closeGracefully().subscribe();
    }
    if (front != null) {
      front.close();
    }
    if (server != null) {
      server.closeGracefully();
    }
    for (Upstream u : upstreams.values()) {
      u.close();
    }
    closed.countDown();
  }

  /** The client's input, which closes the gateway when it ends (the SDK would wait forever). */
  private InputStream untilEnd(InputStream in) {
    return new FilterInputStream(in) {
      @Override
      public int read() throws IOException {
        int c = super.read();
        if (c < 0) {
          ended();
        }
        return c;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n < 0) {
          ended();
        }
        return n;
      }
    };
  }

  private void ended() {
    Thread.ofVirtual().start(this::close);
  }
}
