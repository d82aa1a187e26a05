package dev.tollgate.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.api.ApprovalStatus;
import dev.tollgate.api.Effect;
import dev.tollgate.api.store.ApprovalRecord;
import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.api.store.AuditRecord;
import dev.tollgate.api.store.GrantRecord;
import dev.tollgate.api.store.ObservedResult;
import dev.tollgate.api.store.StoreUnavailableException;
import dev.tollgate.store.jdbc.audit.AuditChain;
import dev.tollgate.store.jdbc.audit.AuditSigner;
import dev.tollgate.store.jdbc.audit.AuditVerifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store that main wrote at 7176e45, when approval statuses and kinds, audit kinds and effects,
 * grant subjects and result trust were strings ({@code src/test/resources/states-7176e45}: the
 * SQLite file, the checkpoint's public key, each record's hash and kind as written then, and {@code
 * Gen.java}, the program that wrote them against that commit's jars). It holds every value of each
 * of those states. Read by the typed code, every value comes back as its constant, the audit still
 * verifies as stored and as read back and encoded again, the chain goes on, and a value the code
 * does not know fails the read rather than counting as anything.
 */
class OldStatesTest {
  private static final Path WRITTEN = Path.of("src/test/resources/states-7176e45");
  private static final String SESSION = "bot/ses_01M92PX0M0YHEYZAWJCK2GEW6F";

  @TempDir Path dir;

  private JdbcStore open() throws Exception {
    Files.copy(WRITTEN.resolve(StoreConfig.SQLITE_FILE), dir.resolve(StoreConfig.SQLITE_FILE));
    return JdbcStore.open(StoreConfig.sqlite(dir));
  }

  @Test
  void theAuditWrittenWithStringKindsVerifiesReadsBackTypedAndGoesOn() throws Exception {
    PublicKey key = AuditSigner.readPublicKey(WRITTEN.resolve(AuditSigner.PUBLIC_FILE));
    try (JdbcStore store = open()) {
      AuditVerifier.Result asStored = AuditVerifier.verify(store.audit(), key);
      assertThat(asStored.ok()).as(asStored.message()).isTrue();
      assertThat(asStored.records()).isEqualTo(37);
      assertThat(asStored.checkpoints()).isEqualTo(1);

      List<AuditRecord> read = store.audit().search(AuditQuery.after(0, 100));
      List<String> written =
          Files.readAllLines(WRITTEN.resolve("hashes.txt"), StandardCharsets.UTF_8);
      assertThat(read).hasSize(written.size());
      for (int i = 0; i < read.size(); i++) {
        AuditRecord r = read.get(i);
        assertThat(r.seq() + " " + r.hash() + " " + r.entry().kind().wireName())
            .isEqualTo(written.get(i));
        assertThat(AuditChain.link(r.seq(), r.entry(), r.prevHash())).isEqualTo(r);
      }
      // every kind there was when the store was written (the kill switch's `pause` and the MCP
      // gateway's `tool` came later)
      assertThat(read.stream().map(r -> r.entry().kind()).collect(Collectors.toSet()))
          .isEqualTo(EnumSet.complementOf(EnumSet.of(AuditEntry.Kind.PAUSE, AuditEntry.Kind.TOOL)));
      assertThat(read.stream().map(r -> r.entry().effect()).collect(Collectors.toSet()))
          .containsExactlyInAnyOrder(Effect.ALLOW, Effect.ASK, Effect.DENY, null);
      AuditVerifier.Result reencoded = AuditVerifier.verify(read, store.audit().checkpoints(), key);
      assertThat(reencoded.ok()).as(reencoded.message()).isTrue();

      // typed filters find what the string filters found
      assertThat(
              store
                  .audit()
                  .search(
                      new AuditQuery(
                          null,
                          null,
                          null,
                          Effect.ASK,
                          AuditEntry.Kind.DECISION,
                          null,
                          null,
                          null,
                          0,
                          100))
                  .stream()
                  .map(r -> r.entry().effect()))
          .isNotEmpty()
          .containsOnly(Effect.ASK);

      store
          .audit()
          .append(
              List.of(
                  new AuditEntry(
                      Instant.parse("2026-12-05T10:00:00Z"),
                      AuditEntry.Kind.GRANT,
                      "bot",
                      null,
                      null,
                      "email.send",
                      null,
                      null,
                      List.of(),
                      List.of(),
                      null,
                      0,
                      Map.of("event", "grant.revoked"))));
      AuditVerifier.Result goneOn = AuditVerifier.verify(store.audit(), key);
      assertThat(goneOn.ok()).as(goneOn.message()).isTrue();
      assertThat(goneOn.records()).isEqualTo(38);
    }
  }

  @Test
  void approvalsGrantsAndResultsWrittenAsStringsReadBackTyped() throws Exception {
    Instant at = Instant.parse("2026-12-05T09:20:05Z");
    try (JdbcStore store = open()) {
      List<ApprovalRecord> approvals = store.approvals().list(null, at, 100);
      assertThat(approvals.stream().map(ApprovalRecord::status).collect(Collectors.toSet()))
          .isEqualTo(EnumSet.allOf(ApprovalStatus.class));
      assertThat(approvals.stream().map(ApprovalRecord::kind).collect(Collectors.toSet()))
          .isEqualTo(EnumSet.allOf(ApprovalRecord.Kind.class));
      for (ApprovalStatus s : ApprovalStatus.values()) {
        assertThat(store.approvals().list(s, at, 100))
            .as("listed as %s", s.wireName())
            .isNotEmpty()
            .allMatch(a -> a.status(at) == s);
      }

      List<GrantRecord> grants = store.approvals().grants().list(false, at, 100);
      assertThat(grants.stream().map(GrantRecord::subjectKind).collect(Collectors.toSet()))
          .isEqualTo(EnumSet.allOf(GrantRecord.SubjectKind.class));
      assertThat(grants.stream().map(g -> g.status(at)).collect(Collectors.toSet()))
          .isEqualTo(
              Set.of(
                  GrantRecord.Status.ACTIVE, GrantRecord.Status.USED, GrantRecord.Status.REVOKED));

      assertThat(store.sessions().results(SESSION, 0))
          .extracting(ObservedResult::tool, ObservedResult::trust)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("invoices.search", ObservedResult.Trust.TRUSTED),
              org.assertj.core.groups.Tuple.tuple("web.fetch", ObservedResult.Trust.UNTRUSTED));
    }
  }

  @Test
  void aStoredValueTheCodeDoesNotKnowFailsTheReadAndSaysWhatAndWhere() throws Exception {
    try (JdbcStore store = open()) {
      String approval = store.approvals().list(null, Instant.EPOCH, 1).getFirst().id();
      String grant = store.approvals().grants().list(false, Instant.EPOCH, 1).getFirst().id();
      try (Connection c =
              DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(StoreConfig.SQLITE_FILE));
          Statement s = c.createStatement()) {
        s.executeUpdate("UPDATE approval SET status = 'pendng' WHERE id = '" + approval + "'");
        s.executeUpdate("UPDATE grants SET subject_kind = 'team' WHERE id = '" + grant + "'");
        s.executeUpdate("UPDATE session_result SET trust = 'trustd' WHERE seq = 1");
      }
      assertThatThrownBy(() -> store.approvals().get(approval))
          .isInstanceOf(StoreUnavailableException.class)
          .rootCause()
          .hasMessage(
              "unknown approval status in the store `pendng`: did you mean `pending`? use one of"
                  + " pending, approved, denied, expired");
      assertThatThrownBy(() -> store.approvals().grants().get(grant))
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining("unreadable grant " + grant)
          .rootCause()
          .hasMessage("unknown grant subject in the store `team`: use one of agent, session, user");
      assertThatThrownBy(() -> store.sessions().results(SESSION, 0))
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining("unreadable result 1 of session " + SESSION)
          .rootCause()
          .hasMessage(
              "unknown trust in the store `trustd`: did you mean `trusted`? use one of trusted,"
                  + " untrusted");
    }
  }
}
