package dev.tollgate.mcp;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.transport.DefaultServerTransportSecurityValidator;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.ee11.servlet.FilterHolder;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.VirtualThreadPool;

/**
 * The gateway's Streamable HTTP endpoint, {@code /mcp}: the SDK's servlet on Jetty, behind a filter
 * that lets in only clients presenting a bearer token of the gateway's agent, and no browser page
 * (a request with an {@code Origin} is refused: a page must not reach a local gateway).
 */
final class HttpFront implements AutoCloseable {
  private static final com.fasterxml.jackson.core.JsonFactory JSON =
      new com.fasterxml.jackson.core.JsonFactory();

  /** The path clients post to. */
  static final String PATH = "/mcp";

  /** The transport context's key for the client the token identified. */
  static final String CLIENT = "tollgate.client";

  /**
   * The transport context's key for a tools/call's key in {@link InFlight} (client, session, id).
   */
  static final String CALL = "tollgate.call";

  /** Requests up to this size are read here for cancellation; larger ones go on unread. */
  private static final int INSPECTED = 1 << 20;

  private final Server jetty;
  private final URI uri;

  private HttpFront(Server jetty, URI uri) {
    this.jetty = jetty;
    this.uri = uri;
  }

  /** The SDK's transport for the endpoint, reading the client the filter let in. */
  static HttpServletStreamableServerTransportProvider transport(McpJsonMapper json) {
    return HttpServletStreamableServerTransportProvider.builder()
        .jsonMapper(json)
        .mcpEndpoint(PATH)
        .securityValidator(DefaultServerTransportSecurityValidator.builder().build())
        .contextExtractor(HttpFront::context)
        .build();
  }

  /** What a request's transport context carries: the client the filter let in. */
  static McpTransportContext context(HttpServletRequest request) {
    Object call = request.getAttribute(CALL);
    String client = String.valueOf(request.getAttribute(CLIENT));
    return McpTransportContext.create(
        call == null ? Map.of(CLIENT, client) : Map.of(CLIENT, client, CALL, call));
  }

  /** Starts serving {@code transport} at {@code host:port}. */
  static HttpFront start(
      String host,
      int port,
      HttpServletStreamableServerTransportProvider transport,
      jakarta.servlet.http.HttpServlet stateless,
      ClientTokens tokens,
      java.util.function.BiConsumer<String, String> sessionEnded,
      java.util.function.Consumer<String> cancelled,
      java.util.function.Consumer<String> dropped,
      PrintStream log) {
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setName("tollgate-mcp-http");
    threads.setVirtualThreadsExecutor(new VirtualThreadPool());
    Server jetty = new Server(threads);
    ServerConnector connector = new ServerConnector(jetty);
    connector.setHost(host.isEmpty() ? null : host);
    connector.setPort(port);
    jetty.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    ServletHolder servlet = new ServletHolder("mcp", new ByRevision(transport, stateless));
    servlet.setAsyncSupported(true);
    context.addServlet(servlet, PATH);
    FilterHolder auth =
        new FilterHolder(new TokenFilter(tokens, sessionEnded, cancelled, dropped, log));
    auth.setAsyncSupported(true);
    context.addFilter(auth, "/*", EnumSet.of(DispatcherType.REQUEST));
    jetty.setHandler(context);
    try {
      jetty.start();
    } catch (Exception e) {
      try {
        jetty.stop();
      } catch (Exception ignored) {
        // it did not start
      }
      throw new IllegalStateException(
          "cannot serve MCP over HTTP at " + host + ":" + port + ": " + e.getMessage(), e);
    }
    String shownHost = host.isEmpty() ? "127.0.0.1" : host;
    return new HttpFront(
        jetty, URI.create("http://" + shownHost + ":" + connector.getLocalPort() + PATH));
  }

  /** Where clients post: {@code http://host:port/mcp}. */
  URI uri() {
    return uri;
  }

  @Override
  public void close() {
    try {
      jetty.stop();
    } catch (Exception e) {
      // stopping: nothing more to do with it
    }
  }

  /**
   * One endpoint for both eras of the protocol: a request of the stateless revision 2026-07-28
   * carries {@code Mcp-Method} (its transport requires it); the session-based revisions' never do.
   */
  private static final class ByRevision extends jakarta.servlet.http.HttpServlet {
    private static final long serialVersionUID = 1L;
    private final transient jakarta.servlet.http.HttpServlet sessions;
    private final transient jakarta.servlet.http.HttpServlet stateless;

    ByRevision(
        jakarta.servlet.http.HttpServlet sessions, jakarta.servlet.http.HttpServlet stateless) {
      this.sessions = sessions;
      this.stateless = stateless;
    }

    @Override
    public void init(jakarta.servlet.ServletConfig config) throws ServletException {
      super.init(config);
      sessions.init(config);
      stateless.init(config);
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
        throws ServletException, IOException {
      (request.getHeader("Mcp-Method") != null ? stateless : sessions).service(request, response);
    }

    @Override
    public void destroy() {
      sessions.destroy();
      stateless.destroy();
    }
  }

  /**
   * Lets in a request with a bearer token of the gateway's agent; answers 401 otherwise. A client
   * that ends its MCP session (DELETE) is told to {@code sessionEnded} (client, session) first, so
   * that its calls still in flight are cancelled. The SDK's server does not follow cancellation, so
   * a session-based POST is read here: a tools/call gets its key ({@link #CALL}: client, session,
   * JSON-RPC id), and a {@code notifications/cancelled} tells {@code cancelled} the key of the call
   * it names.
   */
  private record TokenFilter(
      ClientTokens tokens,
      java.util.function.BiConsumer<String, String> sessionEnded,
      java.util.function.Consumer<String> cancelled,
      java.util.function.Consumer<String> dropped,
      PrintStream log)
      implements Filter {
    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
        throws IOException, ServletException {
      HttpServletRequest request = (HttpServletRequest) req;
      HttpServletResponse response = (HttpServletResponse) res;
      if (request.getHeader("Origin") != null) {
        refuse(response, 403, "a request from a web page (it has an Origin) is not served");
        return;
      }
      String header = request.getHeader("Authorization");
      if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
        refuse(response, 401, "send the gateway's agent token: Authorization: Bearer <token>");
        return;
      }
      Optional<String> client;
      try {
        client = tokens.client(header.substring(7).strip());
      } catch (RuntimeException e) {
        log.println("tollgate mcp: could not check a client's token: " + e.getMessage());
        refuse(response, 503, "the gateway cannot check tokens now (its store does not answer)");
        return;
      }
      if (client.isEmpty()) {
        refuse(
            response,
            401,
            "this token is unknown, revoked, or not one of the gateway's agent (tollgate agents"
                + " add)");
        return;
      }
      request.setAttribute(CLIENT, client.get());
      String session = request.getHeader("Mcp-Session-Id");
      if ("DELETE".equals(request.getMethod()) && session != null) {
        sessionEnded.accept(client.get(), session);
      }
      if ("POST".equals(request.getMethod())
          && request.getHeader("Mcp-Method") == null
          && request.getContentLengthLong() >= 0
          && request.getContentLengthLong() <= INSPECTED) {
        byte[] body = request.getInputStream().readAllBytes();
        follow(request, body, client.get() + " " + session + " ");
        Object call = request.getAttribute(CALL);
        if (call == null) {
          chain.doFilter(new ReadAgain(request, body), res);
          return;
        }
        // a client that goes away without a word cancels its call
        try (Heartbeat heartbeat =
            Heartbeat.start(response, () -> dropped.accept(call.toString()))) {
          chain.doFilter(new ReadAgain(request, body), heartbeat.response());
        }
        return;
      }
      chain.doFilter(req, res);
    }

    /**
     * Keys a tools/call, or tells of a cancellation; anything else, and anything unreadable, is
     * left to the SDK. Reads only the message's {@code method}, {@code id} and {@code
     * params.requestId}, skipping the rest (a call's arguments) without building it.
     */
    private void follow(HttpServletRequest request, byte[] body, String prefix) {
      String method = null;
      String id = null;
      String requestId = null;
      try (JsonParser p = JSON.createParser(body)) {
        if (p.nextToken() != JsonToken.START_OBJECT) {
          return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String field = p.currentName();
          JsonToken value = p.nextToken();
          switch (field) {
            case "method" -> method = value == JsonToken.VALUE_STRING ? p.getText() : null;
            case "id" -> id = idText(p, value);
            case "params" -> requestId = value == JsonToken.START_OBJECT ? requestId(p) : skip(p);
            default -> p.skipChildren();
          }
        }
      } catch (IOException e) {
        return; // the SDK answers it
      }
      if ("tools/call".equals(method) && id != null) {
        request.setAttribute(CALL, prefix + id);
      } else if ("notifications/cancelled".equals(method) && requestId != null) {
        cancelled.accept(prefix + requestId);
      }
    }

    /** The {@code requestId} of the params object the parser is at; the rest skipped. */
    private static String requestId(JsonParser p) throws IOException {
      String requestId = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (field.equals("requestId")) {
          requestId = idText(p, value);
        } else {
          p.skipChildren();
        }
      }
      return requestId;
    }

    private static String skip(JsonParser p) throws IOException {
      p.skipChildren();
      return null;
    }

    /** A JSON-RPC id as text that tells the string "7" from the number 7; null for others. */
    private static String idText(JsonParser p, JsonToken value) throws IOException {
      return switch (value) {
        case VALUE_STRING -> "\"" + p.getText() + "\"";
        case VALUE_NUMBER_INT -> p.getText();
        default -> {
          p.skipChildren();
          yield null;
        }
      };
    }

    private static void refuse(HttpServletResponse response, int status, String message)
        throws IOException {
      response.setStatus(status);
      if (status == 401) {
        response.setHeader("WWW-Authenticate", "Bearer realm=\"tollgate-mcp\"");
      }
      response.setContentType("application/json");
      byte[] body =
          ("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32001,\"message\":\""
                  + message.replace("\"", "'")
                  + "\"}}")
              .getBytes(StandardCharsets.UTF_8);
      response.setContentLength(body.length);
      response.getOutputStream().write(body);
    }
  }

  /** A request whose body was read already, to be read again by the SDK. */
  private static final class ReadAgain extends jakarta.servlet.http.HttpServletRequestWrapper {
    private final byte[] body;

    ReadAgain(HttpServletRequest request, byte[] body) {
      super(request);
      this.body = body;
    }

    @Override
    public jakarta.servlet.ServletInputStream getInputStream() {
      java.io.ByteArrayInputStream in = new java.io.ByteArrayInputStream(body);
      return new jakarta.servlet.ServletInputStream() {
        @Override
        public int read() {
          return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
          return in.read(b, off, len);
        }

        @Override
        public boolean isFinished() {
          return in.available() == 0;
        }

        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setReadListener(jakarta.servlet.ReadListener listener) {
          throw new UnsupportedOperationException("the body was read already");
        }
      };
    }

    @Override
    public java.io.BufferedReader getReader() {
      return new java.io.BufferedReader(
          new java.io.InputStreamReader(getInputStream(), StandardCharsets.UTF_8));
    }
  }
}
