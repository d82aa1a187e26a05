package dev.tollgate.json;

import dev.tollgate.api.ApprovalRef;
import dev.tollgate.api.ApprovalStatus;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Finding;
import dev.tollgate.api.Reason;
import dev.tollgate.api.ShadowOutcome;
import dev.tollgate.api.store.ApprovalRecord;
import dev.tollgate.api.store.AuditEntry;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The contract records as JSON values (maps with string keys, lists, strings, {@code Long} and
 * {@code Double} numbers, booleans), and back: the one mapping that the server, the client, the
 * store and the engine share.
 *
 * <p>Written maps leave out {@code null} fields, write an {@link Effect} as its {@link
 * Effect#wireName() wire name} and an {@link Instant} as ISO-8601, and keep the record's field
 * order, so that {@code ApiJson.write(toMap(d))} is {@code ApiJson.write(d)}: the wire form.
 * Readers take what these write (and {@link ApiJson#toJava} gives); a value of the wrong type or a
 * missing required field is refused with an {@link IllegalArgumentException} naming the field.
 */
public final class ApiRecords {
  private ApiRecords() {}

  // ---- Decision, as decide answers it ----

  /** A decision's wire form: what {@code POST /v1/decide} answers. */
  public static Map<String, Object> toMap(Decision d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", d.id());
    m.put("effect", d.effect().wireName());
    if (d.args() != null) {
      m.put("args", d.args());
    }
    m.put("reasons", reasonMaps(d.reasons()));
    m.put("findings", findingMaps(d.findings()));
    if (d.approval() != null) {
      m.put("approval", toMap(d.approval()));
    }
    if (d.grant() != null) {
      m.put("grant", d.grant());
    }
    m.put("shadow", d.shadow().stream().map(ApiRecords::toMap).toList());
    return m;
  }

  /** Reads a decision's wire form ({@link #toMap(Decision)}); missing lists are empty. */
  public static Decision decision(Map<String, ?> m) {
    return Decision.builder(
            required(m, "id", "decision"), Effect.parse(required(m, "effect", "decision")))
        .args(optionalMap(m, "args", "decision"))
        .reasons(reasons(m.get("reasons")))
        .findings(findings(m.get("findings")))
        .approval(
            m.get("approval") == null ? null : approvalRef(asMap(m.get("approval"), "approval")))
        .grant(text(m, "grant", "decision"))
        .shadow(shadow(m.get("shadow")))
        .build();
  }

  // ---- Decision, as its audit record holds it ----

  /**
   * What a decision's audit record keeps in {@code detail} beyond its own fields: the approval it
   * opened, the grant that let it through and the shadow outcomes; empty when there are none.
   */
  public static Map<String, Object> decisionDetail(Decision d) {
    if (d.approval() == null && d.grant() == null && d.shadow().isEmpty()) {
      return Map.of();
    }
    Map<String, Object> detail = new LinkedHashMap<>();
    if (d.approval() != null) {
      // in the record's order (the canonical encoding sorts keys; readers see this order)
      Map<String, Object> approval = new LinkedHashMap<>();
      approval.put("id", d.approval().id());
      approval.put("status", d.approval().status().wireName());
      approval.put("expiresAt", d.approval().expiresAt().toString());
      detail.put("approval", approval);
    }
    if (d.grant() != null) {
      detail.put("grant", d.grant());
    }
    if (d.shadow().isEmpty()) {
      return detail;
    }
    detail.put("shadow", d.shadow().stream().map(ApiRecords::toMap).toList());
    return detail;
  }

  /**
   * The decision a {@code decision} audit record holds, as decide answered it (without changed
   * arguments, which the audit never keeps).
   */
  public static Decision decision(AuditEntry e) {
    Map<String, Object> detail = e.detail();
    if (e.effect() == null) {
      throw new IllegalArgumentException("a decision record without `effect`");
    }
    return Decision.builder(e.decision(), e.effect())
        .reasons(java.util.Objects.requireNonNullElse(e.reasons(), List.of()))
        .findings(java.util.Objects.requireNonNullElse(e.findings(), List.of()))
        .approval(
            detail.get("approval") == null
                ? null
                : approvalRef(asMap(detail.get("approval"), "approval")))
        .grant(text(detail, "grant", "detail"))
        .shadow(shadow(detail.get("shadow")))
        .build();
  }

  // ---- the parts ----

  /** {@code {policy, message}}. */
  public static Map<String, Object> toMap(Reason r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("policy", r.policy());
    m.put("message", r.message());
    return m;
  }

  /** Reads {@link #toMap(Reason)}. */
  public static Reason reason(Map<String, ?> m) {
    return new Reason(required(m, "policy", "reason"), required(m, "message", "reason"));
  }

  /** {@code {detector, label, path, excerpt}}, without the null ones. */
  public static Map<String, Object> toMap(Finding f) {
    Map<String, Object> m = new LinkedHashMap<>();
    putIfSet(m, "detector", f.detector());
    putIfSet(m, "label", f.label());
    putIfSet(m, "path", f.path());
    putIfSet(m, "excerpt", f.excerpt());
    return m;
  }

  /** Reads {@link #toMap(Finding)}. */
  public static Finding finding(Map<String, ?> m) {
    return new Finding(
        text(m, "detector", "finding"),
        text(m, "label", "finding"),
        text(m, "path", "finding"),
        text(m, "excerpt", "finding"));
  }

  /** {@code {policy, effect, message}}. */
  public static Map<String, Object> toMap(ShadowOutcome s) {
    Map<String, Object> m = new LinkedHashMap<>();
    putIfSet(m, "policy", s.policy());
    putIfSet(m, "effect", s.effect() == null ? null : s.effect().wireName());
    putIfSet(m, "message", s.message());
    return m;
  }

  /** Reads {@link #toMap(ShadowOutcome)}. */
  public static ShadowOutcome shadowOutcome(Map<String, ?> m) {
    return new ShadowOutcome(
        text(m, "policy", "shadow"),
        Effect.parse(required(m, "effect", "shadow")),
        text(m, "message", "shadow"));
  }

  /** {@code {id, status, expiresAt}}, without the null ones. */
  public static Map<String, Object> toMap(ApprovalRef a) {
    Map<String, Object> m = new LinkedHashMap<>();
    putIfSet(m, "id", a.id());
    putIfSet(m, "status", a.status() == null ? null : a.status().wireName());
    putIfSet(m, "expiresAt", a.expiresAt() == null ? null : a.expiresAt().toString());
    return m;
  }

  /** Reads {@link #toMap(ApprovalRef)}. */
  public static ApprovalRef approvalRef(Map<String, ?> m) {
    return new ApprovalRef(
        text(m, "id", "approval"),
        approvalStatus(text(m, "status", "approval")),
        instant(text(m, "expiresAt", "approval"), "approval.expiresAt"));
  }

  /** Reasons as a list of {@link #toMap(Reason)}. */
  public static List<Object> reasonMaps(List<Reason> reasons) {
    List<Object> out = new ArrayList<>(reasons.size());
    reasons.forEach(r -> out.add(toMap(r)));
    return out;
  }

  /** Findings as a list of {@link #toMap(Finding)}. */
  public static List<Object> findingMaps(List<Finding> findings) {
    List<Object> out = new ArrayList<>(findings.size());
    findings.forEach(f -> out.add(toMap(f)));
    return out;
  }

  /** Reads a list of {@link #toMap(Reason)}; {@code null} is empty. */
  public static List<Reason> reasons(Object list) {
    List<Reason> out = new ArrayList<>();
    for (Object o : asList(list, "reasons")) {
      out.add(reason(asMap(o, "reasons")));
    }
    return out;
  }

  /** Reads a list of {@link #toMap(Finding)}; {@code null} is empty. */
  public static List<Finding> findings(Object list) {
    List<Finding> out = new ArrayList<>();
    for (Object o : asList(list, "findings")) {
      out.add(finding(asMap(o, "findings")));
    }
    return out;
  }

  private static List<ShadowOutcome> shadow(Object list) {
    List<ShadowOutcome> out = new ArrayList<>();
    for (Object o : asList(list, "shadow")) {
      out.add(shadowOutcome(asMap(o, "shadow")));
    }
    return out;
  }

  // ---- an approval as the store keeps it ----

  /**
   * The part of an approval that the store keeps as one JSON body: {@code args}, {@code reasons},
   * {@code findings}, {@code provenance}, {@code request}, {@code decision}, {@code fourEyes} and
   * {@code fresh}. The other fields are columns of their own.
   */
  public static Map<String, Object> approvalBody(ApprovalRecord a) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("args", a.args());
    body.put("reasons", reasonMaps(a.reasons()));
    body.put("findings", findingMaps(a.findings()));
    body.put("provenance", a.provenance());
    body.put("request", a.request());
    putIfSet(body, "decision", a.decision());
    body.put("fourEyes", a.fourEyes());
    body.put("fresh", a.fresh());
    return body;
  }

  /**
   * One person's approval: {@code {by, at, note, scope}}, its time in {@link AuditCanonical#time}
   * form (as the store writes every time) and without the null ones.
   */
  public static Map<String, Object> toMap(ApprovalRecord.Approval a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("by", a.by());
    m.put("at", AuditCanonical.time(a.at()));
    putIfSet(m, "note", a.note());
    putIfSet(m, "scope", a.scope());
    return m;
  }

  /** Reads {@link #toMap(ApprovalRecord.Approval)}. */
  public static ApprovalRecord.Approval approvalStep(Map<String, ?> m) {
    return new ApprovalRecord.Approval(
        required(m, "by", "approval step"),
        instant(required(m, "at", "approval step"), "approval step.at"),
        text(m, "note", "approval step"),
        optionalMap(m, "scope", "approval step"));
  }

  /** Reads a list of {@link #toMap(ApprovalRecord.Approval)}; {@code null} is empty. */
  public static List<ApprovalRecord.Approval> approvalSteps(Object list) {
    List<ApprovalRecord.Approval> out = new ArrayList<>();
    for (Object o : asList(list, "approvals")) {
      out.add(approvalStep(asMap(o, "approvals")));
    }
    return out;
  }

  // ---- typed access ----

  private static ApprovalStatus approvalStatus(String text) {
    return text == null
        ? null
        : Names.wire(
            text, ApprovalStatus.values(), ApprovalStatus::wireName, "`status` of an approval");
  }

  private static void putIfSet(Map<String, Object> m, String key, Object value) {
    if (value != null) {
      m.put(key, value);
    }
  }

  private static String text(Map<String, ?> m, String key, String in) {
    Object v = m.get(key);
    if (v == null || v instanceof String) {
      return (String) v;
    }
    throw new IllegalArgumentException(
        "`" + key + "` of a " + in + " must be a string, not " + kind(v));
  }

  private static String required(Map<String, ?> m, String key, String in) {
    String v = text(m, key, in);
    if (v == null) {
      throw new IllegalArgumentException("a " + in + " without `" + key + "`");
    }
    return v;
  }

  private static Map<String, Object> optionalMap(Map<String, ?> m, String key, String in) {
    Object v = m.get(key);
    if (v == null) {
      return null;
    }
    if (v instanceof Map<?, ?>) {
      return asMap(v, key);
    }
    throw new IllegalArgumentException(
        "`" + key + "` of a " + in + " must be an object, not " + kind(v));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Object v, String what) {
    if (v instanceof Map<?, ?> m) {
      for (Object k : m.keySet()) {
        if (!(k instanceof String)) {
          throw new IllegalArgumentException("`" + what + "` has a key that is not a string");
        }
      }
      return (Map<String, Object>) m;
    }
    throw new IllegalArgumentException("`" + what + "` must hold objects, not " + kind(v));
  }

  private static List<?> asList(Object v, String what) {
    if (v == null) {
      return List.of();
    }
    if (v instanceof List<?> l) {
      return l;
    }
    throw new IllegalArgumentException("`" + what + "` must be an array, not " + kind(v));
  }

  private static Instant instant(String text, String what) {
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "`" + what + "` must be an ISO-8601 instant such as 2026-12-05T09:00:00Z", e);
    }
  }

  private static String kind(Object v) {
    if (v instanceof Map<?, ?>) {
      return "an object";
    }
    if (v instanceof List<?>) {
      return "an array";
    }
    if (v instanceof String) {
      return "a string";
    }
    if (v instanceof Number) {
      return "a number";
    }
    return v instanceof Boolean ? "a boolean" : v.getClass().getSimpleName();
  }
}
