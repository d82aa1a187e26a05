package dev.tollgate.mcp;

import io.modelcontextprotocol.spec.McpSchema;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Progress that a server behind reports on a call, sent on to the client that made the call. The
 * call goes to the server with a progress token of the gateway's own, not the client's: one client
 * of a server serves every client of the gateway, whose tokens may be the same, and a server must
 * not be able to reach a client whose call it is not answering. A notification whose token is not
 * that of a call in flight goes nowhere, and so does one that arrives after a later one of the same
 * call (its progress no higher): a client must see progress only increase.
 */
final class ProgressRelay {
  private static final String TOKEN = "progressToken";

  private static final class Route {
    private final Object clientToken;
    private final Consumer<McpSchema.ProgressNotification> to;
    private double last = Double.NEGATIVE_INFINITY;

    Route(Object clientToken, Consumer<McpSchema.ProgressNotification> to) {
      this.clientToken = clientToken;
      this.to = to;
    }

    synchronized void send(McpSchema.ProgressNotification n) {
      double progress = n.progress() == null ? 0 : n.progress();
      if (progress <= last) {
        return;
      }
      last = progress;
      to.accept(
          new McpSchema.ProgressNotification(
              clientToken, n.progress(), n.total(), n.message(), n.meta()));
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

  /** The call is answered: later progress on its token goes nowhere. */
  void close(Map<String, Object> sent) {
    if (sent != null && sent.get(TOKEN) instanceof String ours) {
      routes.remove(ours);
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
