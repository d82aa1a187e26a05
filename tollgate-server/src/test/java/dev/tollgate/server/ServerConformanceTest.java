package dev.tollgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tollgate.api.Gate;
import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.api.store.AuditRecord;
import dev.tollgate.client.TollgateClient;
import dev.tollgate.conformance.Conformance;
import dev.tollgate.conformance.GateFactory;
import dev.tollgate.engine.Bundle;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** The conformance corpus through HTTP: a real server and store per case, the real client. */
class ServerConformanceTest {
  private static final List<AutoCloseable> OPEN =
      java.util.Collections.synchronizedList(new ArrayList<>());

  /**
   * A fresh store and server per case, and a client per agent (each with its own token); all are
   * closed after the suite.
   */
  static final GateFactory SERVER =
      bundle -> {
        JdbcStore store = JdbcStore.open(StoreConfig.sqlite(Files.createTempDirectory("tg-conf")));
        TollgateServer server =
            TollgateServer.builder().port(0).store(store).bundle(Bundle.fromFiles(bundle)).start();
        OPEN.add(server);
        OPEN.add(store);
        return new GateFactory.Way() {
          @Override
          public Gate gate(String agent) {
            String token = Tokens.newToken();
            store.credentials().add(agent, Tokens.hash(token), Instant.now());
            return TollgateClient.connect(server.uri(), agent, token);
          }

          @Override
          public List<AuditEntry> audit() {
            return store.audit().search(AuditQuery.after(0, 100_000)).stream()
                .map(AuditRecord::entry)
                .toList();
          }
        };
      };

  @AfterAll
  static void closeAll() throws Exception {
    for (AutoCloseable c : OPEN) {
      c.close();
    }
    OPEN.clear();
  }

  @TestFactory
  Stream<DynamicTest> everyCasePassesThroughTheServer() {
    Map<String, String> skips = Conformance.skips("server");
    assertEquals(List.of(), Conformance.staleSkips(skips));
    return Conformance.cases().stream()
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.id(),
                    () -> {
                      Conformance.Result r = Conformance.run(c, SERVER, skips);
                      if (r.status() == Conformance.Status.FAILED) {
                        fail(c.scenario().where() + "\n" + String.join("\n", r.failures()));
                      }
                      assertEquals(Conformance.Status.PASSED, r.status(), r.skipReason());
                    }));
  }
}
