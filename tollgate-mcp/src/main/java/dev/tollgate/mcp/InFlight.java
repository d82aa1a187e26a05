package dev.tollgate.mcp;

import java.io.PrintStream;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The calls in flight, so that a client's cancellation reaches them: one call, by the key its front
 * gave it (the client's {@code notifications/cancelled} names the call's JSON-RPC id), or every
 * call of an MCP session the client ended. Only a call's waits are cut short (for a person, or for
 * the server behind, whose answer is then dropped): a cancellation never interrupts the decision or
 * the observation of a result, so the audit and the data flow stay whole. One that comes before a
 * wait takes effect when the wait starts.
 */
final class InFlight {
  /**
   * The {@code _meta} entry in which the stdio front names a call for its cancellation; taken out
   * before the call goes on to a server.
   */
  static final String CALL_KEY = "dev.tollgate/call";

  /** A call's waits, which its client's cancellation may cut short. */
  interface Waits {
    /** Runs {@code wait}; interrupted when the call is cancelled, before or during it. */
    <T> T cancellable(Supplier<T> wait);
  }

  private static final Waits UNCANCELLABLE =
      new Waits() {
        @Override
        public <T> T cancellable(Supplier<T> wait) {
          return wait.get();
        }
      };

  /** One call: interrupted only while it waits, never after. */
  private static final class Running implements Waits {
    private final Thread thread = Thread.currentThread();
    private boolean cancelled;
    private boolean waiting;

    synchronized void cancel() {
      cancelled = true;
      if (waiting) {
        thread.interrupt();
      }
    }

    @Override
    public <T> T cancellable(Supplier<T> wait) {
      synchronized (this) {
        waiting = true;
        if (cancelled) {
          thread.interrupt();
        }
      }
      try {
        return wait.get();
      } finally {
        synchronized (this) {
          waiting = false;
          // a cancellation that came as the wait ended must not reach the next step of the call
          Thread.interrupted();
        }
      }
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
  <T> T run(String session, String call, Function<Waits, T> work) {
    if (session == null && call == null) {
      return work.apply(UNCANCELLABLE);
    }
    Running self = new Running();
    if (session != null) {
      bySession.computeIfAbsent(session, k -> ConcurrentHashMap.newKeySet()).add(self);
    }
    if (call != null) {
      byCall.put(call, self);
    }
    try {
      return work.apply(self);
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
    }
  }

  /** The key of a client's MCP session, as {@link #run} takes it. */
  static String session(String client, String mcpSession) {
    return mcpSession == null ? null : client + " " + mcpSession;
  }

  /** The key of a call of the stdio client, by its JSON-RPC id as JSON text. */
  static String stdioCall(Object id) {
    return "stdio " + id;
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

  /** A client went away while its call was in flight (its connection broke): it is cancelled. */
  void dropped(String call) {
    Running running = byCall.remove(call);
    if (running != null) {
      log.println("tollgate mcp: the connection of call " + call + " broke: the call is cancelled");
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
