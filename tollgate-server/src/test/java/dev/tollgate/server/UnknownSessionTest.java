package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Gate;
import dev.tollgate.api.Observation;
import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.api.store.AuditLog;
import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.api.store.AuditRecord;
import dev.tollgate.client.TollgateClient;
import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.Tollgate;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An unknown session through every way in: the library and the client deny a decide with the same
 * reason and throw on an observe; the server answers 404; each records exactly one {@code rejected}
 * record, written by the engine (never a second one by the server).
 */
class UnknownSessionTest {
  @TempDir Path dir;
  private JdbcStore store;
  private TollgateServer server;
  private String token;

  @BeforeEach
  void start() throws Exception {
    store = JdbcStore.open(StoreConfig.sqlite(dir));
    token = Tokens.newToken();
    store.credentials().add("bot", Tokens.hash(token), Instant.now());
    server = TollgateServer.builder().port(0).store(store).bundle(Bundle.empty()).start();
  }

  @AfterEach
  void stop() {
    server.close();
    store.close();
  }

  private static List<AuditEntry> rejected(AuditLog log) {
    return log.search(AuditQuery.after(0, 1_000)).stream()
        .map(AuditRecord::entry)
        .filter(e -> e.kind().wireName().equals("rejected"))
        .toList();
  }

  private static void refusedOnce(AuditLog log, String code) {
    List<AuditEntry> rejected = rejected(log);
    assertThat(rejected).hasSize(1);
    assertThat(rejected.getFirst().detail())
        .containsEntry("code", code)
        .containsEntry("field", "/session")
        .doesNotContainKey("status");
  }

  @Test
  void aDecideIsTheSameDenyFromTheLibraryAndTheClient() {
    Tollgate library = Tollgate.builder().build();
    Gate client = TollgateClient.connect(server.uri(), "bot", token);
    Action action = Action.of("s-nope", "alice", "mail.send", Map.of());

    Decision local = library.gate("bot").decide(action);
    Decision remote = client.decide(action);

    for (Decision d : List.of(local, remote)) {
      assertThat(d.effect()).isEqualTo(Effect.DENY);
      assertThat(d.policies()).containsExactly(Tollgate.INTERNAL);
    }
    assertThat(remote.reasons()).isEqualTo(local.reasons());
    refusedOnce(library.audit(), "unknown_session");
    refusedOnce(store.audit(), "unknown_session");
  }

  @Test
  void anObserveThrowsFromTheLibraryAndTheClientAndIsA404() throws Exception {
    Tollgate library = Tollgate.builder().build();
    Observation observation = new Observation("s-nope", "mail.read", null, "hello");

    assertThatThrownBy(() -> library.gate("bot").observe(observation))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown session `s-nope`");
    assertThatThrownBy(
            () -> TollgateClient.connect(server.uri(), "bot", token).observe(observation))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown session `s-nope`");
    HttpResponse<String> raw =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(server.uri().resolve("/v1/observe"))
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"session\":\"s-nope\",\"tool\":\"mail.read\",\"result\":\"x\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(raw.statusCode()).isEqualTo(404);
    assertThat(raw.body()).contains("unknown_session");

    refusedOnce(library.audit(), "unknown_session");
    assertThat(rejected(store.audit())).hasSize(2); // the client's observe and the raw one
    assertThat(rejected(store.audit()))
        .allSatisfy(e -> assertThat(e.detail()).doesNotContainKey("status"));
  }

  @Test
  void anInvalidSessionIdIsTheSameDenyFromTheLibraryAndTheClient() {
    Tollgate library = Tollgate.builder().build();
    Action action = Action.of("a b", "alice", "mail.send", Map.of());

    Decision local = library.gate("bot").decide(action);
    Decision remote = TollgateClient.connect(server.uri(), "bot", token).decide(action);

    assertThat(remote.effect()).isEqualTo(Effect.DENY);
    assertThat(remote.reasons()).isEqualTo(local.reasons());
    refusedOnce(library.audit(), "invalid_session_id");
    refusedOnce(store.audit(), "invalid_session_id");
  }
}
