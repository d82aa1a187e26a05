package dev.tollgate.server.console;

import java.util.List;

/**
 * HTML building for the console. {@link #esc} is the one escaping helper: every value that did not
 * come from this package's own literals goes through it, in text and in (quoted) attributes alike.
 */
final class Html {
  private Html() {}

  /** Escapes for HTML text and double- or single-quoted attribute values. */
  static String esc(Object value) {
    if (value == null) {
      return "";
    }
    String s = value.toString();
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        case '`' -> b.append("&#96;");
        case '\0' -> b.append("\uFFFD");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /** A link to a console page: {@code path} is built by this package, its parts escaped. */
  static String link(String path, String text) {
    return "<a href=\"" + esc(path) + "\">" + esc(text) + "</a>";
  }

  /**
   * The outcome of a person's action on top of a page ({@code id="done"}, or {@code id="error"} for
   * a status of 400 or more), escaped; nothing when {@code message} is {@code null}.
   */
  static String notice(String message, int status) {
    if (message == null) {
      return "";
    }
    boolean ok = status < 400;
    return "<p class=\""
        + (ok ? "ok" : "error")
        + "\" id=\""
        + (ok ? "done" : "error")
        + "\">"
        + esc(message)
        + "</p>";
  }

  /** A hidden form field. */
  static String hidden(String name, String value) {
    return "<input type=\"hidden\" name=\"" + esc(name) + "\" value=\"" + esc(value) + "\">";
  }

  /** A whole page: {@code body} is HTML already built (and escaped) by the caller. */
  static String page(String title, Viewer viewer, String active, String body) {
    StringBuilder b = new StringBuilder(4096);
    b.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>")
        .append(esc(title))
        .append(" · Tollgate</title>")
        .append("<link rel=\"stylesheet\" href=\"/console/static/console.css\">")
        .append("<script src=\"/console/static/console.js\" defer></script>")
        .append("</head><body>");
    b.append("<header><span class=\"brand\">Tollgate</span>");
    if (viewer != null) {
      b.append("<nav>");
      for (List<String> item : nav(viewer)) {
        b.append("<a href=\"")
            .append(esc(item.get(0)))
            .append('"')
            .append(item.get(0).equals(active) ? " class=\"active\"" : "")
            .append('>')
            .append(esc(item.get(1)))
            .append("</a>");
      }
      b.append("</nav><form class=\"logout\" method=\"post\" action=\"/console/logout\">")
          .append(hidden("csrf", viewer.csrf()))
          .append("<span class=\"who\">")
          .append(esc(viewer.name()))
          .append(" (")
          .append(esc(String.join(", ", viewer.roles().stream().sorted().toList())))
          .append(")</span> <a href=\"/console/password\" id=\"password-link\">Password</a>")
          .append(" <button type=\"submit\">Sign out</button></form>");
    }
    b.append("</header><main>").append(body).append("</main></body></html>\n");
    return b.toString();
  }

  private static List<List<String>> nav(Viewer v) {
    List<List<String>> items = new java.util.ArrayList<>();
    if (v.can(Viewer.Right.OVERVIEW)) {
      items.add(List.of("/console", "Overview"));
    }
    if (v.can(Viewer.Right.APPROVE)) {
      items.add(List.of("/console/approvals", "Approvals"));
    }
    if (v.can(Viewer.Right.GRANTS)) {
      items.add(List.of("/console/grants", "Grants"));
    }
    if (v.can(Viewer.Right.PAUSES)) {
      items.add(List.of("/console/pauses", "Paused"));
    }
    if (v.can(Viewer.Right.TOOLS)) {
      items.add(List.of("/console/tools", "Tools"));
    }
    if (v.can(Viewer.Right.AUDIT)) {
      items.add(List.of("/console/audit", "Audit"));
    }
    if (v.can(Viewer.Right.PEOPLE)) {
      items.add(List.of("/console/people", "People"));
    }
    return items;
  }
}
