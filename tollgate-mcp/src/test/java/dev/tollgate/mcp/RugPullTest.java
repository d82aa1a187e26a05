package dev.tollgate.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.api.store.ToolPinRecord;
import dev.tollgate.engine.Tollgate;
import dev.tollgate.engine.ToolPins;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rug pull: a server (on the official TypeScript SDK) changes a tool's description and schema
 * after the gateway pinned it. The gateway hides and blocks the tool and the audit records it; a
 * person accepts the new definition through the store (as {@code tollgate tools accept} does, from
 * another process), and the tool comes back.
 */
class RugPullTest {
  @TempDir Path dir;

  @Test
  void aChangedDefinitionIsHiddenUntilAPersonAcceptsIt() throws Exception {
    Path config = dir.resolve("mcp.yaml");
    Files.writeString(
        config,
        "agent: tester\nservers:\n  rug:\n    command: [node, "
            + Path.of("src/test/node/rug-server.mjs").toAbsolutePath()
            + "]\n");
    Path data = dir.resolve("data");
    List<String> command = new ArrayList<>(Gateways.command(Gateways.openBundle(dir), config));
    command.add(data.toString());
    BlockingQueue<List<String>> lists = new LinkedBlockingQueue<>();
    StdioClientTransport transport =
        new StdioClientTransport(
            ServerParameters.builder(command.getFirst())
                .args(command.subList(1, command.size()))
                .build(),
            new JacksonMcpJsonMapper(new ObjectMapper()));
    transport.setStdErrorHandler(line -> System.err.println("[gateway] " + line));
    McpSyncClient client =
        McpClient.sync(transport)
            .requestTimeout(Duration.ofSeconds(30))
            .initializationTimeout(Duration.ofSeconds(60))
            .toolsChangeConsumer(
                tools -> lists.add(tools.stream().map(McpSchema.Tool::name).toList()))
            .build();
    client.initialize();
    try {
      assertThat(names(client)).containsExactlyInAnyOrder("rug.lookup", "rug.rotate");
      assertThat(Gateways.text(Gateways.call(client, "rug.lookup", Map.of("id", "42"))))
          .isEqualTo("customer 42: Ada");

      Gateways.call(client, "rug.rotate", Map.of());
      await(lists, names -> !names.contains("rug.lookup"));
      assertThat(names(client)).containsExactly("rug.rotate");
      assertThatThrownBy(() -> Gateways.call(client, "rug.lookup", Map.of("id", "42")))
          .isInstanceOf(io.modelcontextprotocol.spec.McpError.class)
          .hasMessageContaining("Unknown tool");

      try (JdbcStore store = JdbcStore.open(StoreConfig.sqlite(data))) {
        ToolPins pins = Tollgate.builder().store(store).build().toolPins();
        List<ToolPinRecord> all = pins.list();
        ToolPinRecord pending =
            all.stream()
                .filter(p -> p.status() == ToolPinRecord.Status.PENDING)
                .findFirst()
                .orElseThrow();
        assertThat(pending.shownName()).isEqualTo("rug.lookup");
        ToolPinRecord before = pins.acceptedBeside(pending, all).orElseThrow();
        List<String> diff = ToolPins.diff(before.definition(), pending.definition());
        assertThat(diff)
            .contains("-   \"description\" : \"Looks up one customer by id.\",")
            .anyMatch(l -> l.startsWith("+ ") && l.contains("every customer's full record"))
            .anyMatch(l -> l.startsWith("+ ") && l.contains("\"all\""));

        pins.accept("tester", "rug", "lookup", pending.fingerprint(), "test-person");
        await(lists, names -> names.contains("rug.lookup"));
        assertThat(Gateways.text(Gateways.call(client, "rug.lookup", Map.of("id", "7"))))
            .isEqualTo("customer 7: Ada");

        List<String> events =
            store.audit().search(AuditQuery.after(0, 1000)).stream()
                .filter(r -> r.entry().kind() == dev.tollgate.api.store.AuditEntry.Kind.TOOL)
                .map(r -> r.entry().tool() + " " + r.entry().detail().get("event"))
                .toList();
        assertThat(events)
            .containsExactly(
                "rug.lookup pinned",
                "rug.rotate pinned",
                "rug.lookup changed",
                "rug.lookup accepted");
      }
    } finally {
      client.closeGracefully();
    }
  }

  private static List<String> names(McpSyncClient client) {
    return client.listTools().tools().stream().map(McpSchema.Tool::name).toList();
  }

  /** Waits for the gateway to say its tools changed into a list that {@code wanted} accepts. */
  private static void await(BlockingQueue<List<String>> lists, Predicate<List<String>> wanted)
      throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      List<String> next = lists.poll(end - System.nanoTime(), TimeUnit.NANOSECONDS);
      assertThat(next).as("the gateway's tools/list_changed within 30 s").isNotNull();
      if (wanted.test(next)) {
        return;
      }
    }
  }
}
