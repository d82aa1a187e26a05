package dev.tollgate.mcp;

import java.io.PrintStream;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The calls in flight, so that a client's cancellation reaches them: one call, by the key its front
 * gave it (the client's {@code notifications/cancelled} names the call's JSON-RPC id), or every
 * call of an MCP session the client ended. A cancelled call stops waiting (for a person, or for the
 * server behind, whose answer is dropped) and is answered as cancelled; its decision is in the
 * audit already.
 */
final class InFlight {
  /**
   * The {@code _meta} entry in which the stdio front names a call for its cancellation; taken out
   * before the call goes on to a server.
   */
  static final String CALL_KEY = "dev.tollgate/call";

  /** One call's thread; interrupted only while the call runs, never after it ended. */
  private static final class Running {
    private final Thread thread = Thread.currentThread();
    private boolean done;

    synchronized void cancel() {
      if (!done) {
        thread.interrupt();
      }
    }

    synchronized void finish() {
      done = true;
      // a cancel that came as the call ended must not reach the SDK's next task on this thread
      Thread.interrupted();
    }
  }

  private final Map<String, Set<Running>> bySession = new ConcurrentHashMap<>();
  private final Map<String, Running> byCall = new ConcurrentHashMap<>();
  private final PrintStream log;

  InFlight(PrintStream log) {
    this.log = log;
  }

  /**
   * Runs a call on this thread, cancellable through {@code session} (client and MCP session, or
   * {@code null}) and {@code call} (the front's key for it, or {@code null}).
   */
  <T> T run(String session, String call, Supplier<T> work) {
    if (session == null && call == null) {
      return work.get();
    }
    Running self = new Running();
    if (session != null) {
      bySession.computeIfAbsent(session, k -> ConcurrentHashMap.newKeySet()).add(self);
    }
    if (call != null) {
      byCall.put(call, self);
    }
    try {
      return work.get();
    } finally {
      if (session != null) {
        bySession.computeIfPresent(
            session,
            (k, running) -> {
              running.remove(self);
              return running.isEmpty() ? null : running;
            });
      }
      if (call != null) {
        byCall.remove(call, self);
      }
      self.finish();
    }
  }

  /** The key of a client's MCP session, as {@link #run} takes it. */
  static String session(String client, String mcpSession) {
    return mcpSession == null ? null : client + " " + mcpSession;
  }

  /** A client ended its MCP session: every call of it still in flight is cancelled. */
  void sessionEnded(String client, String mcpSession) {
    Set<Running> running = bySession.remove(session(client, mcpSession));
    if (running != null && !running.isEmpty()) {
      log.println(
          "tollgate mcp: "
              + client
              + " ended its session: "
              + running.size()
              + " call(s) in flight cancelled");
      running.forEach(Running::cancel);
    }
  }

  /** A client cancelled one call (its front's key for it); nothing when it has ended already. */
  void cancelled(String call) {
    Running running = byCall.remove(call);
    if (running != null) {
      log.println("tollgate mcp: a client cancelled its call " + call);
      running.cancel();
    }
  }

  /** The {@code _meta} of a call as it goes on to a server: without the front's key. */
  static Map<String, Object> unstamped(Map<String, Object> meta) {
    if (meta == null || !meta.containsKey(CALL_KEY)) {
      return meta;
    }
    Map<String, Object> sent = new java.util.HashMap<>(meta);
    sent.remove(CALL_KEY);
    return sent;
  }
}
