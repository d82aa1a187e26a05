package dev.tollgate.engine;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.tollgate.api.Action;
import dev.tollgate.api.Effect;
import java.io.CharConversionException;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * JSON for the contract types of DESIGN.md. Reading is strict: unknown top-level fields, wrong
 * types, duplicate keys, nesting deeper than 64 and invalid UTF-8 are refused with an {@link
 * InputException} that names the field and the fix. {@code args} is free-form JSON; integers become
 * {@code Long} and other numbers {@code Double}, the types CEL computes with.
 */
public final class Json {
  /** Deepest nesting accepted in any document. */
  public static final int MAX_DEPTH = 64;

  private static final Set<String> ACTION_FIELDS =
      Set.of("session", "user", "tool", "args", "reason", "requestId");

  private static final ObjectMapper MAPPER =
      // A shared buffer pool: the default pool is per thread, and the server runs every request
      // on a new virtual thread, so buffers were never reused.
      JsonMapper.builder(
              JsonFactory.builder()
                  .recyclerPool(JsonRecyclerPools.newConcurrentDequePool())
                  .build())
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.USE_LONG_FOR_INTS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
          .defaultPropertyInclusion(
              JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.ALWAYS))
          .addModule(
              new SimpleModule()
                  .addSerializer(
                      Effect.class,
                      new StdSerializer<>(Effect.class) {
                        @Override
                        public void serialize(Effect value, JsonGenerator gen, SerializerProvider p)
                            throws IOException {
                          gen.writeString(value.wireName());
                        }
                      })
                  .addSerializer(
                      Instant.class,
                      new StdSerializer<>(Instant.class) {
                        @Override
                        public void serialize(
                            Instant value, JsonGenerator gen, SerializerProvider p)
                            throws IOException {
                          gen.writeString(value.toString());
                        }
                      }))
          .build();

  /**
   * Trees keep each number's own width, so that an integer beyond a long is a valid number (read as
   * a double by {@link #toJava}) rather than a parse error; USE_LONG_FOR_INTS stays on for untyped
   * binding through {@link #mapper()}.
   */
  private static final com.fasterxml.jackson.databind.ObjectReader TREES =
      MAPPER.reader().without(DeserializationFeature.USE_LONG_FOR_INTS);

  static {
    MAPPER
        .getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build());
  }

  private Json() {}

  /** Reads an action (DESIGN.md: session, user, tool, args, reason, requestId). */
  public static Action readAction(String json) throws InputException {
    return toAction(readTree(json), "");
  }

  /** Reads an action from UTF-8 bytes; invalid UTF-8 is refused. */
  public static Action readAction(byte[] json) throws InputException {
    return toAction(readTree(json), "");
  }

  /** Parses any JSON document with the same limits as actions. */
  public static JsonNode readTree(String json) throws InputException {
    try {
      JsonNode node = TREES.readTree(json);
      if (node == null || node.isMissingNode()) {
        throw new InputException("bad_request", "empty body: send a JSON object", null);
      }
      return node;
    } catch (JsonProcessingException e) {
      throw translate(e);
    }
  }

  /** Parses JSON from UTF-8 bytes. */
  public static JsonNode readTree(byte[] json) throws InputException {
    try {
      JsonNode node = TREES.readTree(json);
      if (node == null || node.isMissingNode()) {
        throw new InputException("bad_request", "empty body: send a JSON object", null);
      }
      return node;
    } catch (CharConversionException e) {
      throw new InputException(
          "bad_request",
          "body is not valid UTF-8: " + e.getMessage() + "; encode the body as UTF-8",
          null);
    } catch (JsonProcessingException e) {
      throw translate(e);
    } catch (IOException e) {
      throw new InputException("bad_request", "unreadable body: " + e.getMessage(), null);
    }
  }

  /**
   * Converts a parsed object into an action.
   *
   * @param at the JSON pointer of {@code node} in its document, for messages ("" for the root)
   */
  public static Action toAction(JsonNode node, String at) throws InputException {
    if (!node.isObject()) {
      throw new InputException(
          "bad_request",
          "an action must be a JSON object, not "
              + kind(node)
              + ": send {\"tool\": ..., \"args\": {...}}",
          at.isEmpty() ? "/" : at);
    }
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!ACTION_FIELDS.contains(name)) {
        String near = dev.tollgate.engine.internal.Names.nearest(name, ACTION_FIELDS);
        throw new InputException(
            "bad_request",
            "unknown field `"
                + name
                + "` in the action: "
                + (near != null ? "did you mean `" + near + "`? " : "")
                + "an action has session, user, tool, args, reason and requestId"
                + " (the agent comes from the credentials, not the body)",
            at + "/" + name);
      }
    }
    String tool = string(node, "tool", at);
    if (tool == null || tool.isBlank()) {
      throw new InputException(
          "bad_request",
          "missing field `tool`: name the tool to call, for example \"email.send\"",
          at + "/tool");
    }
    JsonNode args = node.get("args");
    Map<String, Object> argMap = Map.of();
    if (args != null && !args.isNull()) {
      if (!args.isObject()) {
        throw new InputException(
            "bad_request",
            "`args` must be a JSON object, not "
                + kind(args)
                + ": pass the tool's arguments by name",
            at + "/args");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> converted = (Map<String, Object>) toJava(args);
      argMap = converted;
    }
    String requestId = string(node, "requestId", at);
    if (requestId != null && Requests.problem(requestId) != null) {
      throw new InputException("bad_request", Requests.problem(requestId), at + "/requestId");
    }
    return new Action(
        string(node, "session", at),
        string(node, "user", at),
        tool,
        argMap,
        string(node, "reason", at),
        requestId);
  }

  /** A JSON node as plain Java values (maps, lists, strings, longs, doubles, booleans, null). */
  public static Object toJava(JsonNode node) {
    if (node.isObject()) {
      Map<String, Object> out = new LinkedHashMap<>();
      node.properties().forEach(e -> out.put(e.getKey(), toJava(e.getValue())));
      return out;
    }
    if (node.isArray()) {
      List<Object> out = new ArrayList<>(node.size());
      node.forEach(n -> out.add(toJava(n)));
      return out;
    }
    if (node.isTextual()) {
      return node.textValue();
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (node.isIntegralNumber()) {
      return node.canConvertToLong() ? (Object) node.longValue() : (Object) node.doubleValue();
    }
    if (node.isNumber()) {
      return node.doubleValue();
    }
    return null;
  }

  private static final com.fasterxml.jackson.databind.ObjectWriter CANONICAL =
      MAPPER.writer().with(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  /** Writes any contract value (records, maps, lists) as compact JSON; nulls are left out. */
  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + value.getClass().getSimpleName(), e);
    }
  }

  /**
   * {@code sha256:<hex>} of the canonical JSON of an action's arguments (keys sorted at every
   * level): the digest the audit records and that a grant for exactly one action is bound to.
   */
  public static String digest(java.util.Map<String, Object> args) {
    return digest(args, true);
  }

  /** As {@link #digest(java.util.Map)}; without {@code fast}, always through Jackson. */
  static String digest(java.util.Map<String, Object> args, boolean fast) {
    try {
      byte[] written = fast ? ArgumentDigest.of(args) : null;
      if (written != null) {
        return "sha256:" + java.util.HexFormat.of().formatHex(written);
      }
      java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
      try (java.io.OutputStream out =
          new java.security.DigestOutputStream(java.io.OutputStream.nullOutputStream(), sha)) {
        CANONICAL.writeValue(out, args);
      }
      return "sha256:" + java.util.HexFormat.of().formatHex(sha.digest());
    } catch (java.io.IOException | java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot digest arguments", e);
    }
  }

  /** Writes as indented JSON, for people. */
  public static String writePretty(Object value) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + value.getClass().getSimpleName(), e);
    }
  }

  /** The shared mapper, configured as described above. Do not reconfigure it. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  private static String string(JsonNode node, String field, String at) throws InputException {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw new InputException(
          "bad_request",
          "`" + field + "` must be a string, not " + kind(value) + ": quote the value",
          at + "/" + field);
    }
    return value.textValue();
  }

  static String kind(JsonNode node) {
    if (node.isObject()) {
      return "an object";
    }
    if (node.isArray()) {
      return "an array";
    }
    if (node.isTextual()) {
      return "a string";
    }
    if (node.isNumber()) {
      return "a number";
    }
    if (node.isBoolean()) {
      return "a boolean";
    }
    return "null";
  }

  private static InputException translate(JsonProcessingException e) {
    if (e instanceof StreamConstraintsException) {
      return new InputException(
          "bad_request",
          "JSON nested deeper than " + MAX_DEPTH + " levels: flatten the arguments",
          null);
    }
    String message = e.getOriginalMessage();
    if (message != null && message.startsWith("Duplicate field")) {
      return new InputException(
          "bad_request", message.replace('\'', '`') + ": send each field once", null);
    }
    if (message != null && message.contains("Invalid UTF-8")) {
      return new InputException(
          "bad_request",
          "body is not valid UTF-8 (" + message + "): encode the body as UTF-8",
          null);
    }
    String where =
        e.getLocation() == null
            ? ""
            : " at line "
                + e.getLocation().getLineNr()
                + ", column "
                + e.getLocation().getColumnNr();
    String first = message == null ? "malformed JSON" : message.lines().findFirst().orElse("");
    return new InputException(
        "bad_request",
        "malformed JSON" + where + ": " + first + "; send a single valid JSON object",
        null);
  }
}
