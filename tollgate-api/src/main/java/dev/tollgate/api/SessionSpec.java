package dev.tollgate.api;

import java.util.Map;
import java.util.Objects;

/**
 * What opens a session: one run of an agent on one user's request.
 *
 * @param id the session id to use, or {@code null} to let Tollgate choose one
 * @param user the user on whose behalf the agent acts
 * @param request the user's own words: the trusted input of the session
 * @param task an optional declared task (free-form JSON, for example allowed tools and scope), or
 *     {@code null}
 */
public record SessionSpec(String id, String user, String request, Map<String, Object> task) {
  public SessionSpec {
    Objects.requireNonNull(user, "user");
    request = request == null ? "" : request;
    task = task == null ? Map.of() : JsonValues.freezeMap(task);
  }

  /** A session for this user and request, with an id Tollgate chooses. */
  public static SessionSpec of(String user, String request) {
    return new SessionSpec(null, user, request, null);
  }
}
