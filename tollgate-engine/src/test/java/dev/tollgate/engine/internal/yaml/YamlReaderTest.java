package dev.tollgate.engine.internal.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.engine.Problem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** YAML is read with YAML 1.2 (core schema) rules, and every refusal says where. */
class YamlReaderTest {

  private static Map<String, Object> values(String yaml) {
    List<Problem> problems = new ArrayList<>();
    Y y = YamlReader.read("t.yaml", yaml, problems);
    assertThat(problems).isEmpty();
    @SuppressWarnings("unchecked")
    Map<String, Object> map = (Map<String, Object>) y.toJava();
    return map;
  }

  private static Problem onlyProblem(String yaml) {
    List<Problem> problems = new ArrayList<>();
    YamlReader.read("t.yaml", yaml, problems);
    assertThat(problems).hasSize(1);
    return problems.get(0);
  }

  @Test
  void yaml11BooleansAreStrings() {
    Map<String, Object> v = values("country: NO\nconfirm: yes\nmode: on\nlight: Off\nflag: y\n");
    assertThat(v)
        .containsEntry("country", "NO")
        .containsEntry("confirm", "yes")
        .containsEntry("mode", "on")
        .containsEntry("light", "Off")
        .containsEntry("flag", "y");
  }

  @Test
  void coreSchemaScalars() {
    Map<String, Object> v =
        values(
            "oct: 0o17\nhex: 0x1F\nlead: 017\nsexa: 1:30\nunder: 1_000\nt: True\nf: false\n"
                + "n: ~\nnull2: null\nempty:\nfl: 1.5e3\ninf: .inf\nquoted: '12'\n");
    LinkedHashMap<String, Object> expected = new LinkedHashMap<>();
    expected.put("oct", 15L);
    expected.put("hex", 31L);
    expected.put("lead", 17L); // decimal in 1.2, octal (15) in 1.1
    expected.put("sexa", "1:30"); // 90 in 1.1
    expected.put("under", "1_000"); // 1000 in 1.1
    expected.put("t", true);
    expected.put("f", false);
    expected.put("n", null);
    expected.put("null2", null);
    expected.put("empty", null);
    expected.put("fl", 1500.0);
    expected.put("inf", ".inf"); // JSON has no infinity: kept as text
    expected.put("quoted", "12");
    assertThat(v).containsExactlyEntriesOf(expected);
  }

  @Test
  void duplicateKeyIsPositioned() {
    Problem p = onlyProblem("a: 1\nb:\n  c: 2\n  c: 3\n");
    assertThat(p.line()).isEqualTo(4);
    assertThat(p.column()).isEqualTo(3);
    assertThat(p.message()).isEqualTo("duplicate key `c`");
    assertThat(p.hint()).isEqualTo("it is already set on line 3; keep one of them");
  }

  @Test
  void malformedDocumentIsPositioned() {
    Problem p = onlyProblem("a: [1, 2\nb: 3\n");
    assertThat(p.message()).startsWith("invalid YAML: ");
    assertThat(p.line()).isPositive();
    assertThat(p.column()).isPositive();
    assertThat(p.sourceLine()).isNotNull();
  }

  @Test
  void secondDocumentIsRefused() {
    Problem p = onlyProblem("a: 1\n---\nb: 2\n");
    assertThat(p.line()).isEqualTo(2);
    assertThat(p.message()).contains("single document");
  }

  @Test
  void aliasRepeatsItsAnchor() {
    Map<String, Object> v = values("base: &b [x, y]\ncopy: *b\n");
    assertThat(v.get("copy")).isEqualTo(List.of("x", "y"));
  }

  @Test
  void undefinedAliasIsPositioned() {
    Problem p = onlyProblem("a: 1\nb: *nowhere\n");
    assertThat(p.line()).isEqualTo(2);
    assertThat(p.column()).isEqualTo(4);
    assertThat(p.message()).isEqualTo("undefined alias `*nowhere`");
  }

  @Test
  void aliasInsideItsOwnAnchorIsPositioned() {
    Problem p = onlyProblem("a: &loop [1, *loop]\n");
    assertThat(p.line()).isEqualTo(1);
    assertThat(p.column()).isEqualTo(14);
    assertThat(p.message()).isEqualTo("alias `*loop` refers to a node that contains it");
  }

  @Test
  void mergeKeyIsNotYaml12() {
    Problem p = onlyProblem("base: &b {x: 1}\nother:\n  <<: *b\n");
    assertThat(p.line()).isEqualTo(3);
    assertThat(p.column()).isEqualTo(3);
    assertThat(p.message()).isEqualTo("merge keys (`<<`) are not part of YAML 1.2");
  }
}
