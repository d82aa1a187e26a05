package dev.tollgate.mcp;

import io.modelcontextprotocol.spec.McpSchema;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Progress that a server behind reports on a call, sent on to the client that made the call. The
 * call goes to the server with a progress token of the gateway's own, not the client's: one client
 * of a server serves every client of the gateway, whose tokens may be the same, and a server must
 * not be able to reach a client whose call it is not answering. A notification whose token is not
 * that of a call in flight goes nowhere, and so does one that arrives after a later one of the same
 * call (its progress no higher): a client must see progress only increase.
 *
 * <p>Notifications arrive on the thread that reads the server's messages, which serves every client
 * of that server: sending one to a client that does not read must not hold up the others. So each
 * call's notifications are sent in order by a virtual thread of the call's own, and {@link #close}
 * lets them go out (for {@value #DRAIN_MILLIS} ms at most) before the call's answer does.
 */
final class ProgressRelay {
  private static final String TOKEN = "progressToken";
  static final long DRAIN_MILLIS = 2_000;

  private static final class Route {
    private final Object clientToken;
    private final Consumer<McpSchema.ProgressNotification> to;
    private double last = Double.NEGATIVE_INFINITY;
    private ExecutorService sender;

    Route(Object clientToken, Consumer<McpSchema.ProgressNotification> to) {
      this.clientToken = clientToken;
      this.to = to;
    }

    synchronized void send(McpSchema.ProgressNotification n) {
      double progress = n.progress() == null ? 0 : n.progress();
      if (progress <= last || (sender != null && sender.isShutdown())) {
        return;
      }
      last = progress;
      if (sender == null) {
        sender =
            Executors.newSingleThreadExecutor(Thread.ofVirtual().name("mcp-progress").factory());
      }
      McpSchema.ProgressNotification theirs =
          new McpSchema.ProgressNotification(
              clientToken, n.progress(), n.total(), n.message(), n.meta());
      sender.execute(
          () -> {
            try {
              to.accept(theirs);
            } catch (RuntimeException e) {
              // the client is gone or its stream closed: its call's answer says the rest
            }
          });
    }

    /** Lets what was sent go out, then ends the sender; waits a bounded time. */
    void drain() {
      ExecutorService s;
      synchronized (this) {
        s = sender;
        if (s == null) {
          return;
        }
        s.shutdown();
      }
      try {
        if (!s.awaitTermination(DRAIN_MILLIS, TimeUnit.MILLISECONDS)) {
          // a client that does not read: its answer goes without waiting any longer
          s.shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        s.shutdownNow();
      }
    }
  }

  private final Map<String, Route> routes = new ConcurrentHashMap<>();
  private final AtomicLong next = new AtomicLong();

  /**
   * The {@code _meta} to send the server: the client's, its progress token replaced by one that
   * routes back to {@code to} until {@link #close}. {@code null}: the client asked for none.
   */
  Map<String, Object> open(Map<String, Object> meta, Consumer<McpSchema.ProgressNotification> to) {
    if (meta == null || meta.get(TOKEN) == null || to == null) {
      return meta;
    }
    String ours = "tollgate-" + next.incrementAndGet();
    routes.put(ours, new Route(meta.get(TOKEN), to));
    Map<String, Object> sent = new java.util.HashMap<>(meta);
    sent.put(TOKEN, ours);
    return sent;
  }

  /**
   * The call is answered: its progress so far goes out first (bounded), later progress on its token
   * goes nowhere.
   */
  void close(Map<String, Object> sent) {
    if (sent != null && sent.get(TOKEN) instanceof String ours) {
      Route route = routes.remove(ours);
      if (route != null) {
        route.drain();
      }
    }
  }

  /** A server's progress notification, sent on to the client whose call it reports on. */
  void deliver(McpSchema.ProgressNotification n) {
    Route route = routes.get(String.valueOf(n.progressToken()));
    if (route != null) {
      route.send(n);
    }
  }
}
