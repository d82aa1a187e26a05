package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one form-encoding parser of the API and the console. */
class QueryStringTest {

  @Test
  void decodesPairsKeepsTheFirstOfARepeatedNameAndSkipsEmptyPairs() throws Exception {
    assertThat(QueryString.parse(null)).isEmpty();
    assertThat(QueryString.parse("")).isEmpty();
    assertThat(QueryString.parse("status=pen%64ing&a+b=c+d&&flag&status=denied&x=%25"))
        .containsExactly(
            Map.entry("status", "pending"),
            Map.entry("a b", "c d"),
            Map.entry("flag", ""),
            Map.entry("x", "%"));
  }

  @Test
  void aMalformedEscapeNamesTheParameterAndTheFix() {
    assertThatThrownBy(() -> QueryString.parse("limit=1&status=%zz"))
        .isInstanceOfSatisfying(
            QueryString.MalformedException.class,
            e -> assertThat(e.parameter()).isEqualTo("status"))
        .hasMessage(
            "malformed percent-escape in `%zz`: `%` must be followed by two hex digits (write a"
                + " literal `%` as `%25`)");
    assertThatThrownBy(() -> QueryString.parse("wait=%"))
        .isInstanceOfSatisfying(
            QueryString.MalformedException.class, e -> assertThat(e.parameter()).isEqualTo("wait"));
    assertThatThrownBy(() -> QueryString.parse("%G1=1"))
        .isInstanceOfSatisfying(
            QueryString.MalformedException.class, e -> assertThat(e.parameter()).isEqualTo("%G1"));
  }
}
