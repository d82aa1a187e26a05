package dev.tollgate.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.api.Action;
import dev.tollgate.json.ApiJson;
import java.util.Map;

/**
 * JSON for the contract types: strict reading, compact writing, the argument digest.
 *
 * @deprecated the codec moved to tollgate-json, where the store and the client can use it too: use
 *     {@link ApiJson}. Each method here calls the method of the same name there, and throws its
 *     {@link dev.tollgate.json.InputException} as this package's {@link InputException}. Kept for
 *     one release.
 */
@Deprecated
public final class Json {
  /** Deepest nesting accepted in any document. */
  public static final int MAX_DEPTH = ApiJson.MAX_DEPTH;

  private Json() {}

  /** As {@link ApiJson#readAction(String)}. */
  public static Action readAction(String json) throws InputException {
    try {
      return ApiJson.readAction(json);
    } catch (dev.tollgate.json.InputException e) {
      throw InputException.of(e);
    }
  }

  /** As {@link ApiJson#readAction(byte[])}. */
  public static Action readAction(byte[] json) throws InputException {
    try {
      return ApiJson.readAction(json);
    } catch (dev.tollgate.json.InputException e) {
      throw InputException.of(e);
    }
  }

  /** As {@link ApiJson#readTree(String)}. */
  public static JsonNode readTree(String json) throws InputException {
    try {
      return ApiJson.readTree(json);
    } catch (dev.tollgate.json.InputException e) {
      throw InputException.of(e);
    }
  }

  /** As {@link ApiJson#readTree(byte[])}. */
  public static JsonNode readTree(byte[] json) throws InputException {
    try {
      return ApiJson.readTree(json);
    } catch (dev.tollgate.json.InputException e) {
      throw InputException.of(e);
    }
  }

  /** As {@link ApiJson#toAction(JsonNode, String)}. */
  public static Action toAction(JsonNode node, String at) throws InputException {
    try {
      return ApiJson.toAction(node, at);
    } catch (dev.tollgate.json.InputException e) {
      throw InputException.of(e);
    }
  }

  /** As {@link ApiJson#toJava(JsonNode)}. */
  public static Object toJava(JsonNode node) {
    return ApiJson.toJava(node);
  }

  /** As {@link ApiJson#write(Object)}. */
  public static String write(Object value) {
    return ApiJson.write(value);
  }

  /** As {@link ApiJson#digest(Map)}. */
  public static String digest(Map<String, Object> args) {
    return ApiJson.digest(args);
  }

  /** As {@link ApiJson#writePretty(Object)}. */
  public static String writePretty(Object value) {
    return ApiJson.writePretty(value);
  }

  /** As {@link ApiJson#mapper()}. */
  public static ObjectMapper mapper() {
    return ApiJson.mapper();
  }
}
