package dev.tollgate.server.console;

import static dev.tollgate.server.console.Html.esc;

import dev.tollgate.api.store.GrantRecord;
import dev.tollgate.engine.Approvals;
import dev.tollgate.server.http.Exchange;
import java.io.IOException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;

/** The grants page: live and recent grants, and revoking one. */
final class GrantPages {
  private final Approvals approvals;
  private final InstantSource clock;

  GrantPages(Approvals approvals, InstantSource clock) {
    this.approvals = approvals;
    this.clock = clock;
  }

  /**
   * The grants, with {@code message} on top when there is one (an error when {@code status} is).
   */
  void grants(Exchange ex, Viewer viewer, String message, int status) throws IOException {
    Instant now = clock.instant();
    StringBuilder b = new StringBuilder("<h1>Grants</h1>");
    b.append(Html.notice(message, status));
    b.append("<h2>Live</h2>");
    grantTable(b, viewer, approvals.grants(true, 200), now, "live-grants");
    b.append("<h2>Recent</h2>");
    grantTable(b, viewer, approvals.grants(false, 50), now, "recent-grants");
    Web.html(ex, status, Html.page("Grants", viewer, "/console/grants", b.toString()));
  }

  private static void grantTable(
      StringBuilder b, Viewer viewer, List<GrantRecord> grants, Instant now, String id) {
    if (grants.isEmpty()) {
      b.append("<p class=\"empty\" id=\"").append(id).append("\">None.</p>");
      return;
    }
    b.append("<table id=\"")
        .append(id)
        .append("\"><thead><tr><th>Grant</th><th>Status</th><th>For</th><th>Agent</th>")
        .append("<th>Tool</th><th>Constraint</th><th>Uses left</th><th>Expires</th>")
        .append("<th>Issued by</th><th></th></tr></thead><tbody>");
    for (GrantRecord g : grants) {
      String status = g.status(now).wireName();
      b.append("<tr><td><code>")
          .append(esc(g.id()))
          .append("</code>")
          .append(g.argsDigest() != null ? " <span class=\"tag\">exact action</span>" : "")
          .append("</td><td><span class=\"status ")
          .append(esc(status))
          .append("\">")
          .append(esc(status))
          .append("</span></td><td>")
          .append(esc(g.subjectKind().wireName() + " " + g.subject()))
          .append("</td><td>")
          .append(esc(g.agent()))
          .append("</td><td>")
          .append(esc(g.tool()))
          .append("</td><td>")
          .append(esc(g.constraint()))
          .append("</td><td>")
          .append(g.uses() == 0 ? "any" : g.usesLeft() + " of " + g.uses())
          .append("</td><td>")
          .append(esc(Web.until(g.expiresAt(), now)))
          .append("</td><td>")
          .append(esc(g.issuer()))
          .append(
              g.approval() == null
                  ? ""
                  : " (" + Html.link("/console/approvals/" + g.approval(), "approval") + ")")
          .append("</td><td>");
      if (viewer.can(Viewer.Right.REVOKE) && g.live(now)) {
        b.append("<form method=\"post\" action=\"")
            .append(esc("/console/grants/" + g.id() + "/revoke"))
            .append("\">")
            .append(Html.hidden("csrf", viewer.csrf()))
            .append("<button type=\"submit\" class=\"danger\">Revoke</button></form>");
      }
      b.append("</td></tr>");
    }
    b.append("</tbody></table>");
  }

  void revoke(Exchange ex, Viewer viewer, String id) throws IOException {
    try {
      GrantRecord g = approvals.revoke(id, viewer.name());
      grants(ex, viewer, "Revoked " + g.id() + ": the next decision no longer sees it.", 200);
    } catch (Approvals.ApprovalException e) {
      grants(ex, viewer, e.getMessage(), e.status());
    }
  }
}
