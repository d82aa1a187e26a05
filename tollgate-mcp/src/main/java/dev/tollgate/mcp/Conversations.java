package dev.tollgate.mcp;

import dev.tollgate.api.Gate;
import dev.tollgate.api.SessionSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The gateway's Tollgate sessions, one per client conversation: by the client (its credential over
 * HTTP; the one client of stdio) and the conversation it names in a request's {@code _meta} (key
 * {@value #CONVERSATION_META}), else its MCP session, else one conversation per client. The
 * protocol's session is only a fallback, since the 2026 revision of MCP has none: flow, rates and
 * grants follow the conversation, however the client reaches the gateway.
 */
final class Conversations {
  /** The {@code _meta} key of a request that names the client's conversation. */
  static final String CONVERSATION_META = "dev.tollgate/conversation";

  /** The {@code _meta} key of a conversation's first request that carries the user's request. */
  static final String REQUEST_META = "dev.tollgate/request";

  /**
   * The {@code _meta} key of a conversation's first request that names the user the agent acts for,
   * as a sidecar's client names it when it opens a session (else the configured user).
   */
  static final String USER_META = "dev.tollgate/user";

  /** Conversations kept; the least recently used is forgotten (its Tollgate session stays). */
  static final int MAX = 10_000;

  private final Gate gate;
  private final GatewayConfig config;
  private final Map<List<String>, CallGate> open =
      new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<List<String>, CallGate> eldest) {
          return size() > MAX;
        }
      };

  Conversations(Gate gate, GatewayConfig config) {
    this.gate = gate;
    this.config = config;
  }

  /**
   * The session of a call's conversation, opened on its first call.
   *
   * @param client who the client is (never {@code null})
   * @param mcpSession the client's MCP session, or {@code null}
   * @param meta the request's {@code _meta}, or {@code null}
   */
  CallGate of(String client, String mcpSession, Map<String, Object> meta) {
    Object named = meta == null ? null : meta.get(CONVERSATION_META);
    String conversation =
        named instanceof String s && !s.isBlank()
            ? "conversation:" + s
            : mcpSession != null ? "mcp-session:" + mcpSession : "default";
    List<String> key = List.of(client, conversation);
    synchronized (open) {
      CallGate known = open.get(key);
      if (known != null) {
        return known;
      }
    }
    Object asked = meta == null ? null : meta.get(REQUEST_META);
    String request = asked instanceof String s && !s.isBlank() ? s : config.request();
    Object namedUser = meta == null ? null : meta.get(USER_META);
    String user = namedUser instanceof String u && !u.isBlank() ? u : config.user();
    String session = gate.openSession(new SessionSpec(null, user, request, Map.of()));
    CallGate opened = new CallGate(gate, session, user);
    synchronized (open) {
      // two first calls at once: the first session opened is the conversation's
      return open.computeIfAbsent(key, k -> opened);
    }
  }
}
