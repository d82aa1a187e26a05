package dev.tollgate.server.console;

import static dev.tollgate.server.console.Html.esc;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.tollgate.api.ApprovalStatus;
import dev.tollgate.api.Finding;
import dev.tollgate.api.Reason;
import dev.tollgate.api.store.ApprovalRecord;
import dev.tollgate.api.store.GrantRecord;
import dev.tollgate.engine.Approvals;
import dev.tollgate.json.ApiJson;
import dev.tollgate.json.Names;
import dev.tollgate.server.http.Exchange;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The approvals inbox, and one approval as a person reads it and decides it. */
final class Pages {
  private final Approvals approvals;
  private final InstantSource clock;

  Pages(Approvals approvals, InstantSource clock) {
    this.approvals = approvals;
    this.clock = clock;
  }

  String inbox(Viewer viewer) {
    Instant now = clock.instant();
    StringBuilder b = new StringBuilder();
    b.append("<h1>Approvals waiting</h1>")
        .append("<p class=\"live\" id=\"live\">Live updates connect when the page has loaded.</p>")
        .append("<table id=\"inbox\" data-src=\"/console/approvals/rows\"><thead><tr>")
        .append("<th>Tool</th><th>Agent</th><th>User</th><th>Why</th><th>Expires in</th>")
        .append("</tr></thead><tbody>")
        .append(inboxRows())
        .append("</tbody></table>");
    List<ApprovalRecord> decided =
        approvals.list(null, 50).stream()
            .filter(a -> a.status() != ApprovalStatus.PENDING)
            .toList();
    b.append("<h2>Recently decided</h2>");
    if (decided.isEmpty()) {
      b.append("<p class=\"empty\">Nothing decided yet.</p>");
    } else {
      b.append("<table><thead><tr><th>Tool</th><th>Agent</th><th>User</th><th>Status</th>")
          .append("<th>By</th><th>When</th></tr></thead><tbody>");
      for (ApprovalRecord a : decided) {
        b.append("<tr><td>")
            .append(Html.link("/console/approvals/" + a.id(), a.tool()))
            .append("</td><td>")
            .append(esc(a.agent()))
            .append("</td><td>")
            .append(esc(a.user()))
            .append("</td><td><span class=\"status ")
            .append(esc(a.status().wireName()))
            .append("\">")
            .append(esc(a.status().wireName()))
            .append("</span></td><td>")
            .append(esc(a.decidedBy()))
            .append("</td><td>")
            .append(esc(Web.ago(a.decidedAt() != null ? a.decidedAt() : a.expiresAt(), now)))
            .append("</td></tr>");
      }
      b.append("</tbody></table>");
    }
    return Html.page("Approvals", viewer, "/console/approvals", b.toString());
  }

  /** The rows of the inbox, also fetched by the page's script when an event arrives. */
  String inboxRows() {
    Instant now = clock.instant();
    List<ApprovalRecord> pending = approvals.list(ApprovalStatus.PENDING, 200);
    if (pending.isEmpty()) {
      return "<tr class=\"empty\"><td colspan=\"5\">Nothing is waiting for a decision.</td></tr>";
    }
    StringBuilder b = new StringBuilder();
    for (ApprovalRecord a : pending) {
      b.append("<tr class=\"pending\" data-id=\"")
          .append(esc(a.id()))
          .append("\"><td>")
          .append(Html.link("/console/approvals/" + a.id(), a.tool()))
          .append(
              a.kind() == ApprovalRecord.Kind.GRANT
                  ? " <span class=\"tag\">grant request</span>"
                  : "")
          .append("</td><td>")
          .append(esc(a.agent()))
          .append("</td><td>")
          .append(esc(a.user()))
          .append("</td><td>")
          .append(esc(why(a.reasons())))
          .append("</td><td><span data-expires=\"")
          .append(a.expiresAt().toEpochMilli())
          .append("\">")
          .append(esc(Web.until(a.expiresAt(), now)))
          .append("</span></td></tr>");
    }
    return b.toString();
  }

  private static String why(List<Reason> reasons) {
    return reasons.stream()
        .map(r -> r.message().isBlank() ? r.policy() : r.policy() + ": " + r.message())
        .collect(Collectors.joining("; "));
  }

  void approval(Exchange ex, Viewer viewer, String id) throws IOException, Web.Refusal {
    ApprovalRecord a = find(id);
    Web.html(ex, 200, approvalPage(viewer, a, null, null));
  }

  void approve(Exchange ex, Viewer viewer, String id, Map<String, String> form)
      throws IOException, Web.Refusal {
    ApprovalRecord a = find(id);
    String note = blankToNull(form.get("note"));
    try {
      Approvals.Scope scope = scope(form);
      ApprovalRecord done = approvals.approve(id, viewer.name(), scope, note);
      String said =
          done.grant() != null
              ? "Approved. Grant " + done.grant() + " lets the agent retry."
              : "Approved (1 of 2). Four eyes: a second person must approve it before the agent"
                  + " may go ahead.";
      Web.html(ex, 200, approvalPage(viewer, done, said, null));
    } catch (Approvals.ApprovalException e) {
      Web.html(ex, e.status(), approvalPage(viewer, current(a), null, problem(e)));
    } catch (BadScope e) {
      Web.html(ex, 400, approvalPage(viewer, current(a), null, "Invalid scope: " + e.getMessage()));
    }
  }

  void deny(Exchange ex, Viewer viewer, String id, Map<String, String> form)
      throws IOException, Web.Refusal {
    ApprovalRecord a = find(id);
    try {
      ApprovalRecord done = approvals.deny(id, viewer.name(), blankToNull(form.get("note")));
      Web.html(ex, 200, approvalPage(viewer, done, "Denied. The agent is told your reason.", null));
    } catch (Approvals.ApprovalException e) {
      Web.html(ex, e.status(), approvalPage(viewer, current(a), null, problem(e)));
    }
  }

  private ApprovalRecord current(ApprovalRecord a) {
    return approvals.get(a.id()).orElse(a);
  }

  /**
   * Approvals' own message, which states the rule that refused (four eyes, a scope's subject...),
   * after a few words of context where the message alone would not give it.
   */
  private static String problem(Approvals.ApprovalException e) {
    return switch (e.code()) {
          case "expired" -> "Too late: this approval has expired. ";
          case "already_decided" -> "Someone already decided this approval. ";
          case "invalid_scope" -> "Invalid scope: ";
          default -> "";
        }
        + e.getMessage();
  }

  private static Approvals.Scope scope(Map<String, String> form)
      throws Approvals.ApprovalException, BadScope {
    if ("confirm".equals(form.get("mode"))) {
      return null; // the second of four eyes agrees to the first approver's scope
    }
    if (!"scope".equals(form.get("mode"))) {
      return Approvals.Scope.exact();
    }
    // The subject is one of the typed kinds; Approvals checks the rest of the scope.
    GrantRecord.SubjectKind subject;
    try {
      subject =
          Names.wire(
              form.getOrDefault("subject", "").strip(),
              GrantRecord.SubjectKind.values(),
              GrantRecord.SubjectKind::wireName,
              "subject");
    } catch (IllegalArgumentException e) {
      throw new BadScope(e.getMessage());
    }
    String tool = form.getOrDefault("tool", "").strip();
    Duration ttl = Approvals.duration(form.getOrDefault("ttl", "").strip());
    int uses;
    try {
      uses = Integer.parseInt(form.getOrDefault("uses", "").strip());
    } catch (NumberFormatException e) {
      throw new BadScope("uses must be a whole number (0 for any number until it expires)");
    }
    return new Approvals.Scope(subject, tool, ttl, uses, blankToNull(form.get("constraint")));
  }

  /** A scope the form got wrong, before Approvals sees it. */
  private static final class BadScope extends Exception {
    private static final long serialVersionUID = 1L;

    BadScope(String message) {
      super(message);
    }
  }

  private ApprovalRecord find(String id) throws Web.Refusal {
    return approvals
        .get(id)
        .orElseThrow(() -> new Web.Refusal(404, "Not found", "There is no approval with this id."));
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  private String approvalPage(Viewer viewer, ApprovalRecord a, String done, String error) {
    Instant now = clock.instant();
    String status = a.status(now).wireName();
    StringBuilder b = new StringBuilder();
    b.append("<p><a href=\"/console/approvals\">← Approvals</a></p>")
        .append("<h1>")
        .append(esc(a.tool()))
        .append(" <span class=\"status ")
        .append(esc(status))
        .append("\" id=\"status\">")
        .append(esc(status))
        .append("</span></h1>");
    if (done != null) {
      b.append("<p class=\"ok\" id=\"done\">").append(esc(done)).append("</p>");
    }
    if (error != null) {
      b.append("<p class=\"error\" id=\"error\">").append(esc(error)).append("</p>");
    }
    b.append("<dl class=\"facts\">");
    fact(
        b,
        "Kind",
        switch (a.kind()) {
          case GRANT -> "grant request (ahead of time)";
          case ACTION -> "action";
        });
    fact(b, "Tool", a.tool());
    fact(b, "Agent", a.agent());
    fact(b, "User", a.user() == null ? "(none)" : a.user());
    fact(b, "Session", a.session() == null ? "(none)" : a.session());
    fact(b, "Opened", a.created() + " (" + Web.ago(a.created(), now) + ")");
    fact(b, "Expires", a.expiresAt() + " (" + Web.until(a.expiresAt(), now) + ")");
    if (a.decision() != null) {
      fact(b, "Decision", a.decision());
    }
    if (a.decidedBy() != null) {
      fact(b, "Decided by", a.decidedBy() + " at " + a.decidedAt());
    }
    if (a.note() != null) {
      fact(b, "Note", a.note());
    }
    if (a.grant() != null) {
      fact(b, "Grant", a.grant());
    }
    fact(
        b,
        "Four eyes",
        a.fourEyes()
            ? "yes: two different people must approve it, neither of them the user"
            : "no");
    if (!a.approvals().isEmpty() || a.fourEyes()) {
      StringBuilder who = new StringBuilder();
      who.append(a.approvals().size()).append(" of ").append(a.approvalsNeeded());
      for (ApprovalRecord.Approval step : a.approvals()) {
        who.append("; ")
            .append(step.by())
            .append(" at ")
            .append(step.at())
            .append(step.note() == null ? "" : " (" + step.note() + ")");
      }
      b.append("<dt>Approvals</dt><dd id=\"approvals\">")
          .append(esc(who.toString()))
          .append("</dd>");
    }
    b.append("</dl>");

    b.append("<h2>Why it was flagged</h2><ul class=\"reasons\">");
    for (Reason r : a.reasons()) {
      b.append("<li><code>")
          .append(esc(r.policy()))
          .append("</code> ")
          .append(esc(r.message()))
          .append("</li>");
    }
    if (a.reasons().isEmpty()) {
      b.append("<li>(no reason recorded)</li>");
    }
    b.append("</ul>");

    if (!a.request().isEmpty()) {
      b.append("<h2>What the agent asks for</h2><pre class=\"json\">")
          .append(esc(pretty(a.request())))
          .append("</pre>");
    }

    arguments(b, a);
    findings(b, a.findings());
    provenance(b, a.provenance());

    if (a.status(now) == ApprovalStatus.PENDING) {
      decideForms(b, viewer, a);
    }
    return Html.page("Approval " + a.tool(), viewer, "/console/approvals", b.toString());
  }

  private static void decideForms(StringBuilder b, Viewer viewer, ApprovalRecord a) {
    String base = "/console/approvals/" + a.id();
    b.append("<h2>Decide</h2><div class=\"decide\">");
    if (a.fourEyes() && !a.approvals().isEmpty()) {
      secondForm(b, viewer, a, base);
    } else {
      approveForms(b, viewer, a, base);
    }
    denyForm(b, viewer, base);
    b.append("</div>");
  }

  /** Four eyes after the first approval: the second person agrees to its scope, or denies. */
  private static void secondForm(StringBuilder b, Viewer viewer, ApprovalRecord a, String base) {
    ApprovalRecord.Approval first = a.approvals().getFirst();
    String scope = Approvals.describe(Approvals.firstScope(a));
    if (first.by().equalsIgnoreCase(viewer.name())) {
      b.append("<p class=\"hint\" id=\"second-needed\">You approved ")
          .append(esc(scope))
          .append(". Four eyes: a second person must approve it too.</p>");
      return;
    }
    b.append("<form method=\"post\" action=\"")
        .append(esc(base + "/approve"))
        .append("\" class=\"approve-second\">")
        .append(Html.hidden("csrf", viewer.csrf()))
        .append(Html.hidden("mode", "confirm"))
        .append("<h3>Approve as the second person</h3><p>")
        .append(esc(first.by()))
        .append(" approved ")
        .append(esc(scope))
        .append(". Your approval issues that grant.</p>")
        .append("<label>Note <input name=\"note\"></label>")
        .append("<button type=\"submit\" id=\"approve-second\">Approve</button></form>");
  }

  private static void approveForms(StringBuilder b, Viewer viewer, ApprovalRecord a, String base) {
    if (a.fourEyes()) {
      b.append("<p class=\"hint\" id=\"four-eyes\">Four eyes: your approval is the first of two;")
          .append(" a second person must approve the same scope.</p>");
    }
    b.append("<form method=\"post\" action=\"")
        .append(esc(base + "/approve"))
        .append("\" class=\"approve-exact\">")
        .append(Html.hidden("csrf", viewer.csrf()))
        .append(Html.hidden("mode", "exact"))
        .append("<h3>Approve exactly this action</h3><p>One use, for ")
        .append(Approvals.EXACT_GRANT_MINUTES)
        .append(" minutes, these arguments only.</p>")
        .append("<label>Note <input name=\"note\"></label>")
        .append("<button type=\"submit\" id=\"approve-exact\">Approve</button></form>");
    if (a.fresh()) {
      b.append("<p class=\"hint\">The policy asks for a fresh approval each time: only this exact")
          .append(" action can be approved.</p>");
    } else {
      String subject = a.session() != null ? "session" : "agent";
      String ttl = a.request().get("ttlSeconds") instanceof Number n ? n.longValue() + "s" : "15m";
      String uses = a.request().get("uses") instanceof Number n ? n.toString() : "1";
      b.append("<form method=\"post\" action=\"")
          .append(esc(base + "/approve"))
          .append("\" class=\"approve-scope\" id=\"scope-form\">")
          .append(Html.hidden("csrf", viewer.csrf()))
          .append(Html.hidden("mode", "scope"))
          .append("<h3>Approve with a scope</h3><label>For this <select name=\"subject\"")
          .append(" id=\"subject\">");
      for (String s : List.of("session", "agent", "user")) {
        b.append("<option value=\"")
            .append(s)
            .append('"')
            .append(s.equals(subject) ? " selected" : "")
            .append('>')
            .append(s)
            .append("</option>");
      }
      b.append("</select></label><label>Tool or pattern <input name=\"tool\" id=\"tool\" value=\"")
          .append(esc(a.tool()))
          .append("\"></label><label>For <input name=\"ttl\" id=\"ttl\" value=\"")
          .append(esc(ttl))
          .append("\" size=\"6\"> (like 15m, 2h)</label><label>Uses <input name=\"uses\"")
          .append(" id=\"uses\" type=\"number\" min=\"0\" value=\"")
          .append(esc(uses))
          .append("\"> (0: any number until it expires)</label>")
          .append("<label>Constraint (CEL, optional) <input name=\"constraint\" id=\"constraint\"")
          .append(" value=\"")
          .append(esc(a.request().getOrDefault("constraint", "")))
          .append("\"></label><label>Note <input name=\"note\"></label>")
          .append("<button type=\"submit\" id=\"approve-scope\">Approve with this scope</button>")
          .append("</form>");
    }
  }

  private static void denyForm(StringBuilder b, Viewer viewer, String base) {
    b.append("<form method=\"post\" action=\"")
        .append(esc(base + "/deny"))
        .append("\" class=\"deny\">")
        .append(Html.hidden("csrf", viewer.csrf()))
        .append("<h3>Deny</h3><label>Reason (the agent is told) <input name=\"note\"")
        .append(" id=\"deny-note\"></label>")
        .append("<button type=\"submit\" id=\"deny\" class=\"danger\">Deny</button></form>");
  }

  /**
   * The arguments as stored (flagged values already masked by the engine), each row with what was
   * found in it and, for a control argument, where its value came from.
   */
  private static void arguments(StringBuilder b, ApprovalRecord a) {
    b.append("<h2>Arguments</h2>");
    if (a.args().isEmpty()) {
      b.append("<p class=\"empty\">(none)</p>");
      return;
    }
    b.append("<table class=\"args\" id=\"args\"><thead><tr><th>Argument</th><th>Value</th>")
        .append("<th>Found</th><th>Came from</th></tr></thead><tbody>");
    for (Map.Entry<String, Object> arg : a.args().entrySet()) {
      List<Finding> flagged = findingsFor(a.findings(), arg.getKey());
      b.append("<tr data-arg=\"")
          .append(esc(arg.getKey()))
          .append('"')
          .append(flagged.isEmpty() ? "" : " class=\"flagged\"")
          .append("><th>")
          .append(esc(arg.getKey()))
          .append("</th><td><pre class=\"json\">")
          .append(esc(pretty(arg.getValue())))
          .append("</pre></td><td>");
      for (Finding f : flagged) {
        b.append("<span class=\"finding\">")
            .append(esc(f.detector()))
            .append(" (")
            .append(esc(f.label()))
            .append("): <span class=\"masked\">")
            .append(esc(f.excerpt()))
            .append("</span></span> ");
      }
      b.append("</td><td>");
      Object from = a.provenance().get(arg.getKey());
      if (from != null) {
        b.append(originBadge(origin(from)));
      }
      b.append("</td></tr>");
    }
    b.append("</tbody></table><p class=\"hint\">Values found sensitive are shown masked.</p>");
  }

  /** Every finding: which detector, which label, where, and the masked excerpt. */
  private static void findings(StringBuilder b, List<Finding> findings) {
    b.append("<h2>Sensitive data found</h2>");
    if (findings.isEmpty()) {
      b.append("<p class=\"empty\" id=\"findings\">No detector fired on these arguments.</p>");
      return;
    }
    b.append("<table class=\"findings\" id=\"findings\"><thead><tr><th>Detector</th>")
        .append("<th>Label</th><th>Where</th><th>Excerpt (masked)</th></tr></thead><tbody>");
    for (Finding f : findings) {
      b.append("<tr><td>")
          .append(esc(f.detector()))
          .append("</td><td>")
          .append(esc(f.label()))
          .append("</td><td><code>")
          .append(esc(f.path()))
          .append("</code></td><td><span class=\"masked\">")
          .append(esc(f.excerpt()))
          .append("</span></td></tr>");
    }
    b.append("</tbody></table>");
  }

  /**
   * For each control argument, the weakest origin of its values (request, trusted, none,
   * untrusted), what that means, and the tools whose results held them.
   */
  private static void provenance(StringBuilder b, Map<String, Object> provenance) {
    b.append("<h2>Where the control arguments came from</h2>");
    if (provenance.isEmpty()) {
      b.append("<p class=\"unknown\" id=\"provenance\">Not known: the tool has no control")
          .append(" arguments in this action, or the action was outside a session (nothing to")
          .append(" compare with).</p>");
      return;
    }
    b.append("<table class=\"provenance\" id=\"provenance\"><thead><tr><th>Argument</th>")
        .append("<th>Origin</th><th>Meaning</th><th>Seen in results of</th></tr></thead><tbody>");
    for (Map.Entry<String, Object> p : provenance.entrySet()) {
      String origin = origin(p.getValue());
      List<String> origins = strings(p.getValue(), "origins");
      b.append("<tr data-arg=\"")
          .append(esc(p.getKey()))
          .append("\"><th>")
          .append(esc(p.getKey()))
          .append("</th><td>")
          .append(originBadge(origin));
      if (origins.size() > 1) {
        b.append(" <span class=\"hint\">(its values: ")
            .append(esc(String.join(", ", origins)))
            .append(")</span>");
      }
      b.append("</td><td>")
          .append(esc(meaning(origin)))
          .append("</td><td>")
          .append(esc(String.join(", ", strings(p.getValue(), "sources"))))
          .append("</td></tr>");
    }
    b.append("</tbody></table>");
  }

  /** The origin of one provenance entry ({@code {origin, origins, sources}}), or the entry. */
  private static String origin(Object entry) {
    return entry instanceof Map<?, ?> m && m.get("origin") != null
        ? m.get("origin").toString()
        : compact(entry);
  }

  private static List<String> strings(Object entry, String key) {
    if (entry instanceof Map<?, ?> m && m.get(key) instanceof List<?> list) {
      return list.stream().map(String::valueOf).toList();
    }
    return List.of();
  }

  private static String originBadge(String origin) {
    String known =
        switch (origin) {
          case "request", "trusted", "none", "untrusted" -> origin;
          default -> "other";
        };
    return "<span class=\"origin "
        + known
        + "\" data-origin=\""
        + esc(origin)
        + "\">"
        + esc(origin)
        + "</span>";
  }

  private static String meaning(String origin) {
    return switch (origin) {
      case "request" -> "named in the user's own request or task";
      case "trusted" -> "found in a result of the company's own (trusted) systems";
      case "none" ->
          "seen nowhere: neither the user nor any result named it; the agent produced it";
      case "untrusted" ->
          "found in an untrusted result (a web page, inbound mail, a document): it may have been"
              + " planted there";
      default -> "";
    };
  }

  private static List<Finding> findingsFor(List<Finding> findings, String arg) {
    List<Finding> out = new ArrayList<>();
    String pointer = "/args/" + arg.replace("~", "~0").replace("/", "~1");
    for (Finding f : findings) {
      String p = f.path() == null ? "" : f.path();
      if (p.equals(pointer) || p.startsWith(pointer + "/")) {
        out.add(f);
      }
    }
    return out;
  }

  private static void fact(StringBuilder b, String name, String value) {
    b.append("<dt>").append(esc(name)).append("</dt><dd>").append(esc(value)).append("</dd>");
  }

  static String pretty(Object value) {
    try {
      return ApiJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      return String.valueOf(value);
    }
  }

  static String compact(Object value) {
    if (value instanceof String s) {
      return s;
    }
    try {
      return ApiJson.mapper().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      return String.valueOf(value);
    }
  }
}
