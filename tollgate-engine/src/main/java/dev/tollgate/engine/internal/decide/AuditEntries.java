package dev.tollgate.engine.internal.decide;

import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Finding;
import dev.tollgate.api.store.AuditEntry;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The audit records the engine writes for decisions, retries, refusals, sessions and observed
 * results: the same for every way in (library, server, gateway), because only the engine writes
 * them. Every value in them is masked as the decision's reasons and findings are; arguments are
 * recorded as their digest only.
 */
public final class AuditEntries {
  private AuditEntries() {}

  /**
   * The record of a decision.
   *
   * @param digest the digest of the action's arguments
   * @param supersedes the id of a decision whose record this one overrides (the shell could not
   *     finish it after recording it), or {@code null}
   * @param trace the id of the trace the decision was reported in, or {@code null}
   */
  public static AuditEntry decision(
      Instant at,
      String agent,
      Action action,
      Decision d,
      String digest,
      long micros,
      String supersedes,
      String trace) {
    Map<String, Object> detail = decisionDetail(d);
    if (action.requestId() != null || supersedes != null || trace != null) {
      detail = new LinkedHashMap<>(detail);
      if (action.requestId() != null) {
        detail.put("requestId", action.requestId());
      }
      if (supersedes != null) {
        detail.put("supersedes", supersedes);
      }
      if (trace != null) {
        detail.put("trace", trace);
      }
    }
    return new AuditEntry(
        at,
        AuditEntry.Kind.DECISION,
        agent,
        action.user(),
        action.session(),
        action.tool(),
        d.effect(),
        d.id(),
        d.reasons(),
        d.findings(),
        digest,
        micros,
        detail);
  }

  /**
   * The record of a decision given again to a retry with its request id: it refers to the decision
   * (whose own record holds reasons and findings) and says what was answered, without counting as a
   * second decision.
   */
  public static AuditEntry retry(
      Instant at, String agent, Action action, Decision d, String digest, long micros) {
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("requestId", action.requestId());
    detail.put("effect", d.effect().wireName());
    if (d.grant() != null) {
      detail.put("grant", d.grant());
    }
    return new AuditEntry(
        at,
        AuditEntry.Kind.RETRY,
        agent,
        action.user(),
        action.session(),
        action.tool(),
        null,
        d.id(),
        List.of(),
        List.of(),
        digest,
        micros,
        detail);
  }

  /**
   * The record of a call refused before anything was decided (kind {@code rejected}).
   *
   * @param session the session id, or {@code null} when it is not a valid one (then it is not
   *     recorded: an invalid id may hold anything)
   * @param code the refusal's error code ({@code unknown_session}, ...)
   * @param field the JSON pointer of the offending part, or {@code null}
   */
  public static AuditEntry refused(
      Instant at,
      String agent,
      String user,
      String session,
      String tool,
      String decision,
      String code,
      String field) {
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("code", code);
    if (field != null) {
      detail.put("field", field);
    }
    return new AuditEntry(
        at,
        AuditEntry.Kind.REJECTED,
        agent,
        user,
        session,
        tool,
        null,
        decision,
        List.of(),
        List.of(),
        null,
        0,
        detail);
  }

  /** The record of a session opened. */
  public static AuditEntry session(Instant at, String agent, String user, String session) {
    return AuditEntry.event(
        at, AuditEntry.Kind.SESSION, agent, user, session, null, Map.of("event", "opened"));
  }

  /** The record of a tool result observed: its labels and masked findings. */
  public static AuditEntry observe(
      Instant at,
      String agent,
      String session,
      String tool,
      String decision,
      List<Finding> findings,
      List<String> labels) {
    return new AuditEntry(
        at,
        AuditEntry.Kind.OBSERVE,
        agent,
        null,
        session,
        tool,
        null,
        decision,
        List.of(),
        findings,
        null,
        0,
        Map.of("labels", labels));
  }

  /** What a decision record holds beyond the entry's fields: approval, grant and shadow. */
  public static Map<String, Object> decisionDetail(Decision d) {
    if (d.approval() == null && d.grant() == null && d.shadow().isEmpty()) {
      return Map.of();
    }
    Map<String, Object> detail = new LinkedHashMap<>();
    if (d.approval() != null) {
      detail.put(
          "approval",
          Map.of(
              "id",
              d.approval().id(),
              "status",
              d.approval().status().wireName(),
              "expiresAt",
              d.approval().expiresAt().toString()));
    }
    if (d.grant() != null) {
      detail.put("grant", d.grant());
    }
    if (d.shadow().isEmpty()) {
      return detail;
    }
    detail.put(
        "shadow",
        d.shadow().stream()
            .map(
                s -> {
                  Map<String, Object> m = new LinkedHashMap<>();
                  m.put("policy", s.policy());
                  m.put("effect", s.effect().wireName());
                  m.put("message", s.message());
                  return m;
                })
            .toList());
    return detail;
  }
}
