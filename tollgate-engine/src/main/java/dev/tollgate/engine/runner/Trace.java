package dev.tollgate.engine.runner;

import dev.tollgate.api.Effect;
import java.util.List;
import java.util.Map;

/**
 * A recorded session (DESIGN.md, "Trace files"): one JSON object per line of a JSON Lines file.
 *
 * @param line the 1-based line of the trace in its file
 */
public record Trace(String id, String agent, String user, String request,
    Map<String, Object> task, List<Step> steps, int line) {

  /**
   * One recorded tool call.
   *
   * @param expected the effect the trace's author expects, or {@code null}
   */
  public record Step(String tool, Map<String, Object> args, String reason, Object result,
      Effect expected) {}
}
