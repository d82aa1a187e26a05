package dev.tollgate.engine;

import dev.tollgate.api.Action;
import dev.tollgate.api.store.ApprovalRecord;
import dev.tollgate.api.store.GrantRecord;
import dev.tollgate.api.store.GrantStore;
import dev.tollgate.engine.Approvals.ApprovalException;
import dev.tollgate.engine.Approvals.Scope;
import dev.tollgate.engine.internal.decide.Constraints;
import dev.tollgate.engine.internal.decide.Ids;
import dev.tollgate.json.ClientText;
import dev.tollgate.json.Names;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The rules of grants, apart from the approvals' lifecycle: which live grant lets an action through
 * (tool pattern, exact arguments, fresh-only asks, constraint), which grant approving issues for an
 * approval and the approver's scope, and the checks that refuse an invalid scope.
 */
final class GrantRules {
  private final Constraints constraints;

  GrantRules(Constraints constraints) {
    this.constraints = constraints;
  }

  /**
   * Uses the first live grant that covers {@code action} and returns it, or returns {@code null}
   * when none does. The policy facts are computed only when a grant has a constraint.
   */
  GrantRecord use(
      GrantStore grants,
      String agent,
      Action action,
      boolean freshOnly,
      Supplier<Map<String, Object>> facts,
      Supplier<String> digest,
      Instant now) {
    Map<String, Object> resolved = null;
    for (GrantRecord g : grants.candidates(agent, action.session(), action.user(), now)) {
      if (!constraints.glob(g.tool()).matches(action.tool())) {
        continue;
      }
      if (g.argsDigest() != null && !g.argsDigest().equals(digest.get())) {
        continue;
      }
      if (freshOnly && (g.argsDigest() == null || g.uses() != 1)) {
        continue;
      }
      if (g.constraint() != null) {
        if (resolved == null) {
          resolved = facts.get();
        }
        if (!constraints.holds(g.constraint(), resolved)) {
          continue;
        }
      }
      if (grants.use(g.id(), now)) {
        return g;
      }
    }
    return null;
  }

  /** A scope as stored with an approval: {@code null} for exactly the approved action once. */
  static Map<String, Object> scopeMap(Scope s) {
    if (s.equals(Scope.exact())) {
      return null;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    if (s.subjectKind() != null) {
      m.put("subject", s.subjectKind().wireName());
    }
    if (s.tool() != null) {
      m.put("tool", s.tool());
    }
    if (s.ttl() != null) {
      m.put("ttlSeconds", s.ttl().toSeconds());
    }
    m.put("uses", (long) s.uses());
    if (s.constraint() != null) {
      m.put("constraint", s.constraint());
    }
    return m;
  }

  /** The scope stored with an approval. */
  static Scope scopeOf(Map<String, Object> m) {
    if (m == null) {
      return Scope.exact();
    }
    return new Scope(
        m.get("subject") == null
            ? null
            : Names.wire(
                (String) m.get("subject"),
                GrantRecord.SubjectKind.values(),
                GrantRecord.SubjectKind::wireName,
                "grant subject in a stored approval scope"),
        (String) m.get("tool"),
        m.get("ttlSeconds") instanceof Number n ? Duration.ofSeconds(n.longValue()) : null,
        m.get("uses") instanceof Number n ? n.intValue() : 0,
        (String) m.get("constraint"));
  }

  GrantRecord issue(ApprovalRecord a, String approver, Scope scope, String note, Instant now)
      throws ApprovalException {
    String id = Ids.unguessable("grt_", now.toEpochMilli());
    String reason = note == null ? "" : note.strip();
    if (a.kind() == ApprovalRecord.Kind.GRANT) {
      // A grant asked for ahead of time: what was asked, unless the approver narrows it.
      Map<String, Object> r = a.request();
      Duration ttl =
          scope.ttl() != null
              ? validTtl(scope.ttl())
              : Duration.ofSeconds(((Number) r.getOrDefault("ttlSeconds", 900L)).longValue());
      int uses = scope.isExact() ? ((Number) r.getOrDefault("uses", 0L)).intValue() : scope.uses();
      String constraint =
          scope.constraint() != null
              ? validConstraint(scope.constraint())
              : (String) r.get("constraint");
      return grant(id, a, null, constraint, now.plus(ttl), uses, approver, reason, now);
    }
    if (scope.isExact()) {
      return grant(
          id,
          a,
          a.argsDigest(),
          null,
          now.plus(Duration.ofMinutes(Approvals.EXACT_GRANT_MINUTES)),
          1,
          approver,
          reason,
          now);
    }
    if (a.fresh()) {
      throw new ApprovalException(
          400,
          "fresh_only",
          "the policy asks for a fresh approval every time: approve exactly this action, without a"
              + " wider scope");
    }
    GrantRecord.SubjectKind kind =
        scope.subjectKind() == null ? GrantRecord.SubjectKind.SESSION : scope.subjectKind();
    String subject =
        switch (kind) {
          case AGENT -> a.agent();
          case SESSION -> a.session();
          case USER -> a.user();
        };
    if (subject == null) {
      throw new ApprovalException(
          400,
          "invalid_scope",
          "this action has no "
              + kind.wireName()
              + ": choose another subject (agent, session or user)");
    }
    String tool = scope.tool() == null ? a.tool() : validTool(scope.tool());
    if (!constraints.glob(tool).matches(a.tool())) {
      throw new ApprovalException(
          400,
          "invalid_scope",
          "the tool pattern `"
              + ClientText.shown(tool)
              + "` does not cover the approved tool `"
              + a.tool()
              + "`");
    }
    Duration ttl =
        scope.ttl() == null
            ? Duration.ofMinutes(Approvals.EXACT_GRANT_MINUTES)
            : validTtl(scope.ttl());
    if (scope.uses() < 0) {
      throw new ApprovalException(400, "invalid_scope", "uses must be 0 (unlimited) or more");
    }
    return new GrantRecord(
        id,
        kind,
        subject,
        a.agent(),
        tool,
        null,
        validConstraint(scope.constraint()),
        now.plus(ttl),
        scope.uses(),
        scope.uses(),
        approver,
        reason,
        a.id(),
        now,
        null,
        null);
  }

  /**
   * A grant for the approval's own session, or its agent when it has none: what an exact approval
   * and a grant asked for ahead of time are scoped to.
   */
  private static GrantRecord grant(
      String id,
      ApprovalRecord a,
      String argsDigest,
      String constraint,
      Instant expires,
      int uses,
      String approver,
      String reason,
      Instant now) {
    boolean session = a.session() != null;
    return new GrantRecord(
        id,
        session ? GrantRecord.SubjectKind.SESSION : GrantRecord.SubjectKind.AGENT,
        session ? a.session() : a.agent(),
        a.agent(),
        a.tool(),
        argsDigest,
        constraint,
        expires,
        uses,
        uses,
        approver,
        reason,
        a.id(),
        now,
        null,
        null);
  }

  static Duration validTtl(Duration ttl) throws ApprovalException {
    if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(Approvals.MAX_GRANT_TTL) > 0) {
      throw new ApprovalException(
          400,
          "invalid_scope",
          "a grant lasts between 1 second and "
              + Approvals.MAX_GRANT_TTL.toHours()
              + " hours, not "
              + ttl);
    }
    return ttl;
  }

  String validTool(String tool) throws ApprovalException {
    if (tool == null || tool.isBlank() || tool.length() > 200) {
      throw new ApprovalException(400, "invalid_scope", "a tool name or pattern is required");
    }
    try {
      constraints.glob(tool);
    } catch (IllegalArgumentException e) {
      throw new ApprovalException(
          400,
          "invalid_scope",
          "invalid tool pattern `" + ClientText.shown(tool) + "`: " + e.getMessage());
    }
    return tool;
  }

  String validConstraint(String constraint) throws ApprovalException {
    if (constraint == null || constraint.isBlank()) {
      return null;
    }
    try {
      constraints.compile(constraint);
    } catch (IllegalArgumentException e) {
      throw new ApprovalException(
          400,
          "invalid_scope",
          "invalid constraint: " + e.getMessage().lines().findFirst().orElse(""));
    }
    return constraint;
  }
}
