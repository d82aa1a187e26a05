package dev.tollgate.langchain4j;

import dev.tollgate.api.Gate;
import dev.tollgate.api.SessionSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The Tollgate sessions of an application's conversations: one per chat memory id and user, opened
 * on the conversation's first tool call with that invocation's user message as the request. A
 * conversation keeps its session across its turns, so that data a tool returned in one turn is
 * still caught when a later turn sends it on.
 */
final class Sessions {
  /** Conversations kept; the least recently used is forgotten (its Tollgate session stays). */
  static final int MAX = 10_000;

  private final Gate gate;

  private final Map<List<String>, Slot> open =
      new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<List<String>, Slot> eldest) {
          return size() > MAX;
        }
      };

  Sessions(Gate gate) {
    this.gate = gate;
  }

  /**
   * The session of a conversation, opened now if it has none.
   *
   * @param request read only when the session is opened
   * @throws RuntimeException when the gate cannot open it (the next call tries again)
   */
  String of(Object memoryId, String user, Supplier<String> request) {
    List<String> key = List.of(String.valueOf(memoryId), user);
    Slot slot;
    synchronized (open) {
      slot = open.computeIfAbsent(key, k -> new Slot());
    }
    return slot.id(() -> gate.openSession(SessionSpec.of(user, request.get())));
  }

  /**
   * One conversation's session id, opened once: two first calls at once (tools executed
   * concurrently) wait for the same session instead of opening two. The lock is the slot's own, so
   * that a slow remote open holds up only its conversation.
   */
  private static final class Slot {
    private String id;

    synchronized String id(Supplier<String> opener) {
      if (id == null) {
        id = opener.get();
      }
      return id;
    }
  }
}
