package dev.tollgate.server.console;

import static dev.tollgate.server.console.Html.esc;

import dev.tollgate.api.Effect;
import dev.tollgate.api.Reason;
import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.api.store.AuditLog;
import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.api.store.AuditRecord;
import dev.tollgate.json.Names;
import dev.tollgate.server.http.Exchange;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/** The audit search and the overview charts, both read from the audit log. */
final class Insight {
  static final int BUCKETS = 12;
  static final Duration BUCKET = Duration.ofMinutes(5);
  private static final int SCAN = 20_000;
  private static final int SHOW = 200;
  private static final int SERIES = 6;
  private static final DateTimeFormatter HHMM =
      DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

  private final AuditLog audit;
  private final InstantSource clock;
  private final Supplier<String> verifier;

  Insight(AuditLog audit, InstantSource clock, Supplier<String> verifier) {
    this.audit = audit;
    this.clock = clock;
    this.verifier = verifier;
  }

  void audit(Exchange ex, Viewer viewer) throws IOException, Web.Refusal {
    Map<String, String> q = Web.query(ex);
    List<String> problems = new ArrayList<>();
    Instant from = time(q.get("from"), "from", problems);
    Instant to = time(q.get("to"), "to", problems);
    long head = audit.head().map(AuditRecord::seq).orElse(0L);
    AuditQuery query =
        new AuditQuery(
            blank(q.get("agent")),
            blank(q.get("session")),
            blank(q.get("tool")),
            typed(q.get("effect"), Effect.values(), Effect::wireName, "effect", problems),
            typed(
                q.get("kind"),
                AuditEntry.Kind.values(),
                AuditEntry.Kind::wireName,
                "kind",
                problems),
            null,
            from,
            to,
            Math.max(0, head - SCAN),
            SCAN);
    List<AuditRecord> found = new ArrayList<>(audit.search(query));
    int total = found.size();
    Collections.reverse(found);
    List<AuditRecord> shown = found.subList(0, Math.min(SHOW, found.size()));

    StringBuilder b = new StringBuilder("<h1>Audit</h1>");
    b.append("<section class=\"verify\"><h2>Chain</h2>");
    if (verifier == null) {
      b.append("<p>This server holds no public key to verify with: run <code>tollgate audit")
          .append(" verify</code> beside the store.</p>");
    } else if ("1".equals(q.get("verify"))) {
      String result = verifier.get();
      b.append("<p id=\"verification\" class=\"")
          .append(result.startsWith("ok") ? "ok" : "error")
          .append("\">")
          .append(esc(result))
          .append("</p>");
    } else {
      b.append("<p><a href=\"/console/audit?verify=1\" id=\"verify\">Verify the chain now</a>")
          .append(" (reads every record).</p>");
    }
    b.append("<p>").append(head).append(" records in the log.</p></section>");

    b.append("<form method=\"get\" action=\"/console/audit\" class=\"filters\">");
    for (String f : List.of("agent", "session", "tool")) {
      b.append("<label>")
          .append(f)
          .append(" <input name=\"")
          .append(f)
          .append("\" value=\"")
          .append(esc(q.getOrDefault(f, "")))
          .append("\"></label>");
    }
    select(b, "effect", List.of("", "allow", "ask", "deny"), q.get("effect"));
    select(
        b,
        "kind",
        java.util.stream.Stream.concat(
                java.util.stream.Stream.of(""),
                java.util.Arrays.stream(AuditEntry.Kind.values()).map(AuditEntry.Kind::wireName))
            .toList(),
        q.get("kind"));
    b.append("<label>from (UTC) <input name=\"from\" placeholder=\"2026-11-24T12:00\" value=\"")
        .append(esc(q.getOrDefault("from", "")))
        .append("\"></label><label>to (UTC) <input name=\"to\" value=\"")
        .append(esc(q.getOrDefault("to", "")))
        .append("\"></label><button type=\"submit\">Search</button></form>");
    for (String p : problems) {
      b.append("<p class=\"error\">").append(esc(p)).append("</p>");
    }
    b.append("<p>")
        .append(total)
        .append(" matching among the last ")
        .append(Math.min(head, SCAN))
        .append(" records; newest ")
        .append(shown.size())
        .append(" shown.</p>");
    b.append("<table class=\"audit\" id=\"audit\"><thead><tr><th>#</th><th>Time (UTC)</th>")
        .append("<th>Kind</th><th>Agent</th><th>User</th><th>Session</th><th>Tool</th>")
        .append("<th>Effect</th><th>Reasons</th><th>Detail</th></tr></thead><tbody>");
    for (AuditRecord r : shown) {
      AuditEntry e = r.entry();
      b.append("<tr><td>")
          .append(r.seq())
          .append("</td><td>")
          .append(esc(e.time()))
          .append("</td><td>")
          .append(esc(e.kind().wireName()))
          .append("</td><td>")
          .append(esc(e.agent()))
          .append("</td><td>")
          .append(esc(e.user()))
          .append("</td><td>")
          .append(esc(e.session()))
          .append("</td><td>")
          .append(esc(e.tool()))
          .append("</td><td>")
          .append(
              e.effect() == null
                  ? ""
                  : "<span class=\"status " + esc(e.effect().wireName()) + "\">")
          .append(e.effect() == null ? "" : esc(e.effect().wireName()))
          .append(e.effect() == null ? "" : "</span>")
          .append("</td><td>");
      for (Reason reason : e.reasons()) {
        b.append("<code>")
            .append(esc(reason.policy()))
            .append("</code> ")
            .append(esc(reason.message()))
            .append("<br>");
      }
      b.append("</td><td class=\"detail\">")
          .append(e.detail().isEmpty() ? "" : esc(Pages.compact(e.detail())))
          .append("</td></tr>");
    }
    b.append("</tbody></table>");
    Web.html(ex, 200, Html.page("Audit", viewer, "/console/audit", b.toString()));
  }

  private static void select(StringBuilder b, String name, List<String> values, String current) {
    b.append("<label>").append(name).append(" <select name=\"").append(name).append("\">");
    for (String v : values) {
      b.append("<option value=\"")
          .append(esc(v))
          .append('"')
          .append(v.equals(current == null ? "" : current) ? " selected" : "")
          .append('>')
          .append(v.isEmpty() ? "any" : esc(v))
          .append("</option>");
    }
    b.append("</select></label>");
  }

  private static String blank(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  /** A filter's typed value, or {@code null} (no filter) with a problem for an unknown one. */
  private static <E extends Enum<E>> E typed(
      String text,
      E[] values,
      java.util.function.Function<E, String> wireName,
      String field,
      List<String> problems) {
    String t = blank(text);
    if (t == null) {
      return null;
    }
    try {
      return Names.wire(t, values, wireName, field);
    } catch (IllegalArgumentException e) {
      problems.add("`" + field + "`: " + e.getMessage());
      return null;
    }
  }

  private static Instant time(String text, String field, List<String> problems) {
    String t = blank(text);
    if (t == null) {
      return null;
    }
    try {
      return Instant.parse(t);
    } catch (DateTimeParseException e) {
      try {
        return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException e2) {
        problems.add(
            "`"
                + field
                + "`: `"
                + t
                + "` is not a time; use 2026-11-24T12:00 (UTC) or an ISO instant");
        return null;
      }
    }
  }

  String overview(Viewer viewer, String bundleSection) {
    Instant now = clock.instant();
    Instant start = now.minus(BUCKET.multipliedBy(BUCKETS));
    List<AuditRecord> decisions =
        audit.search(
            new AuditQuery(
                null, null, null, null, AuditEntry.Kind.DECISION, null, start, null, 0, 100_000));
    StringBuilder b = new StringBuilder("<h1>Overview</h1>");
    b.append("<p>")
        .append(decisions.size())
        .append(" decisions in the last hour, in 5-minute buckets (UTC).</p>");
    b.append("<h2>By effect</h2>")
        .append(
            chart(
                "effect",
                decisions,
                start,
                e -> List.of(e.effect() == null ? "none" : e.effect().wireName())));
    b.append("<h2>By policy</h2>")
        .append(
            chart(
                "policy",
                decisions,
                start,
                e ->
                    e.reasons().isEmpty()
                        ? List.of("(no policy)")
                        : new ArrayList<>(
                            new LinkedHashSet<>(
                                e.reasons().stream().map(Reason::policy).toList()))));
    b.append("<h2>By agent</h2>")
        .append(chart("agent", decisions, start, e -> List.of(or(e.agent(), "(none)"))));
    b.append(bundleSection);
    return Html.page("Overview", viewer, "/console", b.toString());
  }

  private static String or(String s, String fallback) {
    return s == null ? fallback : s;
  }

  /** A stacked bar chart as inline SVG (no script), with its legend and totals. */
  static String chart(
      String id,
      List<AuditRecord> records,
      Instant start,
      Function<AuditEntry, List<String>> keys) {
    Map<String, long[]> counts = new LinkedHashMap<>();
    for (AuditRecord r : records) {
      int bucket = (int) (Duration.between(start, r.entry().time()).toMillis() / BUCKET.toMillis());
      if (bucket < 0) {
        continue;
      }
      bucket = Math.min(bucket, BUCKETS - 1);
      for (String k : keys.apply(r.entry())) {
        counts.computeIfAbsent(k, x -> new long[BUCKETS])[bucket]++;
      }
    }
    List<Map.Entry<String, long[]>> series = new ArrayList<>(counts.entrySet());
    series.sort((x, y) -> Long.compare(sum(y.getValue()), sum(x.getValue())));
    if (series.size() > SERIES) {
      long[] other = new long[BUCKETS];
      for (Map.Entry<String, long[]> s : series.subList(SERIES - 1, series.size())) {
        for (int i = 0; i < BUCKETS; i++) {
          other[i] += s.getValue()[i];
        }
      }
      series = new ArrayList<>(series.subList(0, SERIES - 1));
      series.add(Map.entry("(other)", other));
    }
    long max = 1;
    for (int i = 0; i < BUCKETS; i++) {
      long total = 0;
      for (Map.Entry<String, long[]> s : series) {
        total += s.getValue()[i];
      }
      max = Math.max(max, total);
    }
    int width = 720;
    int height = 180;
    int left = 40;
    int bottom = 20;
    int barW = (width - left) / BUCKETS;
    StringBuilder b = new StringBuilder();
    b.append("<figure class=\"chart\"><svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\"")
        .append(" id=\"chart-")
        .append(esc(id))
        .append("\" viewBox=\"0 0 ")
        .append(width)
        .append(' ')
        .append(height + bottom)
        .append("\" width=\"")
        .append(width)
        .append("\" height=\"")
        .append(height + bottom)
        .append("\"><title>Decisions by ")
        .append(esc(id))
        .append("</title>")
        .append("<text class=\"axis\" x=\"0\" y=\"12\">")
        .append(max)
        .append("</text><line class=\"axis\" x1=\"")
        .append(left - 4)
        .append("\" y1=\"")
        .append(height)
        .append("\" x2=\"")
        .append(width)
        .append("\" y2=\"")
        .append(height)
        .append("\"/>");
    for (int i = 0; i < BUCKETS; i++) {
      double y = height;
      int x = left + i * barW;
      for (int s = 0; s < series.size(); s++) {
        long n = series.get(s).getValue()[i];
        if (n == 0) {
          continue;
        }
        double h = (double) n * (height - 16) / max;
        y -= h;
        b.append("<rect class=\"s")
            .append(s)
            .append("\" x=\"")
            .append(x + 2)
            .append("\" y=\"")
            .append(String.format(java.util.Locale.ROOT, "%.1f", y))
            .append("\" width=\"")
            .append(barW - 4)
            .append("\" height=\"")
            .append(String.format(java.util.Locale.ROOT, "%.1f", h))
            .append("\"><title>")
            .append(esc(series.get(s).getKey()))
            .append(": ")
            .append(n)
            .append("</title></rect>");
      }
      if (i % 3 == 0) {
        b.append("<text class=\"axis\" x=\"")
            .append(x + 2)
            .append("\" y=\"")
            .append(height + 15)
            .append("\">")
            .append(esc(HHMM.format(start.plus(BUCKET.multipliedBy(i)))))
            .append("</text>");
      }
    }
    b.append("</svg><figcaption><ul class=\"legend\">");
    for (int s = 0; s < series.size(); s++) {
      b.append("<li><span class=\"swatch s")
          .append(s)
          .append("\"></span>")
          .append(esc(series.get(s).getKey()))
          .append(": ")
          .append(sum(series.get(s).getValue()))
          .append("</li>");
    }
    if (series.isEmpty()) {
      b.append("<li>no decisions</li>");
    }
    b.append("</ul></figcaption></figure>");
    return b.toString();
  }

  private static long sum(long[] values) {
    long n = 0;
    for (long v : values) {
      n += v;
    }
    return n;
  }
}
