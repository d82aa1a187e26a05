package dev.tollgate.server.console;

import static dev.tollgate.server.console.Html.esc;

import dev.tollgate.api.store.PauseRecord;
import dev.tollgate.engine.Pauses;
import dev.tollgate.server.http.Exchange;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The kill switch in the console: what is paused and why (sessions quarantined by a policy among
 * them), a form to pause, and resuming or ending. Admins act; approvers and auditors see.
 */
final class PausePages {
  private final Pauses pauses;

  PausePages(Pauses pauses) {
    this.pauses = pauses;
  }

  /**
   * The pauses, with {@code message} on top when there is one (an error when {@code status} is).
   */
  void list(Exchange ex, Viewer viewer, String message, int status) throws IOException {
    StringBuilder b = new StringBuilder("<h1>Paused</h1>");
    b.append(Html.notice(message, status));
    b.append(
        "<p>Every decision a pause covers is a deny until it is resumed, on every server sharing"
            + " the store within a second. A session a policy quarantined waits here for a"
            + " person.</p>");
    List<PauseRecord> all = pauses.list();
    if (all.isEmpty()) {
      b.append("<p class=\"empty\" id=\"pauses\">Nothing is paused.</p>");
    } else {
      b.append("<table id=\"pauses\"><thead><tr><th>Scope</th><th>Who</th><th>Why</th>")
          .append("<th>By</th><th>Since</th><th></th></tr></thead><tbody>");
      for (PauseRecord p : all) {
        b.append("<tr><td>")
            .append(esc(p.scope().wireName()))
            .append(p.by().startsWith("policy:") ? " <span class=\"tag\">quarantine</span>" : "")
            .append(p.ended() ? " <span class=\"tag\">ended</span>" : "")
            .append("</td><td><code>")
            .append(esc(p.subject()))
            .append("</code></td><td>")
            .append(esc(p.reason()))
            .append("</td><td>")
            .append(esc(p.by()))
            .append("</td><td>")
            .append(esc(p.at().toString()))
            .append("</td><td>");
        if (viewer.can(Viewer.Right.PAUSE)) {
          b.append(form("/console/pauses/resume", viewer, p, "Resume", ""));
          if (p.scope() == PauseRecord.Scope.SESSION && !p.ended()) {
            b.append(form("/console/pauses/end", viewer, p, "End session", "danger"));
          }
        }
        b.append("</td></tr>");
      }
      b.append("</tbody></table>");
    }
    if (viewer.can(Viewer.Right.PAUSE)) {
      b.append("<h2>Pause</h2><form method=\"post\" action=\"/console/pauses\" id=\"pause\">")
          .append(Html.hidden("csrf", viewer.csrf()))
          .append("<label>Scope <select name=\"scope\">")
          .append("<option value=\"agent\">an agent</option>")
          .append("<option value=\"user\">a user's sessions</option>")
          .append("<option value=\"session\">a session (agent/session-id)</option>")
          .append("<option value=\"all\">everything</option></select></label> ")
          .append("<label>Who <input name=\"subject\" placeholder=\"ops-bot\"></label> ")
          .append("<label>Why <input name=\"reason\" required></label> ")
          .append("<button type=\"submit\" class=\"danger\">Pause</button></form>");
    }
    Web.html(ex, status, Html.page("Paused", viewer, "/console/pauses", b.toString()));
  }

  private static String form(
      String action, Viewer viewer, PauseRecord p, String label, String cls) {
    return "<form method=\"post\" action=\""
        + esc(action)
        + "\">"
        + Html.hidden("csrf", viewer.csrf())
        + Html.hidden("scope", p.scope().wireName())
        + Html.hidden("subject", p.subject())
        + "<button type=\"submit\""
        + (cls.isEmpty() ? "" : " class=\"" + cls + "\"")
        + ">"
        + esc(label)
        + "</button></form>";
  }

  /** The agent, user and session id a form's scope and subject name. */
  private record Subject(PauseRecord.Scope scope, String agent, String user, String session) {
    static Subject of(Map<String, String> form) {
      PauseRecord.Scope scope;
      try {
        scope = PauseRecord.Scope.parse(form.getOrDefault("scope", ""));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
      String subject = form.getOrDefault("subject", "").strip();
      return switch (scope) {
        case ALL -> new Subject(scope, null, null, null);
        case AGENT -> new Subject(scope, subject, null, null);
        case USER -> new Subject(scope, null, subject, null);
        case SESSION -> {
          int slash = subject.indexOf('/');
          if (slash <= 0) {
            throw new IllegalArgumentException(
                "a session is its agent and id: agent/session-id (ops-bot/run-42)");
          }
          yield new Subject(scope, subject.substring(0, slash), null, subject.substring(slash + 1));
        }
      };
    }
  }

  void pause(Exchange ex, Viewer viewer, Map<String, String> form) throws IOException {
    try {
      Subject s = Subject.of(form);
      PauseRecord p =
          pauses.pause(
              s.scope(),
              s.agent(),
              s.user(),
              s.session(),
              form.getOrDefault("reason", ""),
              viewer.name());
      list(ex, viewer, "Paused " + p.scope().wireName() + " " + p.subject() + ".", 200);
    } catch (Pauses.PauseException | IllegalArgumentException e) {
      list(ex, viewer, e.getMessage(), 400);
    }
  }

  void resume(Exchange ex, Viewer viewer, Map<String, String> form) throws IOException {
    try {
      Subject s = Subject.of(form);
      boolean done = pauses.resume(s.scope(), s.agent(), s.user(), s.session(), viewer.name());
      list(ex, viewer, done ? "Resumed." : "It was not paused any more.", done ? 200 : 404);
    } catch (Pauses.PauseException | IllegalArgumentException e) {
      list(ex, viewer, e.getMessage(), 400);
    }
  }

  void end(Exchange ex, Viewer viewer, Map<String, String> form) throws IOException {
    try {
      Subject s = Subject.of(form);
      if (s.scope() != PauseRecord.Scope.SESSION) {
        throw new IllegalArgumentException("only a session can be ended");
      }
      pauses.end(s.agent(), s.session(), "ended in the console", viewer.name());
      list(ex, viewer, "Ended the session: it stays denied.", 200);
    } catch (Pauses.PauseException | IllegalArgumentException e) {
      list(ex, viewer, e.getMessage(), 400);
    }
  }
}
