package dev.tollgate.store.jdbc.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.Effect;
import dev.tollgate.api.Finding;
import dev.tollgate.api.Reason;
import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.api.store.AuditRecord;
import dev.tollgate.api.store.Checkpoint;
import dev.tollgate.store.jdbc.audit.AuditVerifier.Problem;
import dev.tollgate.store.jdbc.audit.AuditVerifier.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditVerifierTest {

  private static final AuditSigner SIGNER = AuditSigner.generate();

  static AuditEntry entry(int i) {
    return new AuditEntry(
        Instant.parse("2026-01-01T00:00:00Z").plusMillis(i),
        AuditEntry.Kind.DECISION,
        "bot",
        "alice@acme.example",
        "s-1",
        "email.send",
        i % 2 == 0 ? Effect.ALLOW : Effect.DENY,
        "d-" + i,
        List.of(new Reason("p", "message \"" + i + "\"\n")),
        List.of(new Finding("iban", "financial", "/args/body", "DE89 •••• 3000")),
        "sha256:" + "ab".repeat(32),
        42,
        Map.of("n", (long) i, "x", 1.5, "nested", Map.of("b", List.of(true, "é")), "z", "end"));
  }

  static List<AuditRecord> chain(int n) {
    List<AuditRecord> out = new ArrayList<>();
    String prev = AuditChain.GENESIS;
    for (int i = 1; i <= n; i++) {
      AuditRecord r = AuditChain.link(i, entry(i), prev);
      out.add(r);
      prev = r.hash();
    }
    return out;
  }

  static Checkpoint checkpointAt(List<AuditRecord> records, int seq) {
    return SIGNER.sign(seq, records.get(seq - 1).hash(), Instant.parse("2026-01-02T00:00:00Z"));
  }

  private static Result verify(List<AuditRecord> records, List<Checkpoint> cps) {
    return AuditVerifier.verify(records, cps, SIGNER.publicKey());
  }

  private static AuditRecord renumber(AuditRecord r, long seq) {
    return new AuditRecord(seq, r.entry(), r.prevHash(), r.hash());
  }

  @Test
  void canonicalEncodingIsSortedDeterministicAndRoundTrips() {
    AuditEntry e = entry(3);
    String canonical = AuditChain.canonicalEntry(e);
    assertThat(canonical)
        .startsWith("{\"agent\":\"bot\",\"argsDigest\":")
        .contains("\"detail\":{\"n\":3,\"nested\":{\"b\":[true,\"é\"]},\"x\":1.5,\"z\":\"end\"}")
        .contains("\"time\":\"2026-01-01T00:00:00.003000000Z\"")
        .contains("\"message\":\"message \\\"3\\\"\\n\"");
    assertThat(AuditChain.parseEntry(canonical)).isEqualTo(e);
    assertThat(AuditChain.canonicalEntry(AuditChain.parseEntry(canonical))).isEqualTo(canonical);
    assertThat(AuditChain.canonicalRecord(7, e, AuditChain.GENESIS))
        .startsWith("{\"entry\":{")
        .endsWith(",\"prevHash\":\"" + AuditChain.GENESIS + "\",\"seq\":7}");
    assertThat(AuditChain.hash(7, e, AuditChain.GENESIS))
        .matches("sha256:[0-9a-f]{64}")
        .isEqualTo(AuditChain.hash(7, AuditChain.parseEntry(canonical), AuditChain.GENESIS))
        .isNotEqualTo(AuditChain.hash(8, e, AuditChain.GENESIS));
    assertThat(AuditChain.sha256("abc"))
        .isEqualTo("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void anIntactLogVerifies() {
    List<AuditRecord> records = chain(20);
    Result r = verify(records, List.of(checkpointAt(records, 10), checkpointAt(records, 20)));
    assertThat(r.ok()).as(r.message()).isTrue();
    assertThat(verify(List.of(), List.of()).ok()).isTrue();
  }

  @Test
  void modificationIsFound() {
    List<AuditRecord> records = chain(10);
    AuditRecord r = records.get(4);
    records.set(4, new AuditRecord(5, entry(99), r.prevHash(), r.hash()));
    Result result = verify(records, List.of());
    assertThat(result.problem()).isEqualTo(Problem.MODIFIED);
    assertThat(result.seq()).isEqualTo(5);
  }

  @Test
  void modificationWithARecomputedHashIsFoundAtTheRewrittenRecord() {
    List<AuditRecord> records = chain(10);
    records.set(4, AuditChain.link(5, entry(99), records.get(3).hash()));
    Result result = verify(records, List.of());
    assertThat(result.problem()).isEqualTo(Problem.MODIFIED);
    assertThat(result.seq()).isEqualTo(5);
  }

  @Test
  void deletionIsFound() {
    List<AuditRecord> records = chain(10);
    records.remove(3);
    Result result = verify(records, List.of());
    assertThat(result.problem()).isEqualTo(Problem.DELETED);
    assertThat(result.seq()).isEqualTo(4);
    assertThat(result.message()).contains("record 4 is missing");
  }

  @Test
  void deletionWithRenumberingIsFound() {
    List<AuditRecord> records = chain(10);
    records.remove(3);
    for (int i = 3; i < records.size(); i++) {
      records.set(i, renumber(records.get(i), i + 1));
    }
    Result result = verify(records, List.of());
    assertThat(result.problem()).isEqualTo(Problem.DELETED);
    assertThat(result.seq()).isEqualTo(4);
  }

  @Test
  void insertionIsFound() {
    List<AuditRecord> records = chain(10);
    records.add(4, AuditChain.link(4, entry(77), records.get(2).hash()));
    Result result = verify(records, List.of());
    assertThat(result.problem()).isEqualTo(Problem.INSERTED);
    assertThat(result.seq()).isEqualTo(4);
  }

  @Test
  void insertionWithRenumberingIsFound() {
    List<AuditRecord> records = chain(10);
    records.add(3, AuditChain.link(4, entry(77), records.get(2).hash()));
    for (int i = 4; i < records.size(); i++) {
      records.set(i, renumber(records.get(i), i + 1));
    }
    Result result = verify(records, List.of());
    assertThat(result.problem()).isEqualTo(Problem.INSERTED);
    assertThat(result.seq()).isEqualTo(4);
  }

  @Test
  void insertionOfAnUnchainedRecordIsFound() {
    List<AuditRecord> records = chain(10);
    records.add(3, new AuditRecord(4, entry(77), "sha256:" + "1".repeat(64), "bogus"));
    for (int i = 4; i < records.size(); i++) {
      records.set(i, renumber(records.get(i), i + 1));
    }
    Result result = verify(records, List.of());
    assertThat(result.problem()).isEqualTo(Problem.INSERTED);
    assertThat(result.seq()).isEqualTo(4);
  }

  @Test
  void reorderingIsFound() {
    List<AuditRecord> records = chain(10);
    Collections.swap(records, 5, 6);
    Result asStored = verify(records, List.of());
    assertThat(asStored.problem()).isEqualTo(Problem.REORDERED);
    assertThat(asStored.seq()).isEqualTo(6);
    records.set(5, renumber(records.get(5), 6));
    records.set(6, renumber(records.get(6), 7));
    Result renumbered = verify(records, List.of());
    assertThat(renumbered.problem()).isEqualTo(Problem.REORDERED);
    assertThat(renumbered.seq()).isEqualTo(6);
  }

  @Test
  void truncationBackBeforeACheckpointIsFound() {
    List<AuditRecord> records = chain(20);
    List<Checkpoint> cps = List.of(checkpointAt(records, 10), checkpointAt(records, 15));
    List<AuditRecord> truncated = new ArrayList<>(records.subList(0, 12));
    Result result = verify(truncated, cps);
    assertThat(result.problem()).isEqualTo(Problem.TRUNCATED);
    assertThat(result.seq()).isEqualTo(13);
    assertThat(verify(records.subList(0, 15), cps).ok()).isTrue();
  }

  @Test
  void aRewrittenChainIsFoundByItsCheckpoint() {
    List<AuditRecord> records = chain(20);
    List<Checkpoint> cps = List.of(checkpointAt(records, 10));
    List<AuditRecord> forged = new ArrayList<>(records.subList(0, 4));
    String prev = forged.getLast().hash();
    for (int i = 5; i <= 20; i++) {
      AuditRecord r = AuditChain.link(i, entry(i + 100), prev);
      forged.add(r);
      prev = r.hash();
    }
    Result result = verify(forged, cps);
    assertThat(result.problem()).isEqualTo(Problem.CHECKPOINT_MISMATCH);
    assertThat(result.seq()).isEqualTo(10);
  }

  @Test
  void aForgedCheckpointIsFound() {
    List<AuditRecord> records = chain(10);
    Checkpoint good = checkpointAt(records, 5);
    Checkpoint forged =
        new Checkpoint(
            good.seq(), good.hash(), good.time().plusSeconds(1), good.keyId(), good.signature());
    Result result = verify(records, List.of(forged));
    assertThat(result.problem()).isEqualTo(Problem.BAD_SIGNATURE);
    assertThat(result.seq()).isEqualTo(5);
    Checkpoint otherKey = AuditSigner.generate().sign(5, good.hash(), good.time());
    assertThat(verify(records, List.of(otherKey)).problem()).isEqualTo(Problem.BAD_SIGNATURE);
  }

  @Test
  void theFirstBadRecordIsNamedWhenThereAreSeveral() {
    List<AuditRecord> records = chain(10);
    records.remove(7);
    AuditRecord r = records.get(2);
    records.set(2, new AuditRecord(3, entry(55), r.prevHash(), r.hash()));
    assertThat(verify(records, List.of()).seq()).isEqualTo(3);
  }

  /** The tables as the store writes them: every column from the record, the head at the last. */
  static AuditTables.Contents stored(List<AuditRecord> records, List<Checkpoint> checkpoints) {
    List<AuditTables.RecordRow> rows = new ArrayList<>();
    for (AuditRecord r : records) {
      List<String> columns = new ArrayList<>();
      for (AuditColumn column : AuditColumn.ALL) {
        columns.add(column.of(r.entry()));
      }
      rows.add(
          new AuditTables.RecordRow(
              r.seq(), columns, AuditChain.canonicalEntry(r.entry()), r.prevHash(), r.hash()));
    }
    List<AuditTables.CheckpointRow> cps = new ArrayList<>();
    for (Checkpoint cp : checkpoints) {
      cps.add(
          new AuditTables.CheckpointRow(
              cps.size() + 1,
              cp.seq(),
              cp.hash(),
              AuditChain.time(cp.time()),
              cp.keyId(),
              cp.signature()));
    }
    AuditRecord last = records.getLast();
    return new AuditTables.Contents(
        rows, cps, List.of(new AuditTables.HeadRow(1, last.seq(), last.hash())));
  }

  private static Result verify(AuditTables.Contents contents) {
    return AuditVerifier.verify(() -> contents, SIGNER.publicKey());
  }

  private static AuditTables.RecordRow withColumn(
      AuditTables.RecordRow row, AuditColumn column, String value) {
    List<String> columns = new ArrayList<>(row.columns());
    columns.set(column.ordinal(), value);
    return new AuditTables.RecordRow(row.seq(), columns, row.entry(), row.prevHash(), row.hash());
  }

  @Test
  void tablesAsStoredVerifyAndEachCopyOfAnEntryFieldIsCompared() {
    List<AuditRecord> records = chain(6);
    AuditTables.Contents intact = stored(records, List.of(checkpointAt(records, 4)));
    Result ok = verify(intact);
    assertThat(ok.ok()).as(ok.message()).isTrue();
    assertThat(ok.records()).isEqualTo(6);

    List<AuditTables.RecordRow> rows = new ArrayList<>(intact.records());
    rows.set(2, withColumn(rows.get(2), AuditColumn.EFFECT, "allow"));
    rows.set(4, withColumn(rows.get(4), AuditColumn.USER, null));
    Result changed = verify(new AuditTables.Contents(rows, intact.checkpoints(), intact.heads()));
    assertThat(changed.problem()).isEqualTo(Problem.COLUMN_MISMATCH);
    assertThat(changed.seq()).isEqualTo(3);
    assertThat(changed.message())
        .isEqualTo("column effect is \"allow\" but the hashed entry says \"deny\"");

    rows.set(2, intact.records().get(2));
    assertThat(
            verify(new AuditTables.Contents(rows, intact.checkpoints(), intact.heads())).message())
        .isEqualTo("column user_name is null but the hashed entry says \"alice@acme.example\"");
  }

  @Test
  void storedValuesInMessagesAreQuotedEscapedAndCut() {
    List<AuditRecord> records = chain(3);
    AuditTables.Contents intact = stored(records, List.of());
    List<AuditTables.RecordRow> rows = new ArrayList<>(intact.records());
    String hostile = "\u001b[2J\"evil\"\\\u202e\n" + "x".repeat(300);
    rows.set(1, withColumn(rows.get(1), AuditColumn.AGENT, hostile));
    Result r = verify(new AuditTables.Contents(rows, List.of(), intact.heads()));
    assertThat(r.problem()).isEqualTo(Problem.COLUMN_MISMATCH);
    assertThat(r.seq()).isEqualTo(2);
    assertThat(r.message())
        .startsWith("column agent is \"\\u001b[2J\\\"evil\\\"\\\\\\u202e\\u000axxx")
        .endsWith("xxx\"... (313 characters) but the hashed entry says \"bot\"")
        .doesNotContain("\u001b", "\u202e", "\n")
        .hasSizeLessThan(200);
  }

  /** The hash and the signatures cover the stored text: the same content spelt otherwise fails. */
  @Test
  void anotherSpellingOfAnEntryOrACheckpointTimeDoesNotVerify() {
    List<AuditRecord> records = chain(5);
    AuditTables.Contents intact = stored(records, List.of(checkpointAt(records, 4)));
    List<AuditTables.RecordRow> rows = new ArrayList<>(intact.records());
    AuditTables.RecordRow third = rows.get(2);
    rows.set(
        2,
        new AuditTables.RecordRow(
            3, third.columns(), third.entry() + " ", third.prevHash(), third.hash()));
    assertThat(AuditChain.parseEntry(third.entry() + " ")).isEqualTo(records.get(2).entry());
    Result respelt = verify(new AuditTables.Contents(rows, intact.checkpoints(), intact.heads()));
    assertThat(respelt.problem()).isEqualTo(Problem.MODIFIED);
    assertThat(respelt.seq()).isEqualTo(3);

    AuditTables.CheckpointRow cp = intact.checkpoints().getFirst();
    String sameInstant = Instant.parse(cp.time()).toString();
    assertThat(sameInstant).isNotEqualTo(cp.time());
    AuditTables.CheckpointRow respeltTime =
        new AuditTables.CheckpointRow(
            cp.id(), cp.seq(), cp.hash(), sameInstant, cp.keyId(), cp.signature());
    Result time =
        verify(new AuditTables.Contents(intact.records(), List.of(respeltTime), intact.heads()));
    assertThat(time.problem()).isEqualTo(Problem.BAD_SIGNATURE);
    assertThat(time.seq()).isEqualTo(4);
  }

  @Test
  void theHeadRowMustBeTheLastRecord() {
    List<AuditRecord> records = chain(5);
    AuditTables.Contents intact = stored(records, List.of());
    AuditRecord last = records.getLast();
    AuditTables.HeadRow head = intact.heads().getFirst();

    Result beyond =
        verify(new AuditTables.Contents(intact.records().subList(0, 3), List.of(), List.of(head)));
    assertThat(beyond.problem()).isEqualTo(Problem.TRUNCATED);
    assertThat(beyond.seq()).isEqualTo(4);
    assertThat(beyond.message()).contains("records 4..5 were removed");

    Result behind =
        verify(
            new AuditTables.Contents(
                intact.records(),
                List.of(),
                List.of(new AuditTables.HeadRow(1, 4, records.get(3).hash()))));
    assertThat(behind.problem()).isEqualTo(Problem.COLUMN_MISMATCH);
    assertThat(behind.seq()).isEqualTo(5);
    assertThat(behind.message())
        .isEqualTo("column seq of audit_head is 4 but the log ends at record 5");

    Result otherHash =
        verify(
            new AuditTables.Contents(
                intact.records(),
                List.of(),
                List.of(new AuditTables.HeadRow(1, 5, records.get(3).hash()))));
    assertThat(otherHash.problem()).isEqualTo(Problem.COLUMN_MISMATCH);
    assertThat(otherHash.message()).contains("record 5 was rewritten");

    Result two =
        verify(
            new AuditTables.Contents(
                intact.records(),
                List.of(),
                List.of(head, new AuditTables.HeadRow(2, last.seq(), last.hash()))));
    assertThat(two.problem()).isEqualTo(Problem.COLUMN_MISMATCH);
    assertThat(two.message()).isEqualTo("audit_head holds 2 rows where one row with id 1 belongs");
  }

  @Test
  void theKeyIsCreatedOnceSavedOwnerOnlyAndLoadedAgain(@TempDir Path dir) throws Exception {
    AuditSigner created = AuditSigner.loadOrCreate(dir);
    AuditSigner loaded = AuditSigner.loadOrCreate(dir);
    assertThat(loaded.keyId()).isEqualTo(created.keyId()).matches("sha256:[0-9a-f]{64}");
    assertThat(loaded.publicKey()).isEqualTo(created.publicKey());
    assertThat(AuditSigner.readPublicKey(dir.resolve(AuditSigner.PUBLIC_FILE)))
        .isEqualTo(created.publicKey());
    Checkpoint cp = created.sign(3, "sha256:" + "0".repeat(64), Instant.EPOCH);
    assertThat(AuditSigner.verify(cp, loaded.publicKey())).isTrue();
    if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
      assertThat(
              PosixFilePermissions.toString(
                  Files.getPosixFilePermissions(dir.resolve(AuditSigner.PRIVATE_FILE))))
          .isEqualTo("rw-------");
      // not a secret, but it lives in the owner-only data directory like every file there
      assertThat(
              PosixFilePermissions.toString(
                  Files.getPosixFilePermissions(dir.resolve(AuditSigner.PUBLIC_FILE))))
          .isEqualTo("rw-------");
    }
  }
}
