package dev.tollgate.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * What {@link ApiJson#readTree} adds to parsing on every request (every decide): the check that all
 * text is valid Unicode walks the parsed tree, and must not build a JSON pointer for every name it
 * passes (it did: a string as long as the path, per property, per request); the pointer is built
 * only when there is something to report.
 */
class JsonCheckCostTest {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  @Test
  void theUnicodeCheckAllocatesLittleBeyondParsing() throws Exception {
    // 20 levels of long names, then 5,000 properties: a pointer per property would be ~450 chars
    StringBuilder json = new StringBuilder();
    for (int level = 0; level < 20; level++) {
      json.append("{\"level-").append(level).append("-with-a-long-name\":");
    }
    json.append('{');
    for (int i = 0; i < 5_000; i++) {
      json.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":1");
    }
    json.append('}').append("}".repeat(20));
    String text = json.toString();
    ObjectMapper plain = new ObjectMapper();

    long parsing = Long.MAX_VALUE;
    long checked = Long.MAX_VALUE;
    // the least of several runs: warmed up, and free of a stray allocation elsewhere
    for (int run = 0; run < 15; run++) {
      long before = THREADS.getCurrentThreadAllocatedBytes();
      plain.readTree(text);
      long between = THREADS.getCurrentThreadAllocatedBytes();
      ApiJson.readTree(text);
      long after = THREADS.getCurrentThreadAllocatedBytes();
      parsing = Math.min(parsing, between - before);
      checked = Math.min(checked, after - between);
    }
    System.out.printf(
        "json check cost: parsing alone %d bytes, ApiJson.readTree %d bytes%n", parsing, checked);
    assertThat(checked)
        .as("bytes allocated by ApiJson.readTree against plain parsing (%d bytes)", parsing)
        .isLessThan(2 * parsing + 64 * 1024);
  }

  @Test
  void aLoneSurrogateDeepInsideIsStillNamedByItsPointer() {
    String json = "{\"a\":{\"b~/c\":[1,{\"d\":\"x\\uD800\"}]}}";
    InputException e =
        org.assertj.core.api.Assertions.catchThrowableOfType(
            InputException.class, () -> ApiJson.readTree(json));
    assertThat(e.code()).isEqualTo("invalid_text");
    assertThat(e.field()).isEqualTo("/a/b~0~1c/1/d");
  }
}
