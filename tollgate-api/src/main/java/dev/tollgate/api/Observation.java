package dev.tollgate.api;

import java.util.Objects;

/**
 * A tool result the caller reports, so that later actions are checked against what the session has
 * read.
 *
 * @param session the session the result belongs to
 * @param tool the tool that produced it
 * @param decision the id of the decision that let the call through, or {@code null}
 * @param result the result: any JSON value (a string, a map, a list...)
 */
public record Observation(String session, String tool, String decision, Object result) {
  public Observation {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(tool, "tool");
    result = JsonValues.freeze(result);
  }
}
