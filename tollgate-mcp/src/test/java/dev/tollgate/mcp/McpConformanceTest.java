package dev.tollgate.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tollgate.api.Action;
import dev.tollgate.api.ApprovalRef;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Gate;
import dev.tollgate.api.Observation;
import dev.tollgate.api.ObservationResult;
import dev.tollgate.api.Reason;
import dev.tollgate.api.SessionSpec;
import dev.tollgate.api.ShadowOutcome;
import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.api.store.AuditRecord;
import dev.tollgate.conformance.Conformance;
import dev.tollgate.conformance.GateFactory;
import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.Tollgate;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The conformance corpus through the MCP gateway, the third way in: per case a fresh engine, and
 * per agent a gateway serving Streamable HTTP, in front of servers that define every tool the
 * corpus names (conformance-server.mjs: server {@code email} has tool {@code send}, and so on). The
 * Java SDK's client makes each action a tools/call, and reads the decision back from the result's
 * {@code _meta}. A session is a conversation the client names in {@code _meta}, with the request
 * and user of the session it opened.
 *
 * <p>What MCP cannot express is skipped with its reason in skip.yaml ({@code mcp}); the engine's
 * records (sessions and decisions) must equal the library's for every case that passes.
 */
class McpConformanceTest {
  static final String TOKEN = "tg_conformance-client";
  static final String RESULT_META = "dev.tollgate.conformance/result";

  static Process servers;
  static int port;
  static final List<AutoCloseable> OPEN = new ArrayList<>();

  /** Every server the corpus needs, by name, with its tools. */
  static final Map<String, List<String>> TOOLS = new TreeMap<>();

  @BeforeAll
  static void startServers() throws Exception {
    for (Conformance.Case c : Conformance.cases()) {
      List<String> names = new ArrayList<>(List.of(c.scenario().action().tool()));
      if (c.scenario().session() != null) {
        c.scenario().session().results().forEach(r -> names.add(r.tool()));
        c.scenario().session().history().forEach(h -> names.add(h.tool()));
      }
      for (String tool : names) {
        int dot = tool.indexOf('.');
        List<String> list = TOOLS.computeIfAbsent(tool.substring(0, dot), k -> new ArrayList<>());
        if (!list.contains(tool.substring(dot + 1))) {
          list.add(tool.substring(dot + 1));
        }
      }
    }
    servers =
        new ProcessBuilder(
                "node", Path.of("src/test/node/conformance-server.mjs").toAbsolutePath().toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    String line =
        new BufferedReader(new InputStreamReader(servers.getInputStream(), StandardCharsets.UTF_8))
            .readLine();
    port = Integer.parseInt(line.substring("listening ".length()).strip());
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : OPEN.reversed()) {
      c.close();
    }
    servers.destroy();
  }

  static String config(String agent) {
    StringBuilder b =
        new StringBuilder(
            "agent: " + agent + "\nlisten: 127.0.0.1:0\napproval_wait: 0\nservers:\n");
    TOOLS.forEach(
        (server, tools) ->
            b.append("  ")
                .append(server)
                .append(":\n    url: http://127.0.0.1:")
                .append(port)
                .append("/mcp/")
                .append(server)
                .append("?tools=")
                .append(String.join(",", tools))
                .append('\n'));
    return b.toString();
  }

  /** The gateway as a way in: one engine per case, one gateway and client per agent. */
  static final GateFactory MCP =
      bundle -> {
        Path dir = Files.createTempDirectory("tg-mcp-conf");
        JdbcStore credentials = JdbcStore.open(StoreConfig.sqlite(dir));
        OPEN.add(credentials);
        Tollgate engine = Tollgate.builder().bundle(Bundle.fromFiles(bundle)).build();
        return new GateFactory.Way() {
          @Override
          public Gate gate(String agent) throws Exception {
            credentials
                .credentials()
                .add(agent, StreamableHttpTest.sha256(TOKEN + agent), Instant.now());
            McpGateway gateway =
                McpGateway.startHttp(
                    GatewayConfig.parse(config(agent), "conformance mcp.yaml"),
                    engine.gate(agent),
                    ApprovalWait.NONE,
                    GatewayMain.pinning(engine.toolPins(), agent),
                    ClientTokens.of(credentials.credentials(), agent),
                    System.err);
            OPEN.add(gateway);
            return new ClientGate(agent, client(gateway.uri(), TOKEN + agent));
          }

          @Override
          public List<AuditEntry> audit() {
            return engine.audit().search(AuditQuery.after(0, Integer.MAX_VALUE)).stream()
                .map(AuditRecord::entry)
                .toList();
          }
        };
      };

  static McpSyncClient client(URI uri, String token) {
    McpSyncClient c = Gateways.httpClient(uri, token);
    OPEN.add(c::closeGracefully);
    return c;
  }

  /**
   * A {@link Gate} that is an MCP client of the gateway: a session is a conversation it names in
   * {@code _meta}; a decision is a tools/call, read back from the result's {@code _meta}.
   */
  record ClientGate(String agent, McpSyncClient client, Map<String, SessionSpec> sessions)
      implements Gate {
    private static final AtomicInteger NEXT = new AtomicInteger();

    ClientGate(String agent, McpSyncClient client) {
      this(agent, client, new HashMap<>());
    }

    @Override
    public String openSession(SessionSpec spec) {
      String id = spec.id() != null ? spec.id() : "conversation-" + NEXT.incrementAndGet();
      sessions.put(id, spec);
      return id;
    }

    @Override
    public Decision decide(Action action) {
      return call(action.session(), action.tool(), action.args(), null);
    }

    /**
     * A result the gateway did not see come back from a server (a session's earlier results): the
     * client makes the call, and the server answers with it, so that the gateway observes it. A
     * result of a call the gateway decided was observed when the server answered it.
     */
    @Override
    public ObservationResult observe(Observation observation) {
      if (observation.decision() == null) {
        call(
            observation.session(),
            observation.tool(),
            Map.of(),
            String.valueOf(observation.result()));
      }
      return new ObservationResult(List.of(), List.of());
    }

    @SuppressWarnings("unchecked")
    private Decision call(String session, String tool, Map<String, Object> args, String result) {
      Map<String, Object> meta = new LinkedHashMap<>();
      String conversation = session != null ? session : "conversation-" + NEXT.incrementAndGet();
      meta.put(Conversations.CONVERSATION_META, conversation);
      SessionSpec spec = sessions.get(conversation);
      if (spec != null) {
        if (spec.request() != null) {
          meta.put(Conversations.REQUEST_META, spec.request());
        }
        meta.put(Conversations.USER_META, spec.user());
      }
      if (result != null) {
        meta.put(RESULT_META, result);
      }
      McpSchema.CallToolResult r =
          client.callTool(
              McpSchema.CallToolRequest.builder(tool).arguments(args).meta(meta).build());
      Map<String, Object> d = (Map<String, Object>) r.meta().get(McpGateway.DECISION_META);
      List<Reason> reasons = new ArrayList<>();
      for (Map<String, Object> reason : (List<Map<String, Object>>) d.get("reasons")) {
        reasons.add(new Reason((String) reason.get("policy"), (String) reason.get("message")));
      }
      List<ShadowOutcome> shadow = new ArrayList<>();
      for (Map<String, Object> s :
          (List<Map<String, Object>>) d.getOrDefault("shadow", List.of())) {
        shadow.add(
            new ShadowOutcome(
                (String) s.get("policy"),
                Effect.parse((String) s.get("effect")),
                (String) s.get("message")));
      }
      return new Decision(
          (String) d.get("id"),
          Effect.parse((String) d.get("effect")),
          null,
          reasons,
          List.of(),
          d.get("approval") == null
              ? null
              : new ApprovalRef((String) d.get("approval"), null, null),
          null,
          shadow);
    }
  }

  @TestFactory
  Stream<DynamicTest> everyCasePassesThroughTheGateway() {
    Map<String, String> skips = Conformance.skips("mcp");
    assertEquals(List.of(), Conformance.staleSkips(skips));
    return Conformance.cases().stream()
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.id(),
                    () -> {
                      Conformance.Result r = Conformance.run(c, MCP, skips);
                      if (r.status() == Conformance.Status.FAILED) {
                        fail(c.scenario().where() + "\n" + String.join("\n", r.failures()));
                      }
                      if (r.status() == Conformance.Status.SKIPPED) {
                        System.err.println(
                            "skipped on the gateway: " + c.id() + ": " + r.skipReason());
                      }
                    }));
  }

  /**
   * The engine decides a case's action through the gateway as it does in process: the last decision
   * record (the case's own action; a session's earlier results are calls of their own over MCP) has
   * the same agent, tool, effect, reasons, findings and arguments digest.
   */
  @TestFactory
  Stream<DynamicTest> theGatewaysDecisionRecordsAreTheLibrarys() {
    Map<String, String> skips = Conformance.skips("mcp");
    GateFactory library = Conformance.LIBRARY;
    return Conformance.cases().stream()
        .filter(c -> !skips.containsKey(c.id()))
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.id(),
                    () ->
                        assertEquals(
                            Conformance.lastDecision(c, library),
                            Conformance.lastDecision(c, MCP),
                            c.id())));
  }
}
