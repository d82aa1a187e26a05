package dev.tollgate.server.http;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.ConnectionLimit;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.Scheduler;
import org.eclipse.jetty.util.thread.VirtualThreadPool;

/**
 * The HTTP server under the sidecar: Jetty, every request on a virtual thread of its own, and
 * guarded against clients that hold connections without finishing requests.
 *
 * <ul>
 *   <li>A request's line and headers must arrive within the header timeout, however slowly they
 *       trickle in (slowloris); the connection is closed otherwise.
 *   <li>A body must arrive at the minimum rate (bytes per second, averaged since the request
 *       began); a drip fails the read and the request is answered 408 or closed.
 *   <li>A connection with no request in progress is closed after the idle timeout; at the
 *       connection cap, idle connections are closed after one second so that new ones get in.
 *   <li>Past {@link Limits#maxConnections()} open connections, a new connection's requests are
 *       answered {@code 503 overloaded} and it is closed: a clear refusal rather than a hang. A
 *       hard limit a little above stops accepting altogether, so that file descriptors are never
 *       exhausted.
 *   <li>{@link #close} stops accepting, lets requests in flight finish for the shutdown grace
 *       period, then closes what is left.
 * </ul>
 */
public final class HttpListener implements AutoCloseable {

  /** What a connection may cost the server; see the class comment. */
  public record Limits(
      Duration headerTimeout,
      Duration idleTimeout,
      long minBodyBytesPerSecond,
      int maxConnections,
      Duration shutdownGrace) {
    public Limits {
      Objects.requireNonNull(headerTimeout, "headerTimeout");
      Objects.requireNonNull(idleTimeout, "idleTimeout");
      Objects.requireNonNull(shutdownGrace, "shutdownGrace");
      if (headerTimeout.isNegative() || headerTimeout.isZero()) {
        throw new IllegalArgumentException("the header timeout must be positive");
      }
      if (idleTimeout.isNegative() || idleTimeout.isZero()) {
        throw new IllegalArgumentException("the idle timeout must be positive");
      }
      if (minBodyBytesPerSecond < 0) {
        throw new IllegalArgumentException("the minimum body rate must not be negative");
      }
      if (maxConnections < 1) {
        throw new IllegalArgumentException("the connection cap must be at least 1");
      }
      if (shutdownGrace.isNegative()) {
        throw new IllegalArgumentException("the shutdown grace must not be negative");
      }
    }

    /**
     * Header timeout 10 s, idle timeout 30 s, bodies at 1 KiB/s at least, connections capped below
     * what the process may open (its file descriptor limit, less room for the store and logs), at
     * most 10,000; 10 s for requests in flight at shutdown.
     */
    public static Limits defaults() {
      return new Limits(
          Duration.ofSeconds(10),
          Duration.ofSeconds(30),
          1024,
          defaultMaxConnections(),
          Duration.ofSeconds(10));
    }

    static int defaultMaxConnections() {
      long fds = 10_000 + RESERVED_DESCRIPTORS;
      if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
          instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
        fds = unix.getMaxFileDescriptorCount();
      }
      return (int) Math.max(16, Math.min(10_000, fds - RESERVED_DESCRIPTORS - HARD_HEADROOM));
    }
  }

  /** Descriptors kept free for the store's files, its connections, logs and the JVM itself. */
  private static final long RESERVED_DESCRIPTORS = 192;

  /** Connections accepted past the cap, only to be refused with an answer. */
  private static final int HARD_HEADROOM = 64;

  /** The idle timeout of every connection while the server is at its connection cap. */
  private static final long PRESSED_IDLE_MILLIS = 1000;

  /** How often the header deadline is checked. */
  private static final long SWEEP_MILLIS = 250;

  /** Answers a request; the exchange is closed after it returns or throws. */
  @FunctionalInterface
  public interface Route {
    void handle(Exchange exchange) throws Exception;
  }

  /** Told of requests the listener itself refuses or fails, for metrics. */
  public interface Observer {
    void overloaded();

    void failed(Throwable error);
  }

  private final Server server;
  private final ServerConnector connector;
  private final GracefulHandler graceful;
  private final Guard guard;

  public HttpListener(String host, int port, Limits limits, Route route, Observer observer)
      throws IOException {
    VirtualThreadPool threads = new VirtualThreadPool();
    threads.setName("tollgate-http");
    this.server = new Server(threads);
    HttpConfiguration config = new HttpConfiguration();
    config.setSendServerVersion(false);
    config.setSendXPoweredBy(false);
    config.setRequestHeaderSize(16 * 1024);
    config.setIdleTimeout(limits.idleTimeout().toMillis());
    // One acceptor and one selector: the server has few cores and many virtual threads.
    this.connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(config));
    connector.setHost(host);
    connector.setPort(port);
    connector.setIdleTimeout(limits.idleTimeout().toMillis());
    connector.setAcceptQueueSize(1024);
    connector.setReuseAddress(true);
    server.addConnector(connector);
    ConnectionLimit hard = new ConnectionLimit(limits.maxConnections() + HARD_HEADROOM, server);
    hard.setIdleTimeout(1000);
    server.addBean(hard);
    this.guard = new Guard(limits, server.getScheduler());
    connector.addBean(guard);
    this.graceful =
        new GracefulHandler(new Dispatch(route, observer, guard, limits.minBodyBytesPerSecond()));
    server.setHandler(graceful);
    server.setErrorHandler(new JsonErrors());
    server.setStopTimeout(limits.shutdownGrace().toMillis());
    server.setStopAtShutdown(false);
    try {
      server.start();
    } catch (IOException e) {
      stopQuietly();
      throw e;
    } catch (Exception e) {
      stopQuietly();
      throw new IOException("cannot start the HTTP server on " + host + ":" + port, e);
    }
    guard.start();
  }

  /** The port listened on (the one chosen when 0 was asked for). */
  public int port() {
    return connector.getLocalPort();
  }

  /** The address listened on, as given. */
  public String host() {
    String host = connector.getHost();
    return host == null ? "0.0.0.0" : host;
  }

  /** Open connections now. */
  public int connections() {
    return guard.open.get();
  }

  /** Whether {@link #close} has begun: routes with long waits end them early. */
  public boolean stopping() {
    return graceful.isShutdown() || server.isStopping() || server.isStopped();
  }

  @Override
  public void close() {
    guard.stop();
    stopQuietly();
  }

  private void stopQuietly() {
    try {
      server.stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // A shutdown grace that ran out ends here (a TimeoutException); what is still open is closed
      // by stop() itself. The caller is not interrupted for it: it may still have work to finish,
      // such as serve's last audit checkpoint.
    }
  }

  /** Runs each request's route on its own virtual thread (the pool's). */
  private static final class Dispatch extends Handler.Abstract {
    private final Route route;
    private final Observer observer;
    private final Guard guard;
    private final long minBodyRate;

    Dispatch(Route route, Observer observer, Guard guard, long minBodyRate) {
      super(Invocable.InvocationType.BLOCKING);
      this.route = route;
      this.observer = observer;
      this.guard = guard;
      this.minBodyRate = minBodyRate;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      Exchange exchange = new Exchange(request, response, callback, minBodyRate);
      try (exchange) {
        if (guard.over(request.getConnectionMetaData().getConnection())) {
          observer.overloaded();
          refuse(exchange);
          return true;
        }
        route.handle(exchange);
      } catch (Exception | StackOverflowError e) {
        observer.failed(e);
      }
      return true;
    }

    private static void refuse(Exchange exchange) throws IOException {
      byte[] body =
          ("{\"error\":{\"code\":\"overloaded\",\"message\":\"the server has too many open"
                  + " connections: retry in a moment, and reuse connections\"}}")
              .getBytes(java.nio.charset.StandardCharsets.UTF_8);
      exchange.setHeader("Content-Type", "application/json");
      exchange.setHeader("Retry-After", "1");
      exchange.closeConnection();
      exchange.send(503, body.length);
      exchange.responseBody().write(body);
    }
  }

  /**
   * Counts connections, marks those opened past the cap, and closes those whose request line and
   * headers take longer than the header timeout. Jetty's idle timeout alone cannot see a drip:
   * every byte resets it.
   */
  private static final class Guard implements Connection.Listener {
    private final Limits limits;
    private final Scheduler scheduler;
    private final AtomicInteger open = new AtomicInteger();
    private final Set<Connection> over = ConcurrentHashMap.newKeySet();
    private final java.util.Map<HttpConnection, Long> inHeaders = new ConcurrentHashMap<>();
    private final Set<HttpConnection> all = ConcurrentHashMap.newKeySet();
    private volatile Scheduler.Task task;
    private volatile boolean pressed;

    Guard(Limits limits, Scheduler scheduler) {
      this.limits = limits;
      this.scheduler = scheduler;
    }

    void start() {
      schedule();
    }

    void stop() {
      Scheduler.Task t = task;
      task = null;
      if (t != null) {
        t.cancel();
      }
    }

    private void schedule() {
      if (scheduler.isRunning()) {
        task = scheduler.schedule(this::sweep, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
      }
    }

    boolean over(Connection connection) {
      return connection != null && over.contains(connection);
    }

    @Override
    public void onOpened(Connection connection) {
      if (open.incrementAndGet() > limits.maxConnections()) {
        over.add(connection);
        connection.getEndPoint().setIdleTimeout(PRESSED_IDLE_MILLIS);
      } else if (pressed) {
        connection.getEndPoint().setIdleTimeout(PRESSED_IDLE_MILLIS);
      }
      if (connection instanceof HttpConnection http) {
        all.add(http);
      }
    }

    @Override
    public void onClosed(Connection connection) {
      open.decrementAndGet();
      over.remove(connection);
      if (connection instanceof HttpConnection http) {
        all.remove(http);
        inHeaders.remove(http);
      }
    }

    /**
     * At the cap, every connection's idle timeout drops to one second (as Jetty's own connection
     * limit does at its limit), so that connections opened and left idle cannot keep others out for
     * long; it comes back once the count is well below the cap.
     */
    private void press() {
      int n = open.get();
      if (n >= limits.maxConnections()) {
        pressed = true;
      } else if (pressed && n < limits.maxConnections() * 9L / 10) {
        pressed = false;
        for (HttpConnection c : all) {
          c.getEndPoint().setIdleTimeout(limits.idleTimeout().toMillis());
        }
      }
      if (pressed) {
        // Every sweep, not once: the hard limit restores idle timeouts when it drops below its
        // own limit, which may still be above this cap.
        for (HttpConnection c : all) {
          if (c.getParser().isClose() || c.getParser().isClosed()) {
            // Timed out and half closed, waiting for a client that will not close its side: at
            // the cap such a connection only keeps others out.
            c.getEndPoint().close();
          } else if (c.getEndPoint().getIdleTimeout() != PRESSED_IDLE_MILLIS) {
            c.getEndPoint().setIdleTimeout(PRESSED_IDLE_MILLIS);
          }
        }
      }
    }

    private void sweep() {
      try {
        press();
        long now = System.nanoTime();
        long limit = limits.headerTimeout().toNanos();
        for (HttpConnection c : all) {
          if (c.getParser().inHeaderState() && !c.getParser().isStart()) {
            long since = inHeaders.computeIfAbsent(c, k -> now);
            if (now - since > limit) {
              inHeaders.remove(c);
              c.getEndPoint().close();
            }
          } else {
            inHeaders.remove(c);
          }
        }
      } finally {
        if (task != null) {
          schedule();
        }
      }
    }
  }
}
