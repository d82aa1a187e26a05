package dev.tollgate.mcp;

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
  /** The path clients post to. */
  static final String PATH = "/mcp";

  /** The transport context's key for the client the token identified. */
  static final String CLIENT = "tollgate.client";

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
    return McpTransportContext.create(Map.of(CLIENT, String.valueOf(request.getAttribute(CLIENT))));
  }

  /** Starts serving {@code transport} at {@code host:port}. */
  static HttpFront start(
      String host,
      int port,
      HttpServletStreamableServerTransportProvider transport,
      jakarta.servlet.http.HttpServlet stateless,
      ClientTokens tokens,
      java.util.function.BiConsumer<String, String> sessionEnded,
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
    FilterHolder auth = new FilterHolder(new TokenFilter(tokens, sessionEnded, log));
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
   * that its calls still in flight are cancelled.
   */
  private record TokenFilter(
      ClientTokens tokens,
      java.util.function.BiConsumer<String, String> sessionEnded,
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
      chain.doFilter(req, res);
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
}
