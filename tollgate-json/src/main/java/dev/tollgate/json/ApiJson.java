package dev.tollgate.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
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
import dev.tollgate.api.ApprovalStatus;
import dev.tollgate.api.Effect;
import dev.tollgate.api.store.ApprovalRecord;
import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.api.store.GrantRecord;
import dev.tollgate.api.store.ObservedResult;
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
 * JSON for the contract types (actions, decisions and the records around them). Reading is strict:
 * unknown top-level fields, wrong types, duplicate keys, nesting deeper than 64 and invalid UTF-8
 * are refused with an {@link InputException} that names the field and the fix. {@code args} is
 * free-form JSON; integers become {@code Long} and other numbers {@code Double}, the types CEL
 * computes with.
 *
 * <p>Long because every contract record's reader and writer is here, one method each, so that the
 * strict rules (which fields, which types, which error for each) read alike for all of them; the
 * audit's canonical form is {@link AuditCanonical}'s and the digest {@code ArgumentDigest}'s.
 */
public final class ApiJson {
  /** Deepest nesting accepted in any document. */
  public static final int MAX_DEPTH = 64;

  /** The longest request id accepted. */
  public static final int MAX_REQUEST_ID_LENGTH = 128;

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
                  // typed states are written by their wire names, as when they were strings
                  .addSerializer(Effect.class, wireName(Effect.class, Effect::wireName))
                  .addSerializer(
                      ApprovalStatus.class,
                      wireName(ApprovalStatus.class, ApprovalStatus::wireName))
                  .addSerializer(
                      ApprovalRecord.Kind.class,
                      wireName(ApprovalRecord.Kind.class, ApprovalRecord.Kind::wireName))
                  .addSerializer(
                      AuditEntry.Kind.class,
                      wireName(AuditEntry.Kind.class, AuditEntry.Kind::wireName))
                  .addSerializer(
                      GrantRecord.SubjectKind.class,
                      wireName(GrantRecord.SubjectKind.class, GrantRecord.SubjectKind::wireName))
                  .addSerializer(
                      GrantRecord.Status.class,
                      wireName(GrantRecord.Status.class, GrantRecord.Status::wireName))
                  .addSerializer(
                      ObservedResult.Trust.class,
                      wireName(ObservedResult.Trust.class, ObservedResult.Trust::wireName))
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

  private static <E extends Enum<E>> StdSerializer<E> wireName(
      Class<E> type, java.util.function.Function<E, String> name) {
    return new StdSerializer<>(type) {
      @Override
      public void serialize(E value, JsonGenerator gen, SerializerProvider p) throws IOException {
        gen.writeString(name.apply(value));
      }
    };
  }

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

  private ApiJson() {}

  /** Reads an action: session, user, tool, args, reason and requestId. */
  public static Action readAction(String json) throws InputException {
    Action read = streamed(json, null);
    return read != null ? read : toAction(readTree(json), "");
  }

  /** Reads an action from UTF-8 bytes; invalid UTF-8 is refused. */
  public static Action readAction(byte[] json) throws InputException {
    Action read = streamed(null, json);
    return read != null ? read : toAction(readTree(json), "");
  }

  /*
   * Reading an action in one streaming pass. The tree path (readTree, a walk for lone surrogates,
   * toJava, toAction) builds a JsonNode tree and walks it twice, about 18 KB for 2 KB of JSON on
   * every decide. The streamed pass goes straight to the maps and lists the action keeps, checking
   * text as it reads, and accepts exactly what the tree path accepts: on anything it would refuse
   * (a parse error, a limit, a lone surrogate, trailing tokens, an unknown field, a wrong type) it
   * gives up with null, and the tree path runs to refuse the input with its own message. So the
   * errors are the tree path's, word for word, and only valid actions take the fast path.
   */

  /** The action in {@code text} or {@code bytes}, or {@code null} when it is not a valid one. */
  private static Action streamed(String text, byte[] bytes) {
    try (JsonParser p =
        text != null
            ? MAPPER.getFactory().createParser(text)
            : MAPPER.getFactory().createParser(bytes)) {
      JsonToken first = p.nextToken();
      if (first != JsonToken.START_OBJECT) {
        return null;
      }
      Object root = streamedValue(p, first);
      if (root == NOT_VALID || p.nextToken() != null) {
        return null;
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> fields = (Map<String, Object>) root;
      for (String name : fields.keySet()) {
        if (!ACTION_FIELDS.contains(name)) {
          return null;
        }
      }
      Object tool = fields.get("tool");
      Object args = fields.get("args");
      Object requestId = fields.get("requestId");
      if (!(tool instanceof String t)
          || t.isBlank()
          || !(args == null || args instanceof Map<?, ?>)
          || !(requestId == null || requestId instanceof String id && requestIdProblem(id) == null)
          || !textOrNull(fields.get("session"))
          || !textOrNull(fields.get("user"))
          || !textOrNull(fields.get("reason"))) {
        return null;
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> argMap = args == null ? Map.of() : (Map<String, Object>) args;
      return new Action(
          (String) fields.get("session"),
          (String) fields.get("user"),
          t,
          argMap,
          (String) fields.get("reason"),
          (String) requestId);
    } catch (IOException | RuntimeException e) {
      // refused by the parser or its limits: the tree path says why
      return null;
    }
  }

  /** Marks a value the tree path would refuse (a lone surrogate). */
  private static final Object NOT_VALID = new Object();

  private static boolean textOrNull(Object v) {
    return v == null || v instanceof String;
  }

  /** The value starting at {@code token} as plain Java values, as {@link #toJava} gives them. */
  private static Object streamedValue(JsonParser p, JsonToken token) throws IOException {
    switch (token) {
      case START_OBJECT -> {
        Map<String, Object> out = new LinkedHashMap<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
          String name = p.currentName();
          if (!unicode(name)) {
            return NOT_VALID;
          }
          Object v = streamedValue(p, p.nextToken());
          if (v == NOT_VALID) {
            return NOT_VALID;
          }
          out.put(name, v);
        }
        return out;
      }
      case START_ARRAY -> {
        List<Object> out = new ArrayList<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
          Object v = streamedValue(p, t);
          if (v == NOT_VALID) {
            return NOT_VALID;
          }
          out.add(v);
        }
        return out;
      }
      case VALUE_STRING -> {
        String s = p.getText();
        return unicode(s) ? s : NOT_VALID;
      }
      case VALUE_NUMBER_INT -> {
        return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
            ? (Object) p.getBigIntegerValue().doubleValue()
            : (Object) p.getLongValue();
      }
      case VALUE_NUMBER_FLOAT -> {
        return p.getDoubleValue();
      }
      case VALUE_TRUE -> {
        return Boolean.TRUE;
      }
      case VALUE_FALSE -> {
        return Boolean.FALSE;
      }
      case VALUE_NULL -> {
        return null;
      }
      default -> {
        return NOT_VALID;
      }
    }
  }

  /** Whether {@code s} has no unpaired surrogate. */
  private static boolean unicode(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c)
            && i + 1 < s.length()
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Parses any JSON document with the same limits as actions. Text with an unpaired UTF-16
   * surrogate (a lone {@code \\uD800}), in a name or a value, is refused with code {@code
   * invalid_text}: it is not Unicode, and would reach the audit as {@code ?}.
   */
  public static JsonNode readTree(String json) throws InputException {
    JsonParser parser = null;
    try {
      parser = MAPPER.getFactory().createParser(json);
      return checked(TREES.readTree(parser));
    } catch (JsonProcessingException e) {
      throw translate(e, parser);
    } catch (IOException e) {
      throw new InputException("bad_request", "unreadable body: " + e.getMessage(), null);
    }
  }

  /** Parses JSON from UTF-8 bytes, as {@link #readTree(String)}. */
  public static JsonNode readTree(byte[] json) throws InputException {
    JsonParser parser = null;
    try {
      parser = MAPPER.getFactory().createParser(json);
      return checked(TREES.readTree(parser));
    } catch (CharConversionException e) {
      throw new InputException(
          "bad_request",
          "body is not valid UTF-8: " + e.getMessage() + "; encode the body as UTF-8",
          null);
    } catch (JsonProcessingException e) {
      throw translate(e, parser);
    } catch (IOException e) {
      throw new InputException("bad_request", "unreadable body: " + e.getMessage(), null);
    }
  }

  private static JsonNode checked(JsonNode node) throws InputException {
    if (node == null || node.isMissingNode()) {
      throw new InputException("bad_request", "empty body: send a JSON object", null);
    }
    // Every request passes here: look first without building a pointer per name, and name the
    // place only when there is one to name.
    if (!isUnicode(node)) {
      requireUnicode(node, "");
    }
    return node;
  }

  /** Whether every name and text in the tree is valid Unicode; allocates no pointer. */
  private static boolean isUnicode(JsonNode node) {
    if (node.isTextual()) {
      return loneSurrogate(node.textValue()) < 0;
    } else if (node.isObject()) {
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        if (loneSurrogate(e.getKey()) >= 0 || !isUnicode(e.getValue())) {
          return false;
        }
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        if (!isUnicode(node.get(i))) {
          return false;
        }
      }
    }
    return true;
  }

  /** Where the first unpaired UTF-16 surrogate of {@code text} is, or -1. */
  private static int loneSurrogate(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }

  /** Refuses text with an unpaired surrogate anywhere in the tree, naming where. */
  private static void requireUnicode(JsonNode node, String at) throws InputException {
    if (node.isTextual()) {
      requireUnicode(node.textValue(), at, "text");
    } else if (node.isObject()) {
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        String child = at + "/" + pointerSegment(e.getKey());
        requireUnicode(e.getKey(), child, "the name");
        requireUnicode(e.getValue(), child);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        requireUnicode(node.get(i), at + "/" + i);
      }
    }
  }

  private static void requireUnicode(String text, String at, String what) throws InputException {
    int i = loneSurrogate(text);
    if (i < 0) {
      return;
    }
    String pointer = at.isEmpty() ? "/" : at;
    throw new InputException(
        "invalid_text",
        what
            + " at "
            + dollarPath(pointer)
            + " holds an unpaired UTF-16 surrogate (\\u"
            + java.util.HexFormat.of().withUpperCase().toHexDigits(text.charAt(i))
            + " at character "
            + i
            + "): send valid Unicode text, escaping a character outside the BMP as a"
            + " surrogate pair",
        pointer);
  }

  private static String pointerSegment(String name) {
    return name.replace("~", "~0").replace("/", "~1");
  }

  /**
   * A JSON pointer as a path people read in messages: {@code /args/to/0} is {@code $.args.to[0]}.
   */
  static String dollarPath(String pointer) {
    StringBuilder out = new StringBuilder("$");
    if (pointer == null || pointer.equals("/") || pointer.isEmpty()) {
      return out.toString();
    }
    for (String raw : pointer.substring(1).split("/", -1)) {
      String segment = raw.replace("~1", "/").replace("~0", "~");
      if (!segment.isEmpty() && segment.chars().allMatch(Character::isDigit)) {
        out.append('[').append(segment).append(']');
      } else {
        StringBuilder shown = new StringBuilder();
        // A name comes from the client: bounded, and printable, in a message.
        segment
            .codePoints()
            .limit(40)
            .forEach(
                cp ->
                    shown.append(
                        Character.isISOControl(cp) || Character.isSurrogate((char) cp)
                            ? "?"
                            : Character.toString(cp)));
        out.append('.').append(shown).append(segment.length() > 40 ? "…" : "");
      }
      if (out.length() > 200) {
        return out.append("…").toString();
      }
    }
    return out.toString();
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
        String near = Names.nearest(name, ACTION_FIELDS);
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
    String problem = requestId == null ? null : requestIdProblem(requestId);
    if (problem != null) {
      throw new InputException("bad_request", problem, at + "/requestId");
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

  /** {@link #write} as UTF-8 bytes, with no string in between: what answers send. */
  public static byte[] writeUtf8(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
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

  /**
   * What is wrong with a request id, or {@code null} when it is valid: 1 to {@value
   * #MAX_REQUEST_ID_LENGTH} printable ASCII characters without spaces.
   */
  public static String requestIdProblem(String requestId) {
    boolean printable = !requestId.isEmpty() && requestId.length() <= MAX_REQUEST_ID_LENGTH;
    for (int i = 0; printable && i < requestId.length(); i++) {
      char c = requestId.charAt(i);
      printable = c > 0x20 && c < 0x7f;
    }
    return printable
        ? null
        : "invalid `requestId`: use 1 to "
            + MAX_REQUEST_ID_LENGTH
            + " printable ASCII characters without spaces (a UUID, for example)";
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

  private static InputException translate(JsonProcessingException e, JsonParser parser) {
    if (e instanceof StreamConstraintsException) {
      // Jackson says which limit in its message only; the parser still knows where it stopped.
      String pointer = null;
      if (parser != null && parser.getParsingContext() != null) {
        pointer = parser.getParsingContext().pathAsPointer().toString();
      }
      String where = pointer == null || pointer.isEmpty() ? "$" : dollarPath(pointer);
      String field = pointer == null || pointer.isEmpty() ? null : pointer;
      StreamReadConstraints limits = MAPPER.getFactory().streamReadConstraints();
      String message = String.valueOf(e.getOriginalMessage());
      if (message.startsWith("Number value length")) {
        return new InputException(
            "bad_request",
            "number at "
                + where
                + " is longer than "
                + limits.getMaxNumberLength()
                + " digits: send it as a string, or a shorter number",
            field);
      }
      if (message.startsWith("String value length") || message.startsWith("Name length")) {
        return new InputException(
            "bad_request",
            (message.startsWith("Name") ? "name" : "string")
                + " at "
                + where
                + " is longer than "
                + (message.startsWith("Name")
                    ? limits.getMaxNameLength()
                    : limits.getMaxStringLength())
                + " characters: send less text",
            field);
      }
      if (message.startsWith("Document nesting depth")) {
        return new InputException(
            "bad_request",
            "JSON nested deeper than " + MAX_DEPTH + " levels: flatten the arguments",
            null);
      }
      return new InputException(
          "bad_request",
          "the JSON exceeds a reading limit at " + where + ": send a smaller document",
          field);
    }
    String message = e.getOriginalMessage();
    if (message != null && message.startsWith("Duplicate field")) {
      return new InputException(
          "bad_request", message.replace('\'', '`') + ": send each field once", null);
    }
    if (message != null && message.contains("Illegal surrogate character")) {
      // Jackson refuses a lone surrogate escaped in a name itself, while reading bytes.
      String pointer =
          parser == null || parser.getParsingContext() == null
              ? ""
              : parser.getParsingContext().pathAsPointer().toString();
      return new InputException(
          "invalid_text",
          "a name in "
              + dollarPath(pointer)
              + " holds an unpaired UTF-16 surrogate: send valid Unicode text, escaping a"
              + " character outside the BMP as a surrogate pair",
          pointer.isEmpty() ? "/" : pointer);
    }
    if (message != null && message.contains("Invalid UTF-8")) {
      return new InputException(
          "bad_request",
          "body is not valid UTF-8 (" + noLoneSurrogates(message) + "): encode the body as UTF-8",
          null);
    }
    String where =
        e.getLocation() == null
            ? ""
            : " at line "
                + e.getLocation().getLineNr()
                + ", column "
                + e.getLocation().getColumnNr();
    // the parser quotes the character it stopped at: a lone surrogate would make the error itself
    // text no strict reader accepts
    String first =
        message == null
            ? "malformed JSON"
            : noLoneSurrogates(message.lines().findFirst().orElse(""));
    return new InputException(
        "bad_request",
        "malformed JSON" + where + ": " + first + "; send a single valid JSON object",
        null);
  }

  /** {@code text} with each unpaired surrogate written as {@code \\uXXXX}, the rest as it is. */
  static String noLoneSurrogates(String text) {
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean paired =
          Character.isHighSurrogate(c)
              && i + 1 < text.length()
              && Character.isLowSurrogate(text.charAt(i + 1));
      if (paired) {
        if (out != null) {
          out.append(c).append(text.charAt(i + 1));
        }
        i++;
      } else if (Character.isSurrogate(c)) {
        if (out == null) {
          out = new StringBuilder(text.length() + 8).append(text, 0, i);
        }
        out.append(String.format("\\u%04x", (int) c));
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? text : out.toString();
  }
}
