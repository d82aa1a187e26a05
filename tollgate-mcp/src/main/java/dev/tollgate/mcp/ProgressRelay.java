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
 * that of a call in flight goes nowhere.
 */
final class ProgressRelay {
  private static final String TOKEN = "progressToken";

  private record Route(Object clientToken, Consumer<McpSchema.ProgressNotification> to) {}

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
    if (route == null) {
      return;
    }
    route
        .to()
        .accept(
            new McpSchema.ProgressNotification(
                route.clientToken(), n.progress(), n.total(), n.message(), n.meta()));
  }
}
