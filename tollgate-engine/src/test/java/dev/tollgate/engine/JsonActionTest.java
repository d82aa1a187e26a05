package dev.tollgate.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Reason;
import dev.tollgate.api.ShadowOutcome;
import dev.tollgate.json.ApiJson;
import dev.tollgate.json.InputException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Strict JSON for actions; free-form args; compact output. */
class JsonActionTest {

  private static InputException refused(String json) {
    InputException e = catchThrowableOfType(InputException.class, () -> ApiJson.readAction(json));
    assertThat(e).as("should be refused: " + json).isNotNull();
    assertThat(e.code()).isEqualTo("bad_request");
    return e;
  }

  /**
   * Grants and approvals are bound to this digest and stored: it is SHA-256 of the canonical JSON
   * (keys sorted at every level, UTF-8, compact), here checked against a value computed outside
   * Java from the canonical text {@code {"a":["x",{"c":2.5,"d":"é\n"}],"b":1}}.
   */
  @Test
  void theArgumentDigestIsSha256OfTheCanonicalJson() {
    Map<String, Object> inner = new java.util.LinkedHashMap<>();
    inner.put("d", "é\n");
    inner.put("c", 2.5);
    Map<String, Object> args = new java.util.LinkedHashMap<>();
    args.put("b", 1);
    args.put("a", List.of("x", inner));
    assertThat(ApiJson.digest(args))
        .isEqualTo("sha256:d3ed2dbd930ac30775db6c08eb91f60807b9637509d1db1bdaf5b96869d3a5f1");
  }

  @Test
  void readsTheDesignExample() throws Exception {
    Action a =
        ApiJson.readAction(
            """
        {"session": "s-42", "user": "alice@acme.example", "tool": "email.send",
         "args": {"to": ["billing@vendor.example"], "subject": "Tax documents", "body": "..."},
         "reason": "optional", "requestId": "r-1"}
        """);
    assertThat(a)
        .isEqualTo(
            new Action(
                "s-42",
                "alice@acme.example",
                "email.send",
                Map.of(
                    "to",
                    List.of("billing@vendor.example"),
                    "subject",
                    "Tax documents",
                    "body",
                    "..."),
                "optional",
                "r-1"));
  }

  @Test
  void argsAreFreeFormJson() throws Exception {
    Action a =
        ApiJson.readAction(
            """
        {"tool": "t", "args": {"i": 3, "f": 1.5, "big": 1e300,
         "b": false, "n": null, "o": {"deep": [1, {"x": "y"}]}, "e": {}, "l": []}}
        """);
    assertThat(a.args().get("i")).isEqualTo(3L);
    assertThat(a.args().get("f")).isEqualTo(1.5);
    assertThat(a.args().get("big")).isInstanceOf(Double.class);
    assertThat(a.args().get("b")).isEqualTo(false);
    assertThat(a.args()).containsKey("n");
    assertThat(a.args().get("n")).isNull();
    assertThat(a.args().get("o")).isEqualTo(Map.of("deep", List.of(1L, Map.of("x", "y"))));
    assertThat(a.args().keySet()).containsExactly("i", "f", "big", "b", "n", "o", "e", "l");
  }

  @Test
  void integersBeyondALongAreDoubles() throws Exception {
    Action a =
        ApiJson.readAction(
            "{\"tool\": \"t\", \"args\": {\"big\": 123456789012345678901234567890,"
                + " \"neg\": -99999999999999999999, \"max\": 9223372036854775807}}");
    assertThat(a.args().get("big")).isEqualTo(1.2345678901234568E29);
    assertThat(a.args().get("neg")).isEqualTo(-1.0E20);
    assertThat(a.args().get("max")).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void onlyToolIsRequired() throws Exception {
    Action a = ApiJson.readAction("{\"tool\": \"t\"}");
    assertThat(a).isEqualTo(new Action(null, null, "t", Map.of(), null, null));
    assertThat(ApiJson.readAction("{\"tool\": \"t\", \"args\": null, \"user\": null}").args())
        .isEmpty();
  }

  @Test
  void unknownFieldIsNamedWithSuggestion() {
    InputException e = refused("{\"tool\": \"t\", \"sesion\": \"s\"}");
    assertThat(e.getMessage())
        .isEqualTo(
            "unknown field `sesion` in the action: did you mean"
                + " `session`? an action has session, user, tool, args, reason and requestId (the agent"
                + " comes from the credentials, not the body)");
    assertThat(e.field()).isEqualTo("/sesion");
  }

  @Test
  void agentInTheBodyIsRefused() {
    InputException e = refused("{\"tool\": \"t\", \"agent\": \"root-bot\"}");
    assertThat(e.field()).isEqualTo("/agent");
    assertThat(e.getMessage())
        .startsWith("unknown field `agent` in the action: ")
        .contains("the agent comes from the credentials");
  }

  @Test
  void unknownFieldFarFromAnyGetsNoSuggestion() {
    assertThat(refused("{\"tool\": \"t\", \"whatever\": 1}").getMessage())
        .startsWith("unknown field `whatever` in the action: an action has");
  }

  @Test
  void unknownFieldsInsideArgsAreFine() throws Exception {
    assertThat(ApiJson.readAction("{\"tool\": \"t\", \"args\": {\"agent\": 1}}").args())
        .containsEntry("agent", 1L);
  }

  @Test
  void missingOrBlankTool() {
    for (String json :
        List.of("{}", "{\"tool\": \"\"}", "{\"tool\": \"  \"}", "{\"tool\": null}")) {
      InputException e = refused(json);
      assertThat(e.getMessage())
          .as(json)
          .isEqualTo("missing field `tool`: name the tool to call, for example \"email.send\"");
      assertThat(e.field()).isEqualTo("/tool");
    }
  }

  @Test
  void wrongTypes() {
    InputException tool = refused("{\"tool\": 5}");
    assertThat(tool.getMessage())
        .isEqualTo("`tool` must be a string, not a number: quote the value");
    assertThat(tool.field()).isEqualTo("/tool");
    InputException user = refused("{\"tool\": \"t\", \"user\": [\"a\"]}");
    assertThat(user.getMessage())
        .isEqualTo("`user` must be a string, not an array: quote the value");
    assertThat(user.field()).isEqualTo("/user");
    InputException args = refused("{\"tool\": \"t\", \"args\": [1]}");
    assertThat(args.getMessage())
        .isEqualTo("`args` must be a JSON object, not an array: pass the tool's arguments by name");
    assertThat(args.field()).isEqualTo("/args");
    assertThat(refused("{\"tool\": \"t\", \"args\": \"x\"}").getMessage()).contains("not a string");
  }

  @Test
  void rootMustBeAnObject() {
    for (String json : List.of("[]", "\"t\"", "1", "true", "null")) {
      InputException e = refused(json);
      assertThat(e.getMessage()).as(json).startsWith("an action must be a JSON object, not ");
      assertThat(e.field()).isEqualTo("/");
    }
  }

  @Test
  void emptyBody() {
    assertThat(refused("").getMessage()).isEqualTo("empty body: send a JSON object");
    assertThat(refused("   ").getMessage()).isEqualTo("empty body: send a JSON object");
  }

  @Test
  void malformedJsonSaysWhere() {
    InputException e = refused("{\"tool\": \"t\",\n \"args\": {]}");
    assertThat(e.getMessage())
        .startsWith("malformed JSON at line 2, column ")
        .endsWith("; send a single valid JSON object");
  }

  @Test
  void trailingTokensAreRefused() {
    assertThat(refused("{\"tool\": \"t\"} {\"tool\": \"u\"}").getMessage())
        .startsWith("malformed JSON");
  }

  @Test
  void duplicateKeysAreRefusedAtEveryLevel() {
    assertThat(refused("{\"tool\": \"t\", \"tool\": \"u\"}").getMessage())
        .isEqualTo("Duplicate field `tool`: send each field once");
    assertThat(refused("{\"tool\": \"t\", \"args\": {\"a\": 1, \"a\": 2}}").getMessage())
        .isEqualTo("Duplicate field `a`: send each field once");
  }

  @Test
  void nestingDeeperThanTheLimitIsRefused() throws Exception {
    String ok = "{\"tool\":\"t\",\"args\":{\"a\":" + "[".repeat(60) + "]".repeat(60) + "}}";
    assertThat(ApiJson.readAction(ok).args()).containsKey("a");
    String deep = "{\"tool\":\"t\",\"args\":{\"a\":" + "[".repeat(100) + "]".repeat(100) + "}}";
    assertThat(refused(deep).getMessage())
        .isEqualTo("JSON nested deeper than 64 levels: flatten the arguments");
  }

  @Test
  void invalidUtf8BytesAreRefused() {
    byte[] bytes = {
      '{', '"', 't', 'o', 'o', 'l', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'
    };
    InputException e = catchThrowableOfType(InputException.class, () -> ApiJson.readAction(bytes));
    assertThat(e).isNotNull();
    assertThat(e.getMessage()).contains("UTF-8");
  }

  @Test
  void utf8BytesAreRead() throws Exception {
    Action a =
        ApiJson.readAction(
            "{\"tool\":\"t\",\"args\":{\"s\":\"Grüße 👋\"}}".getBytes(StandardCharsets.UTF_8));
    assertThat(a.args().get("s")).isEqualTo("Grüße 👋");
  }

  @Test
  void writesDecisionsWithLowerCaseEffectsAndWithoutNulls() {
    Decision d =
        new Decision(
            "dec_1",
            Effect.DENY,
            null,
            List.of(new Reason("p", "m")),
            List.of(),
            null,
            null,
            List.of(new ShadowOutcome("s", Effect.ASK, "x")));
    assertThat(ApiJson.write(d))
        .isEqualTo(
            "{\"id\":\"dec_1\",\"effect\":\"deny\",\"reasons\":"
                + "[{\"policy\":\"p\",\"message\":\"m\"}],\"findings\":[],\"shadow\":"
                + "[{\"policy\":\"s\",\"effect\":\"ask\",\"message\":\"x\"}]}");
  }

  @Test
  void actionRoundTrips() throws Exception {
    Action a = new Action("s", "u", "t", Map.of("x", List.of(1L, 2.5, "z", true)), "why", "r");
    assertThat(ApiJson.readAction(ApiJson.write(a))).isEqualTo(a);
  }
}
