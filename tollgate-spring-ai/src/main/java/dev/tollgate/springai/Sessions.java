package dev.tollgate.springai;

import dev.tollgate.api.Gate;
import dev.tollgate.api.SessionSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.model.ToolContext;

/**
 * One Tollgate session per conversation. Spring AI 2.0.1 hands a tool only the chat options' tool
 * context (no conversation id, no history), so the conversation, the user and the user's message
 * come from that map: set by {@link TollgateAdvisor}, or by the application itself.
 *
 * <p>A conversation is keyed with its user, so that one user's conversation id never reaches
 * another user's session. Calls without a conversation share one session: data read by any of them
 * then counts as read by all, which errs on the side of catching a flow.
 */
final class Sessions {
  static final String NO_CONVERSATION = "default";

  /** Enough for every live conversation of one application; the oldest are forgotten first. */
  private static final int MAX_CONVERSATIONS = 10_000;

  private final Gate gate;
  private final String defaultUser;
  private final Map<String, Slot> byConversation =
      new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Slot> eldest) {
          return size() > MAX_CONVERSATIONS;
        }
      };

  Sessions(Gate gate, String defaultUser) {
    this.gate = gate;
    this.defaultUser = defaultUser;
  }

  /** Who acts and in which session, for a call with this context ({@code null}: none). */
  record Caller(String session, String user) {}

  /**
   * The caller for a call, opening the conversation's session on its first call.
   *
   * @throws RuntimeException when the session cannot be opened (the call is then refused)
   */
  Caller of(ToolContext context) {
    Map<String, Object> c = context == null ? Map.of() : context.getContext();
    String user = text(c.get(TollgateTools.USER), defaultUser);
    String conversation =
        text(
            c.get(TollgateTools.CONVERSATION),
            text(c.get(ChatMemory.CONVERSATION_ID), NO_CONVERSATION));
    String request = text(c.get(TollgateTools.REQUEST), "");
    String key = user + '\u0000' + conversation;
    Slot slot;
    synchronized (byConversation) {
      slot = byConversation.computeIfAbsent(key, k -> new Slot());
    }
    // Opening is one call to the gate (an HTTP call for the sidecar) per new conversation: under
    // the conversation's own lock, so that two tools called at once in a new conversation share a
    // session while a slow opening holds up no other conversation. One that failed is tried again
    // by the next call.
    synchronized (slot) {
      if (slot.session == null) {
        slot.session = gate.openSession(SessionSpec.of(user, request));
      }
      return new Caller(slot.session, user);
    }
  }

  /** A conversation's session, once opened. */
  private static final class Slot {
    private String session;
  }

  private static String text(Object value, String otherwise) {
    return value == null || value.toString().isBlank() ? otherwise : value.toString();
  }
}
