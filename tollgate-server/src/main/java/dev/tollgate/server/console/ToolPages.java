package dev.tollgate.server.console;

import static dev.tollgate.server.console.Html.esc;

import dev.tollgate.api.store.ToolPinRecord;
import dev.tollgate.engine.ToolPins;
import dev.tollgate.server.http.Exchange;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The MCP tool definitions the gateways pinned: those waiting for a person first (changed since
 * they were accepted, or flagged at first sight), with why and what changed, then the accepted and
 * the superseded ones. A gateway hides a waiting or superseded definition's tool until it is
 * accepted here; admins accept, approvers and auditors see.
 */
final class ToolPages {
  private final ToolPins pins;

  ToolPages(ToolPins pins) {
    this.pins = pins;
  }

  /**
   * The definitions, with {@code message} on top when there is one (an error when {@code status}
   * is).
   */
  void list(Exchange ex, Viewer viewer, String message, int status) throws IOException {
    StringBuilder b = new StringBuilder("<h1>Tool definitions</h1>");
    b.append(Html.notice(message, status));
    b.append(
        "<p>The MCP gateway pins the first definition it sees of each server's tool. A tool"
            + " whose server changes its definition, or whose definition carries instructions to"
            + " the model or the name of another server's tool, is hidden from the client and"
            + " refused until a person accepts that definition here; the acceptance holds on"
            + " every server sharing the store.</p>");
    List<ToolPinRecord> all = pins.list();
    b.append("<h2>Waiting for a person</h2>");
    table(b, viewer, all, ToolPinRecord.Status.PENDING, "pending-tools");
    b.append("<h2>Accepted</h2>");
    table(b, viewer, all, ToolPinRecord.Status.ACCEPTED, "accepted-tools");
    b.append("<h2>Superseded</h2>");
    table(b, viewer, all, ToolPinRecord.Status.SUPERSEDED, "superseded-tools");
    Web.html(ex, status, Html.page("Tools", viewer, "/console/tools", b.toString()));
  }

  private void table(
      StringBuilder b,
      Viewer viewer,
      List<ToolPinRecord> all,
      ToolPinRecord.Status status,
      String id) {
    List<ToolPinRecord> shown = all.stream().filter(p -> p.status() == status).toList();
    if (shown.isEmpty()) {
      b.append("<p class=\"empty\" id=\"").append(id).append("\">None.</p>");
      return;
    }
    // An accepted definition is the one in use: there is nothing to accept.
    boolean acceptable =
        status != ToolPinRecord.Status.ACCEPTED && viewer.can(Viewer.Right.ACCEPT_TOOLS);
    b.append("<table id=\"")
        .append(id)
        .append("\"><thead><tr><th>Agent</th><th>Tool</th><th>Fingerprint</th><th>Seen</th>")
        .append("<th>Accepted by</th><th>Definition</th><th></th></tr></thead><tbody>");
    for (ToolPinRecord p : shown) {
      b.append("<tr data-fingerprint=\"")
          .append(esc(p.fingerprint()))
          .append("\"><td>")
          .append(esc(p.agent()))
          .append("</td><td><code>")
          .append(esc(p.shownName()))
          .append("</code></td><td><code title=\"")
          .append(esc(p.fingerprint()))
          .append("\">")
          .append(esc(shortFingerprint(p.fingerprint())))
          .append("</code></td><td>")
          .append(esc(p.seenAt()))
          .append("</td><td>")
          .append(p.decidedBy() == null ? "" : esc(p.decidedBy() + " at " + p.decidedAt()))
          .append("</td><td>");
      definition(
          b,
          p,
          status == ToolPinRecord.Status.ACCEPTED ? Optional.empty() : pins.acceptedBeside(p, all));
      b.append("</td><td>");
      if (acceptable) {
        b.append("<form method=\"post\" action=\"/console/tools/accept\">")
            .append(Html.hidden("csrf", viewer.csrf()))
            .append(Html.hidden("agent", p.agent()))
            .append(Html.hidden("server", p.server()))
            .append(Html.hidden("tool", p.tool()))
            .append(Html.hidden("fingerprint", p.fingerprint()))
            .append("<button type=\"submit\">Accept</button></form>");
      }
      b.append("</td></tr>");
    }
    b.append("</tbody></table>");
  }

  /**
   * {@code sha256:} and the first 12 hex digits: enough to tell definitions apart, and a prefix
   * {@code tollgate tools accept --fingerprint} takes.
   */
  static String shortFingerprint(String fingerprint) {
    int end = "sha256:".length() + 12;
    return fingerprint.length() > end ? fingerprint.substring(0, end) : fingerprint;
  }

  /**
   * The concerns, then what changed from the accepted definition (lines marked added and removed)
   * or, when there is none to compare with, the definition itself.
   */
  private static void definition(
      StringBuilder b, ToolPinRecord p, Optional<ToolPinRecord> accepted) {
    if (!p.concerns().isEmpty()) {
      b.append("<ul class=\"concerns\">");
      for (String concern : p.concerns()) {
        b.append("<li>").append(esc(concern)).append("</li>");
      }
      b.append("</ul>");
    }
    if (accepted.isEmpty()) {
      b.append("<details><summary>Definition</summary><pre class=\"json\">")
          .append(esc(p.definition()))
          .append("</pre></details>");
      return;
    }
    b.append("<p class=\"hint\">Changed from the accepted <code title=\"")
        .append(esc(accepted.get().fingerprint()))
        .append("\">")
        .append(esc(shortFingerprint(accepted.get().fingerprint())))
        .append("</code>:</p><pre class=\"diff\">");
    // Each line a block of its own (no newline between them): a marked line's colour spans the
    // width, and the text still copies one line per line.
    for (String line : ToolPins.diff(accepted.get().definition(), p.definition())) {
      String cls = line.startsWith("+ ") ? "add" : line.startsWith("- ") ? "del" : "same";
      b.append("<span class=\"").append(cls).append("\">").append(esc(line)).append("</span>");
    }
    b.append("</pre>");
  }

  /** Accepts the definition a form names, and shows the definitions again with the outcome. */
  void accept(Exchange ex, Viewer viewer, Map<String, String> form) throws IOException {
    String agent = form.getOrDefault("agent", "");
    String server = form.getOrDefault("server", "");
    String tool = form.getOrDefault("tool", "");
    String fingerprint = form.getOrDefault("fingerprint", "");
    Optional<ToolPinRecord> done = pins.accept(agent, server, tool, fingerprint, viewer.name());
    if (done.isEmpty()) {
      list(
          ex,
          viewer,
          "No such definition of "
              + server
              + "."
              + tool
              + " for "
              + agent
              + ": reload the page to see the recorded ones.",
          404);
      return;
    }
    ToolPinRecord p = done.get();
    list(
        ex,
        viewer,
        "Accepted "
            + p.shownName()
            + " for "
            + p.agent()
            + " ("
            + shortFingerprint(p.fingerprint())
            + "): the gateway shows it again while its server defines it this way.",
        200);
  }
}
