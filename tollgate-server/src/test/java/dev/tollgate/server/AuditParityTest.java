package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.conformance.Conformance;
import dev.tollgate.conformance.GateFactory;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The library and the server write the same audit records: every conformance case runs through the
 * in-process engine (its memory audit log) and through the server and its client (SQLite), and the
 * records the engine writes must be equal once what differs between any two runs (times, latencies,
 * generated ids) is normalized away. The server's own records of HTTP-level refusals
 * (authentication, JSON, limits) have no library counterpart and are left out.
 */
class AuditParityTest {
  /** The kinds the engine writes for every way in. */
  private static final Set<String> ENGINE_KINDS =
      Set.of("decision", "retry", "rejected", "session", "observe", "approval", "grant");

  private static final GateFactory LIBRARY = Conformance.LIBRARY;

  @AfterAll
  static void closeAll() throws Exception {
    ServerConformanceTest.closeAll();
  }

  /** Runs a case and returns the engine's records of it. */
  private static List<AuditEntry> recorded(Conformance.Case c, GateFactory factory)
      throws Exception {
    return Conformance.normalized(
        Conformance.audited(c, factory).stream()
            .filter(e -> ENGINE_KINDS.contains(e.kind().wireName()))
            // the server's own records of refused HTTP requests name a status; the engine's do not
            .filter(
                e -> !(e.kind().wireName().equals("rejected") && e.detail().containsKey("status")))
            .toList());
  }

  @TestFactory
  Stream<DynamicTest> theLibraryAndTheServerWriteTheSameRecords() {
    Map<String, String> skips = Conformance.skips("server");
    return Conformance.cases().stream()
        .filter(c -> !skips.containsKey(c.id()))
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.id(),
                    () -> {
                      List<AuditEntry> library = recorded(c, LIBRARY);
                      List<AuditEntry> server = recorded(c, ServerConformanceTest.SERVER);
                      assertThat(library).isNotEmpty();
                      assertThat(server).as(c.id()).isEqualTo(library);
                    }));
  }
}
