package dev.tollgate.store.jdbc.audit;

import static org.assertj.core.api.Assertions.assertThat;

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
        "decision",
        "bot",
        "alice@acme.example",
        "s-1",
        "email.send",
        i % 2 == 0 ? "allow" : "deny",
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
