package dev.tollgate.api.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A session as stored: what opened it, and what it has gathered since.
 *
 * @param history earlier decisions, each {@code {tool, effect}}, oldest first
 * @param results the sequence number of the newest observed result, 0 before the first
 */
public record SessionRecord(
    String id,
    String agent,
    String user,
    String request,
    Map<String, Object> task,
    List<String> labels,
    List<Map<String, Object>> history,
    Instant opened,
    long results) {

  public SessionRecord {
    task = task == null ? Map.of() : task;
    labels = List.copyOf(labels);
    history = List.copyOf(history);
  }

  /** A session before any result was observed in it. */
  public SessionRecord(
      String id,
      String agent,
      String user,
      String request,
      Map<String, Object> task,
      List<String> labels,
      List<Map<String, Object>> history,
      Instant opened) {
    this(id, agent, user, request, task, labels, history, opened, 0);
  }
}
