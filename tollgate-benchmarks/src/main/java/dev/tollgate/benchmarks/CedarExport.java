package dev.tollgate.benchmarks;

import dev.tollgate.api.Decision;
import dev.tollgate.api.Reason;
import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.Tollgate;
import dev.tollgate.json.ApiJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the Cedar side of {@link DecideBenchmark#decideCedarEquivalent} for the Node peer: per
 * (mix, count) the Cedar policies, the request, the action JSON and the decision Tollgate reaches,
 * which the peer checks before it times anything. One generator feeds both engines, so the two sets
 * cannot drift apart.
 *
 * <p>{@code java -cp benchmarks.jar dev.tollgate.benchmarks.CedarExport <directory>}
 */
public final class CedarExport {
  private CedarExport() {}

  public static void main(String[] argv) throws Exception {
    Path dir = Path.of(argv.length > 0 ? argv[0] : "target/cedar-sets");
    Files.createDirectories(dir);
    String actionJson = PolicySets.actionJson();
    for (String mix : List.of("specific", "wildcard")) {
      for (int count : List.of(10, 100, 1000)) {
        PolicySets.Generated set = PolicySets.cedarEquivalent(count, mix);
        Tollgate tollgate =
            Tollgate.builder().bundle(Bundle.fromFiles(set.tollgateFiles())).build();
        Decision d = tollgate.decide(PolicySets.AGENT, ApiJson.readAction(actionJson));
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("decision", d.effect().wireName());
        expected.put("reasons", d.reasons().stream().map(Reason::policy).sorted().toList());

        Map<String, Object> request = new LinkedHashMap<>();
        request.put("principal", entity("Agent", PolicySets.AGENT));
        request.put("action", entity("Action", PolicySets.TOOL));
        request.put("resource", entity("Tool", PolicySets.TOOL));
        request.put("context", PolicySets.cedarContext());
        request.put("entities", List.of());

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("mix", mix);
        out.put("policies", (long) count);
        out.put("cedar", set.cedarPolicies());
        out.put("request", request);
        out.put("actionJson", actionJson);
        out.put("expected", expected);
        StringBuilder text = new StringBuilder();
        PolicySets.writeJson(text, out);
        Files.writeString(dir.resolve(mix + "-" + count + ".json"), text, StandardCharsets.UTF_8);
        Files.writeString(
            dir.resolve(mix + "-" + count + ".cedar"),
            String.join("\n\n", set.cedarPolicies().values()) + "\n",
            StandardCharsets.UTF_8);
        Files.writeString(
            dir.resolve(mix + "-" + count + ".yaml"),
            set.tollgateFiles().get("policies.yaml"),
            StandardCharsets.UTF_8);
      }
    }
    System.out.println("wrote the Cedar-equivalent sets to " + dir);
  }

  private static Map<String, Object> entity(String type, String id) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("type", type);
    e.put("id", id);
    return e;
  }
}
