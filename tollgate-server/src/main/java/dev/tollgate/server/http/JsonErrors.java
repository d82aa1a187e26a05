package dev.tollgate.server.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The HTTP server's own refusals (a malformed request line, a bad {@code Content-Length}, headers
 * too large, a body too slow) as the API's JSON errors, {@code {"error": {"code", "message"}}},
 * instead of Jetty's HTML pages.
 */
final class JsonErrors extends ErrorHandler {

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    int status = response.getStatus();
    Object code = request.getAttribute(ERROR_STATUS);
    if (code instanceof Integer i) {
      status = i;
    }
    if (status < 400) {
      status = 500;
    }
    Object message = request.getAttribute(ERROR_MESSAGE);
    byte[] body = body(status, message instanceof String s ? s : null);
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
    return true;
  }

  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(new HttpField(HttpHeader.CONTENT_TYPE, "application/json"));
    fields.put(HttpHeader.CACHE_CONTROL, "no-store");
    return ByteBuffer.wrap(body(status, reason));
  }

  static byte[] body(int status, String reason) {
    String code =
        switch (status) {
          case 400 -> "bad_request";
          case 408 -> "request_timeout";
          case 411 -> "length_required";
          case 413 -> "too_large";
          case 414 -> "uri_too_long";
          case 431 -> "headers_too_large";
          case 501 -> "not_implemented";
          case 503 -> "overloaded";
          case 505 -> "http_version";
          default -> status >= 500 ? "internal" : "bad_request";
        };
    String message =
        switch (status) {
          case 408 ->
              "the request arrived too slowly: send the headers and body at once, within the"
                  + " server's timeouts";
          case 413 -> "the request is too large";
          case 414 -> "the address is too long";
          case 431 -> "the request headers are too large (16 KiB at most)";
          default ->
              "malformed HTTP request"
                  + (reason == null || reason.isBlank() ? "" : ": " + plain(reason))
                  + "; send HTTP/1.1 with a valid request line, headers and Content-Length";
        };
    if (status >= 500) {
      message =
          status == 503
              ? "the server is overloaded or stopping: retry in a moment"
              : "internal error in the HTTP server; the request was not carried out";
    }
    return ("{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** Jetty's reason text, kept to letters, digits, blanks and plain punctuation. */
  private static String plain(String reason) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < reason.length() && out.length() < 100; i++) {
      char c = reason.charAt(i);
      if (Character.isLetterOrDigit(c) || " .,:;-_()/".indexOf(c) >= 0) {
        out.append(c);
      }
    }
    return out.toString().toLowerCase(java.util.Locale.ROOT);
  }
}
