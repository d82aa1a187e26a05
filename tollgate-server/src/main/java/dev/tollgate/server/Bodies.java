package dev.tollgate.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.api.Action;
import dev.tollgate.json.ApiJson;
import dev.tollgate.json.InputException;
import dev.tollgate.server.http.Exchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The HTTP side of every API call: reading request bodies within the size limit, checking methods,
 * reading fields and query parameters with errors that name the field and the fix, and writing
 * answers ({@code respond*}) as JSON or text.
 */
final class Bodies {
  private static final long MAX_DRAIN_BYTES = 16L * 1024 * 1024;

  private final int maxBodyBytes;

  Bodies(int maxBodyBytes) {
    this.maxBodyBytes = maxBodyBytes;
  }

  // ---- request bodies ----

  JsonNode readObject(Exchange exchange) throws ApiError, IOException {
    byte[] body = readJson(exchange);
    JsonNode node;
    try {
      node = ApiJson.readTree(body);
    } catch (InputException e) {
      throw new ApiError(400, e.code(), e.getMessage(), e.field());
    }
    if (!node.isObject()) {
      throw new ApiError(400, "bad_request", "the body must be a JSON object", "/");
    }
    return node;
  }

  /**
   * Reads an action body. Decide's hot path: the action streams from the bytes into the maps it
   * keeps, with no JSON tree in between; an invalid body gets the tree path's own refusal.
   */
  Action readAction(Exchange exchange) throws ApiError, IOException {
    byte[] body = readJson(exchange);
    try {
      return ApiJson.readAction(body);
    } catch (InputException e) {
      throw new ApiError(400, e.code(), e.getMessage(), e.field());
    }
  }

  /** The body's bytes, refused when it is not JSON by its type or longer than the bound. */
  private byte[] readJson(Exchange exchange) throws ApiError, IOException {
    String type = exchange.header("Content-Type");
    if (type != null && !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      throw new ApiError(
          415,
          "unsupported_media_type",
          "send the body as `application/json`, not `" + type + "`",
          null);
    }
    String length = exchange.header("Content-Length");
    long declared = -1;
    if (length != null) {
      try {
        declared = Long.parseLong(length.strip());
      } catch (NumberFormatException e) {
        throw new ApiError(400, "bad_request", "invalid Content-Length `" + length + "`", null);
      }
      if (declared > maxBodyBytes) {
        drain(exchange);
        throw tooLarge();
      }
    }
    byte[] body;
    try (InputStream in = exchange.requestBody()) {
      // With a declared length, one exact read: no growing buffers to copy from.
      body = in.readNBytes(declared >= 0 ? (int) declared : maxBodyBytes + 1);
    }
    if (body.length > maxBodyBytes) {
      drain(exchange);
      throw tooLarge();
    }
    return body;
  }

  /** A body that may be empty (no content at all) or a JSON object. */
  JsonNode readOptionalObject(Exchange exchange) throws ApiError, IOException {
    String length = exchange.header("Content-Length");
    if (length == null || length.strip().equals("0")) {
      return ApiJson.mapper().createObjectNode();
    }
    return readObject(exchange);
  }

  /**
   * Reads and drops the rest of an oversized body, up to a bound, so that a client still sending it
   * gets the 413 instead of a reset connection; past the bound the connection is simply closed.
   */
  private static void drain(Exchange exchange) {
    try (InputStream in = exchange.requestBody()) {
      long left = MAX_DRAIN_BYTES;
      byte[] buffer = new byte[64 * 1024];
      int n;
      while (left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0) {
        left -= n;
      }
    } catch (IOException e) {
      // The client gave up sending; the 413 still goes out if the connection allows.
      return;
    }
  }

  private ApiError tooLarge() {
    return new ApiError(
        413,
        "too_large",
        "body larger than "
            + maxBodyBytes
            + " bytes: send less (large results can be summarised before observing them)",
        null);
  }

  // ---- methods ----

  /** GET, or HEAD: the same answer without its body (the HTTP server drops it). */
  static void requireRead(String method) throws ApiError {
    if (!method.equals("GET") && !method.equals("HEAD")) {
      throw new ApiError(405, "method_not_allowed", "use GET here, not " + method, null);
    }
  }

  static void requireMethod(String method, String expected) throws ApiError {
    if (!method.equals(expected)) {
      throw new ApiError(
          405, "method_not_allowed", "use " + expected + " here, not " + method, null);
    }
  }

  // ---- fields ----

  static void unknownFields(JsonNode body, Set<String> allowed, String what) throws ApiError {
    Iterator<String> names = body.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw new ApiError(
            400,
            "bad_request",
            "unknown field `"
                + name
                + "` in "
                + what
                + ": expected "
                + String.join(", ", allowed.stream().sorted().toList()),
            "/" + name);
      }
    }
  }

  static String text(JsonNode body, String field, boolean required) throws ApiError {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw new ApiError(400, "bad_request", "missing field `" + field + "`", "/" + field);
      }
      return null;
    }
    if (!v.isTextual()) {
      throw new ApiError(
          400, "bad_request", "`" + field + "` must be a string: quote it", "/" + field);
    }
    return v.textValue();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> object(JsonNode body, String field) throws ApiError {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isObject()) {
      throw new ApiError(400, "bad_request", "`" + field + "` must be a JSON object", "/" + field);
    }
    return (Map<String, Object>) ApiJson.toJava(v);
  }

  static int integer(JsonNode body, String field, int fallback) throws ApiError {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0) {
      throw new ApiError(
          400, "bad_request", "`" + field + "` must be a whole number, 0 or more", "/" + field);
    }
    return v.intValue();
  }

  // ---- query parameters ----

  static Map<String, String> query(Exchange exchange) throws ApiError {
    try {
      return QueryString.parse(exchange.rawQuery());
    } catch (QueryString.MalformedException e) {
      throw new ApiError(400, "bad_request", e.getMessage(), e.parameter());
    }
  }

  static int limit(Map<String, String> q) throws ApiError {
    String text = q.get("limit");
    if (text == null) {
      return 100;
    }
    try {
      int n = Integer.parseInt(text);
      if (n >= 1 && n <= 1000) {
        return n;
      }
    } catch (NumberFormatException e) {
      // falls through to the error below
    }
    throw new ApiError(400, "bad_request", "`limit` must be between 1 and 1000", "limit");
  }

  // ---- answers ----

  static void respond(Exchange exchange, int status, Object body) throws IOException {
    respondBytes(exchange, status, "application/json", ApiJson.writeUtf8(body));
  }

  static void respondError(Exchange exchange, int status, String code, String message, String field)
      throws IOException {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("code", code);
    error.put("message", message);
    if (field != null) {
      error.put("field", field);
    }
    if (status == 413) {
      // The body was left unread: the JDK's server drops the connection after the answer, so
      // the client must not reuse it for its next request.
      exchange.setHeader("Connection", "close");
    }
    respond(exchange, status, Map.of("error", error));
  }

  static void respondText(Exchange exchange, int status, String type, String text)
      throws IOException {
    respondBytes(exchange, status, type, text.getBytes(StandardCharsets.UTF_8));
  }

  private static void respondBytes(Exchange exchange, int status, String type, byte[] bytes)
      throws IOException {
    exchange.setHeader("Content-Type", type);
    exchange.setHeader("Cache-Control", "no-store");
    exchange.send(status, bytes.length);
    try (OutputStream out = exchange.responseBody()) {
      out.write(bytes);
    }
  }
}
