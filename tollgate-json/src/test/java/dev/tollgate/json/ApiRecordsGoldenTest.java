package dev.tollgate.json;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.ApprovalRef;
import dev.tollgate.api.ApprovalStatus;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Finding;
import dev.tollgate.api.Reason;
import dev.tollgate.api.ShadowOutcome;
import dev.tollgate.api.store.ApprovalRecord;
import dev.tollgate.api.store.AuditEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each record's JSON, pinned by a golden file in {@code src/test/resources/golden}. The decision
 * files were written from the wire form the server answered with before the codec moved (Jackson
 * serialising the record itself, which the test still compares with); the detail file from the
 * server's audit detail; the approval files from the store. Run with {@code -Dgolden.update=true}
 * to write them again, and review the diff.
 */
class ApiRecordsGoldenTest {
  private static final Path GOLDEN = Path.of("src/test/resources/golden");
  private static final Instant AT = Instant.parse("2026-12-05T09:15:30.123Z");

  static Decision minimal() {
    return new Decision("dec_1", Effect.ALLOW, null, List.of(), List.of(), null, null, List.of());
  }

  static Decision full() {
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("to", List.of("billing@vendor.example"));
    args.put("amount", 1250L);
    args.put("rate", 0.25);
    args.put("draft", true);
    args.put("cc", null);
    args.put("meta", Map.of("nested", List.of(Map.of("k", "v"))));
    return new Decision(
        "dec_2",
        Effect.ASK,
        args,
        List.of(new Reason("external-mail", "mail to \"globex\"\nneeds a person")),
        List.of(
            new Finding("iban", "financial", "/args/body", "DE89 •••• 3000"),
            new Finding("email", "personal", "/args/to/0", null)),
        new ApprovalRef("apr_1", ApprovalStatus.PENDING, AT),
        "grt_1",
        List.of(new ShadowOutcome("new-rule", Effect.DENY, "would deny")));
  }

  static ApprovalRecord approval() {
    Map<String, Object> request = new LinkedHashMap<>();
    request.put("uses", 1L);
    request.put("reason", "month end");
    return new ApprovalRecord(
        "apr_1",
        ApprovalStatus.PENDING,
        ApprovalRecord.Kind.ACTION,
        "bot",
        "alice@acme.example",
        "s-1",
        "email.send",
        Map.of("to", List.of("a@b.example")),
        "sha256:" + "ab".repeat(32),
        List.of(new Reason("external-mail", "needs a person")),
        List.of(new Finding("iban", "financial", "/args/body", "DE89 •••• 3000")),
        Map.of("to", Map.of("source", "user")),
        "dec_2",
        request,
        true,
        false,
        AT,
        AT.plusSeconds(3600),
        null,
        null,
        null,
        null,
        List.of(
            new ApprovalRecord.Approval(
                "bob", AT.plusSeconds(60), "looks fine", Map.of("uses", 1L)),
            new ApprovalRecord.Approval("carol", AT.plusSeconds(90), null, null)));
  }

  private static void golden(String name, String written) throws IOException {
    Path file = GOLDEN.resolve(name);
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(file, written + "\n", StandardCharsets.UTF_8);
    }
    assertThat(written + "\n").as(name).isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
  }

  @Test
  void aDecisionIsWrittenAsDecideAnswers() throws IOException {
    for (Decision d : List.of(minimal(), full())) {
      // the wire form before the codec: Jackson writing the record itself
      assertThat(ApiJson.write(ApiRecords.toMap(d))).isEqualTo(ApiJson.write(d));
    }
    golden("decision-minimal.json", ApiJson.writePretty(ApiRecords.toMap(minimal())));
    golden("decision-full.json", ApiJson.writePretty(ApiRecords.toMap(full())));
  }

  @Test
  void aDecisionIsReadBackFromItsWireForm() throws Exception {
    for (String name : List.of("decision-minimal.json", "decision-full.json")) {
      Object read = ApiJson.toJava(ApiJson.readTree(Files.readString(GOLDEN.resolve(name))));
      @SuppressWarnings("unchecked")
      Decision d = ApiRecords.decision((Map<String, Object>) read);
      assertThat(d).isEqualTo(name.contains("full") ? full() : minimal());
    }
  }

  @Test
  void aDecisionsAuditDetailKeepsApprovalGrantAndShadow() throws IOException {
    assertThat(ApiRecords.decisionDetail(minimal())).isEmpty();
    golden("decision-detail.json", ApiJson.writePretty(ApiRecords.decisionDetail(full())));
    AuditEntry e =
        new AuditEntry(
            AT,
            AuditEntry.Kind.DECISION,
            "bot",
            "alice@acme.example",
            "s-1",
            "email.send",
            Effect.ASK,
            "dec_2",
            full().reasons(),
            full().findings(),
            "sha256:" + "ab".repeat(32),
            12,
            ApiRecords.decisionDetail(full()));
    Decision withoutArgs =
        new Decision(
            "dec_2",
            Effect.ASK,
            null,
            full().reasons(),
            full().findings(),
            full().approval(),
            "grt_1",
            full().shadow());
    assertThat(ApiRecords.decision(e)).isEqualTo(withoutArgs);
    // as the store gives it back: through the canonical encoding
    assertThat(ApiRecords.decision(AuditCanonical.parseEntry(AuditCanonical.canonicalEntry(e))))
        .isEqualTo(withoutArgs);
  }

  @Test
  void anApprovalIsStoredAsABodyAndItsSteps() throws Exception {
    ApprovalRecord a = approval();
    golden("approval-body.json", ApiJson.writePretty(ApiRecords.approvalBody(a)));
    golden(
        "approval-steps.json",
        ApiJson.writePretty(a.approvals().stream().map(ApiRecords::toMap).toList()));
    List<ApprovalRecord.Approval> steps =
        ApiRecords.approvalSteps(
            ApiJson.toJava(
                ApiJson.readTree(Files.readString(GOLDEN.resolve("approval-steps.json")))));
    assertThat(steps).isEqualTo(a.approvals());
  }

  /** What the store wrote before the codec: nulls written out, times in either form. */
  @Test
  void approvalsStoredBeforeTheCodecReadTheSame() throws Exception {
    String body =
        "{\"args\":{\"to\":[\"a@b.example\"]},\"reasons\":[{\"policy\":\"p\",\"message\":\"m\"}],"
            + "\"findings\":[{\"detector\":\"iban\",\"label\":\"financial\",\"path\":\"/args/body\","
            + "\"excerpt\":null}],\"provenance\":{},\"request\":{},\"decision\":null,"
            + "\"fourEyes\":false,\"fresh\":true}";
    Map<?, ?> read = (Map<?, ?>) ApiJson.toJava(ApiJson.readTree(body));
    assertThat(ApiRecords.reasons(read.get("reasons"))).containsExactly(new Reason("p", "m"));
    assertThat(ApiRecords.findings(read.get("findings")))
        .containsExactly(new Finding("iban", "financial", "/args/body", null));
    String steps =
        "[{\"by\":\"bob\",\"at\":\"2026-12-05T09:16:30.123000000Z\",\"note\":null,"
            + "\"scope\":null}]";
    assertThat(ApiRecords.approvalSteps(ApiJson.toJava(ApiJson.readTree(steps))))
        .containsExactly(new ApprovalRecord.Approval("bob", AT.plusSeconds(60), null, null));
  }

  @Test
  void aWrongTypeIsRefusedNamingTheField() {
    Map<String, Object> m = new LinkedHashMap<>(ApiRecords.toMap(minimal()));
    m.put("reasons", Arrays.asList(Map.of("policy", 5L, "message", "m")));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ApiRecords.decision(m))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("`policy` of a reason must be a string, not a number");
    m.remove("reasons");
    m.remove("id");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ApiRecords.decision(m))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a decision without `id`");
  }
}
