package dev.tollgate.json;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.Action;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

/**
 * The streamed {@link ApiJson#readAction} equals the tree path it replaces (readTree, then
 * toAction), the slow reference: the same action for every valid document, the same refusal (code,
 * message, field) for every other, from text and from bytes.
 */
class ReadActionStreamingTest {

  private record Outcome(Action action, String code, String message, String field) {}

  private static Outcome reference(String json) {
    try {
      return new Outcome(ApiJson.toAction(ApiJson.readTree(json), ""), null, null, null);
    } catch (InputException e) {
      return new Outcome(null, e.code(), e.getMessage(), e.field());
    }
  }

  private static Outcome reference(byte[] json) {
    try {
      return new Outcome(ApiJson.toAction(ApiJson.readTree(json), ""), null, null, null);
    } catch (InputException e) {
      return new Outcome(null, e.code(), e.getMessage(), e.field());
    }
  }

  private static Outcome streamed(String json) {
    try {
      return new Outcome(ApiJson.readAction(json), null, null, null);
    } catch (InputException e) {
      return new Outcome(null, e.code(), e.getMessage(), e.field());
    }
  }

  private static Outcome streamed(byte[] json) {
    try {
      return new Outcome(ApiJson.readAction(json), null, null, null);
    } catch (InputException e) {
      return new Outcome(null, e.code(), e.getMessage(), e.field());
    }
  }

  @Property(tries = 3000)
  void theStreamedReadEqualsTheTreePath(@ForAll("documents") String json) {
    Outcome expected = reference(json);
    Statistics.label("valid").collect(expected.action() != null);
    assertThat(streamed(json)).isEqualTo(expected);
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    assertThat(streamed(bytes)).isEqualTo(reference(bytes));
    Statistics.label("valid").coverage(c -> c.check(true).percentage(p -> p > 20));
  }

  @Test
  void edgeCasesAgreeToo() {
    for (String json :
        List.of(
            "",
            "   ",
            "[]",
            "\"x\"",
            "{\"tool\":\"t\"} {}",
            "{\"tool\":\"t\"} x",
            "{\"tool\":\"t\",\"tool\":\"u\"}",
            "{\"tool\":\"t\",\"args\":{\"a\":1,\"a\":2}}",
            "{\"tool\":\"t\",\"args\":{\"\\uD800\":1}}",
            "{\"tool\":\"t\",\"args\":{\"a\":\"\\uDC00x\"}}",
            "{\"tool\":\"t\",\"args\":{\"a\":\"\\uD83D\\uDE00\"}}",
            "{\"tool\":\"t\",\"args\":{\"n\":123456789012345678901234567890,\"f\":1e400}}",
            "{\"tool\":\"t\",\"args\":{\"n\":-9223372036854775808,\"m\":9223372036854775808}}",
            "{\"tool\":\"  \"}",
            "{\"tool\":\"t\",\"requestId\":\"a b\"}",
            "{\"tool\":\"t\",\"requestId\":\"" + "r".repeat(129) + "\"}",
            "{\"tool\":\"t\",\"args\":" + "[".repeat(70) + "]".repeat(70) + "}",
            "{\"tool\":\"t\",\"args\":{\"x\":" + "9".repeat(5000) + "}}",
            "{\"tool\":\"t\",\"agent\":\"root\"}",
            "{\"tool\":\"t\",\"session\":5}",
            "{\"tool\":\"t\",\"args\":[1]}",
            "{\"tool\":\"t\",\"args\":null,\"user\":null,\"reason\":\"r\",\"session\":\"s\"}")) {
      assertThat(streamed(json)).as(json).isEqualTo(reference(json));
      byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
      assertThat(streamed(bytes)).as(json).isEqualTo(reference(bytes));
    }
    byte[] badUtf8 = {'{', '"', 't', 'o', 'o', 'l', '"', ':', '"', (byte) 0xC3, '"', '}'};
    assertThat(streamed(badUtf8)).isEqualTo(reference(badUtf8));
  }

  /**
   * The point of streaming: a 2 KB action allocates under two thirds of what the tree path did (the
   * rest is the action itself: its strings, maps and the frozen copy {@code Action} makes).
   */
  @Test
  void theStreamedReadAllocatesLessThanTheTreePath() throws Exception {
    StringBuilder args = new StringBuilder();
    for (int i = 0; i < 30; i++) {
      args.append(i > 0 ? "," : "")
          .append("\"field")
          .append(i)
          .append("\":[\"person")
          .append(i)
          .append("@vendor.example\",")
          .append(i * 1000)
          .append(",{\"n\":\"INV-")
          .append(i)
          .append("\"}]");
    }
    byte[] json =
        ("{\"session\":\"s-1\",\"tool\":\"email.send\",\"args\":{" + args + "}}")
            .getBytes(StandardCharsets.UTF_8);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().threadId();
    int n = 5_000;
    long streamed = 0;
    long tree = 0;
    for (int round = 0; round < 2; round++) { // the first round warms up
      long before = threads.getThreadAllocatedBytes(id);
      for (int i = 0; i < n; i++) {
        ApiJson.readAction(json);
      }
      long middle = threads.getThreadAllocatedBytes(id);
      for (int i = 0; i < n; i++) {
        ApiJson.toAction(ApiJson.readTree(json), "");
      }
      streamed = (middle - before) / n;
      tree = (threads.getThreadAllocatedBytes(id) - middle) / n;
    }
    System.out.printf(
        "readAction of %d bytes: streamed %d B, tree path %d B%n", json.length, streamed, tree);
    assertThat(streamed).isLessThan(tree * 2 / 3);
  }

  /** Action documents put together from valid and invalid pieces. */
  @Provide
  Arbitrary<String> documents() {
    Arbitrary<String> value =
        Arbitraries.of(
            "1",
            "-7",
            "2.5",
            "1e3",
            "99999999999999999999",
            "true",
            "null",
            "\"x\"",
            "\"\\uD83D\\uDE00\"",
            "\"\\uD800\"",
            "[1,\"a\",{}]",
            "{\"k\":[null]}",
            "{\"k\":1,\"k\":2}",
            "[",
            "\"é\\n\\t\"");
    Arbitrary<String> field =
        Arbitraries.oneOf(
            Arbitraries.of("session", "user", "reason", "requestId")
                .flatMap(
                    n ->
                        Arbitraries.of("\"s-1\"", "null", "5", "\"a b\"", "[]")
                            .map(v -> "\"" + n + "\":" + v)),
            Arbitraries.of("\"tool\":\"email.send\"", "\"tool\":\"\"", "\"tool\":3"),
            value.list().ofMaxSize(4).map(vs -> argsOf(vs)),
            Arbitraries.of("\"args\":null", "\"args\":[]", "\"agent\":\"x\"", "\"sesion\":\"s\""));
    Arbitrary<String> tool = Arbitraries.just("\"tool\":\"email.send\"");
    return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(3, tool.list().ofSize(1)),
            net.jqwik.api.Tuple.of(1, Arbitraries.just(List.<String>of())))
        .flatMap(
            head ->
                field
                    .list()
                    .ofMaxSize(4)
                    .map(
                        rest -> {
                          List<String> all = new java.util.ArrayList<>(head);
                          all.addAll(rest);
                          return "{" + String.join(",", all) + "}";
                        }));
  }

  private static String argsOf(List<String> values) {
    StringBuilder out = new StringBuilder("\"args\":{");
    for (int i = 0; i < values.size(); i++) {
      out.append(i > 0 ? "," : "").append("\"a").append(i % 3).append("\":").append(values.get(i));
    }
    return out.append('}').toString();
  }
}
