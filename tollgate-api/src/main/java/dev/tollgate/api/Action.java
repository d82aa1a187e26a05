package dev.tollgate.api;

import java.util.Map;
import java.util.Objects;

/**
 * One tool call an agent wants to make.
 *
 * <p>The agent's identity is deliberately absent: it comes from the caller's credentials or from
 * the embedding application, never from the request body.
 *
 * @param session the session the call belongs to, or {@code null} for a call outside any session
 * @param user the user on whose behalf the agent acts, or {@code null}
 * @param tool the tool's name, for example {@code email.send}; never blank
 * @param args the tool's arguments as JSON values (maps, lists, strings, numbers, booleans, nulls)
 * @param reason the agent's own explanation; untrusted text, or {@code null}
 * @param requestId a client id that makes a retried call idempotent, or {@code null}
 */
public record Action(
    String session,
    String user,
    String tool,
    Map<String, Object> args,
    String reason,
    String requestId) {

  public Action {
    Objects.requireNonNull(tool, "tool");
    if (tool.isBlank()) {
      throw new IllegalArgumentException("tool must not be blank");
    }
    args = args == null ? Map.of() : JsonValues.freezeMap(args);
  }

  /** An action with only a session, user, tool and arguments. */
  public static Action of(String session, String user, String tool, Map<String, Object> args) {
    return new Action(session, user, tool, args, null, null);
  }
}
