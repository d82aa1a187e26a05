package dev.tollgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Observation;
import dev.tollgate.api.SessionSpec;
import dev.tollgate.client.TollgateClient;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code tollgate serve} started from the command line on one PostgreSQL, sharing their keys: a
 * session opened and observed on one is decided on the other (data flow included, which needs the
 * same fingerprint key), and the one audit chain, checkpointed by both, verifies.
 */
class ServePostgresTest {
  private static final Pattern AGENT_TOKEN =
      Pattern.compile("first agent `invoice-bot`, token[^\\n]*\\n\\s+(tg_\\S+)");

  @TempDir Path dir;
  private EmbeddedPostgres postgres;
  private String url;

  @BeforeEach
  void startPostgres() throws Exception {
    postgres = EmbeddedPostgres.builder().start();
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE tollgate");
    }
    url = "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/tollgate";
  }

  @AfterEach
  void stopPostgres() throws Exception {
    postgres.close();
  }

  private Served serve(String name, Path keys) throws Exception {
    Served served =
        Served.tryStart(
            List.of(
                "--port",
                "0",
                "--jdbc",
                url,
                "--user",
                "postgres",
                "--keys",
                keys.toString(),
                "--data",
                dir.resolve(name).toString(),
                "--policies",
                Served.INVOICE_EXAMPLE.toString(),
                "--checkpoint-every",
                "1h"));
    assertNotNull(served.running(), served.err());
    return served;
  }

  private static Action mail(String session, String body) {
    return Action.of(
        session,
        "alice@acme.example",
        "email.send",
        Map.of("to", List.of("ap@globex.example"), "body", body));
  }

  @Test
  void twoServersOnOnePostgresDecideEachOthersSessionsAndKeepOneVerifiableChain() throws Exception {
    Path keys = dir.resolve("keys");
    Served a = serve("a", keys);
    Served b;
    Decision withDetails;
    try (ServeCommand.Running ra = a.running()) {
      Matcher m = AGENT_TOKEN.matcher(a.out());
      assertTrue(m.find(), a.out());
      String token = m.group(1);
      b = serve("b", keys);
      try (ServeCommand.Running rb = b.running()) {
        assertFalse(b.out().contains("shown once"), "the store was set up by a: " + b.out());
        assertTrue(b.out().contains("store: " + url + " as postgres"), b.out());
        TollgateClient onA = TollgateClient.connect(ra.server.uri(), "invoice-bot", token);
        TollgateClient onB = TollgateClient.connect(rb.server.uri(), "invoice-bot", token);

        String session =
            onA.openSession(
                SessionSpec.of(
                    "alice@acme.example",
                    "Can you notify the vendor we need updated tax documents?"));
        onA.observe(
            new Observation(
                session, "invoices.search", null, "invoice 4471, EUR 18,200.00, due 2026-12-01"));
        Decision plain =
            onB.decide(mail(session, "Hello, please send us an updated W-9 by Friday."));
        assertEquals(Effect.ALLOW, plain.effect(), plain.toString());
        // What a read on a re-appears in a mail decided on b: b finds it with the same key.
        withDetails =
            onB.decide(mail(session, "Hello, please send a new W-9. Re inv 4471, 18200 EUR."));
        assertEquals(Effect.ASK, withDetails.effect(), withDetails.toString());
        assertEquals(List.of("external-send-with-financial-data"), withDetails.policies());
        assertEquals(Optional.of(withDetails), onA.decision(withDetails.id()));
      } // b signs a checkpoint as it stops
      Decision afterB =
          TollgateClient.connect(ra.server.uri(), "invoice-bot", token)
              .decide(mail(null, "Hello, please send us an updated W-9."));
      assertEquals(Effect.ALLOW, afterB.effect(), afterB.toString());
    } // and a signs one of the record after it: verify checks both with one public key
    assertTrue(Files.isRegularFile(keys.resolve("fingerprint.key")));
    Served other = serve("c", dir.resolve("other-keys"));
    try (ServeCommand.Running running = other.running()) {
      assertTrue(
          other.err().contains("servers sharing a store must share their keys (--keys)"),
          "a server with keys of its own is told: " + other.err());
    }
    assertFalse(Files.exists(dir.resolve("a")), "on PostgreSQL the data directory is not used");

    CliTest.Run verify =
        CliTest.run(
            "audit",
            "verify",
            "--jdbc",
            url,
            "--user",
            "postgres",
            "--key",
            keys.resolve("audit-key.pub").toString());
    assertEquals(0, verify.code(), verify.out() + verify.err());
    assertTrue(
        verify.out().matches("ok: \\d+ records, 2 signed checkpoints, chain intact\\s*"),
        verify.out());
    CliTest.Run pending = CliTest.run("approvals", "list", "--jdbc", url, "--user", "postgres");
    assertEquals(0, pending.code(), pending.err());
    assertTrue(pending.out().contains(withDetails.approval().id()), pending.out());
  }
}
