package dev.tollgate.server.console;

import dev.tollgate.server.QueryString;
import dev.tollgate.server.http.Exchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** Reading requests and writing answers, with the console's security headers on every answer. */
final class Web {
  static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
          + " connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
  private static final int MAX_FORM_BYTES = 64 * 1024;

  private Web() {}

  /** A request the console refuses, shown to the person as a page with this status. */
  static final class Refusal extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;
    final String title;

    Refusal(int status, String title, String message) {
      super(message);
      this.status = status;
      this.title = title;
    }
  }

  static void securityHeaders(Exchange ex) {
    ex.setHeader("Content-Security-Policy", CSP);
    ex.setHeader("X-Content-Type-Options", "nosniff");
    ex.setHeader("Referrer-Policy", "no-referrer");
    ex.setHeader("Cache-Control", "no-store");
    ex.setHeader("X-Frame-Options", "DENY");
    ex.setHeader("Cross-Origin-Opener-Policy", "same-origin");
  }

  static void send(Exchange ex, int status, String contentType, byte[] body) throws IOException {
    securityHeaders(ex);
    ex.setHeader("Content-Type", contentType);
    ex.send(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      ex.responseBody().write(body);
    }
  }

  static void html(Exchange ex, int status, String html) throws IOException {
    send(ex, status, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8));
  }

  /** Tells a throttled client when to come back, if {@code e} is a throttle. */
  static void retryAfter(Exchange ex, dev.tollgate.server.People.PeopleException e) {
    if (e.status() == 429 || e.status() == 503) {
      ex.setHeader("Retry-After", Long.toString(Math.max(1, e.retryAfter().toSeconds())));
    }
  }

  static void redirect(Exchange ex, String location) throws IOException {
    securityHeaders(ex);
    ex.setHeader("Location", location);
    ex.send(303, -1);
  }

  /** The form fields of a POST body ({@code application/x-www-form-urlencoded}). */
  static Map<String, String> form(Exchange ex) throws IOException, Refusal {
    String type = ex.header("Content-Type");
    if (type == null
        || !type.toLowerCase(java.util.Locale.ROOT)
            .startsWith("application/x-www-form-urlencoded")) {
      throw new Refusal(415, "Unsupported form", "the console takes only HTML form posts");
    }
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (InputStream in = ex.requestBody()) {
      byte[] chunk = new byte[8192];
      int n;
      while ((n = in.read(chunk)) > 0) {
        if (buf.size() + n > MAX_FORM_BYTES) {
          throw new Refusal(413, "Form too large", "the form is larger than 64 KiB");
        }
        buf.write(chunk, 0, n);
      }
    }
    return parse(buf.toString(StandardCharsets.UTF_8));
  }

  /** The query parameters of the request. */
  static Map<String, String> query(Exchange ex) throws Refusal {
    return parse(ex.rawQuery());
  }

  /** Form encoding, by the parser the API uses too; malformed text is a 400 page. */
  static Map<String, String> parse(String encoded) throws Refusal {
    try {
      return QueryString.parse(encoded);
    } catch (QueryString.MalformedException e) {
      throw new Refusal(400, "Bad request", e.getMessage());
    }
  }

  /** The value of a cookie, or {@code null}. */
  static String cookie(Exchange ex, String name) {
    for (String header : ex.headers("Cookie")) {
      for (String part : header.split(";")) {
        String p = part.strip();
        if (p.startsWith(name + "=")) {
          return p.substring(name.length() + 1);
        }
      }
    }
    return null;
  }

  /** "4m 10s", "2h 5m", or "expired" for a time in the past. */
  static String until(Instant when, Instant now) {
    Duration d = Duration.between(now, when);
    if (d.isNegative() || d.isZero()) {
      return "expired";
    }
    long s = d.toSeconds();
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return (s / 60) + "m " + (s % 60) + "s";
    }
    if (s < 86400) {
      return (s / 3600) + "h " + (s % 3600 / 60) + "m";
    }
    return (s / 86400) + "d " + (s % 86400 / 3600) + "h";
  }

  /** "12s ago", "3m ago". */
  static String ago(Instant when, Instant now) {
    String u = until(now, when);
    return u.equals("expired") ? "just now" : u + " ago";
  }
}
