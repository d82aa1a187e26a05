package dev.tollgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.api.Effect;
import dev.tollgate.engine.BundleException;
import dev.tollgate.engine.runner.Replayer;
import dev.tollgate.engine.runner.Trace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Keeps policies/baseline honest: its unit tests pass, ordinary sessions of several agents go
 * through without a question, the incidents are stopped, and no policy names a tool.
 */
class BaselinePackTest {
  static final Path PACK = Path.of("..", "policies", "baseline");

  @Test
  void theUnitTestsPass() {
    CliTest.Run r = CliTest.run("test", PACK.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains(" passed, 0 failed"), r.out());
  }

  @Test
  void ordinarySessionsGoThroughWithoutAQuestion() throws IOException, BundleException {
    Path file = PACK.resolve("traces/ordinary.jsonl");
    List<Trace> traces = traces(file);
    Set<String> agents = traces.stream().map(Trace::agent).collect(Collectors.toSet());
    assertTrue(
        agents.containsAll(
            Set.of("invoice-bot", "crm-assistant", "procurement-bot", "ops-bot", "research-bot")),
        agents.toString());
    for (Trace t : traces) {
      for (Trace.Step s : t.steps()) {
        assertEquals(Effect.ALLOW, s.expected(), t.id() + ": every ordinary step expects allow");
      }
    }
    CliTest.Run r = CliTest.run("replay", "--policies", PACK.toString(), file.toString());
    assertEquals(0, r.code(), r.out() + r.err());
  }

  @Test
  void everyIncidentIsStopped() throws IOException, BundleException {
    Path file = PACK.resolve("traces/incidents.jsonl");
    for (Trace t : traces(file)) {
      assertTrue(
          t.steps().stream()
              .anyMatch(s -> s.expected() == Effect.ASK || s.expected() == Effect.DENY),
          t.id() + " stops nothing");
    }
    CliTest.Run r = CliTest.run("replay", "--policies", PACK.toString(), file.toString());
    assertEquals(0, r.code(), r.out() + r.err());
  }

  private static Object yaml(String text) {
    return new Load(LoadSettings.builder().build()).loadFromString(text);
  }

  @Test
  @SuppressWarnings("unchecked")
  void noPolicyNamesATool() throws IOException {
    Map<String, Object> catalog =
        (Map<String, Object>) yaml(Files.readString(PACK.resolve("catalog.yaml")));
    Set<String> tools = ((Map<String, Object>) catalog.get("tools")).keySet();
    Map<String, Object> pack =
        (Map<String, Object>) yaml(Files.readString(PACK.resolve("baseline.yaml")));
    List<Map<String, Object>> policies = (List<Map<String, Object>>) pack.get("policies");
    assertTrue(policies.size() > 10, "policies: " + policies.size());
    for (Map<String, Object> p : policies) {
      String name = String.valueOf(p.get("name"));
      assertFalse(p.containsKey("match"), name + " matches tools by name");
      String text = p.get("when") + " " + p.get("message");
      assertFalse(text.contains("action.tool =="), name + " compares the tool's name");
      for (String tool : tools) {
        assertFalse(text.contains(tool), name + " names " + tool);
      }
    }
  }

  private static List<Trace> traces(Path file) throws IOException, BundleException {
    return Replayer.parse(file.toString(), Files.readString(file));
  }
}
