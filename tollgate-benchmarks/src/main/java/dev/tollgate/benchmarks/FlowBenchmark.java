package dev.tollgate.benchmarks;

import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Observation;
import dev.tollgate.api.SessionSpec;
import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.BundleException;
import dev.tollgate.engine.Tollgate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What data flow and provenance cost a decision: an external mail with 8 KB of arguments (a body
 * that quotes some of what the session read, recipients from a trusted result and from the user's
 * request) decided in a session that has observed {@code results} tool results (invoice records,
 * customer records, inbound mail, web pages; about 600 bytes each).
 *
 * <p>{@code results=none} decides the same arguments outside any session: detectors still scan
 * every argument but there is no flow or provenance to find. The ratio of the two is the price of
 * flow and provenance; the target is p99 under 200 µs with 1,000 results. The policies also
 * read task scope, injected-span taint, named sources and conflicts (issue 14's target: p99 under
 * 250 µs with 100 results).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class FlowBenchmark {
  static final String AGENT = "invoice-bot";
  static final String CATALOG =
      """
      tools:
        invoices.search: {kind: read, results: {labels: [financial], trust: trusted}}
        crm.search: {kind: read, results: {labels: [personal], trust: trusted}}
        mail.read: {kind: read, results: {trust: untrusted}}
        web.fetch: {kind: read, results: {trust: untrusted}}
        email.send: {kind: send, external: true, control: [to, cc]}
      """;
  static final String POLICIES =
      """
      policies:
        - name: session-data-to-external
          when: >
            tool.kind == "send" && tool.external &&
            ("financial" in flow.labels || "personal" in flow.labels || size(data.labels) > 0)
          effect: ask
          message: '"carries " + flow.labels.join(", ") + " from " + flow.sources.join(", ")'
        - name: recipient-from-untrusted-or-nowhere
          when: >
            tool.kind == "send" &&
            provenance.exists(a, provenance[a].origin in ["untrusted", "none"])
          effect: deny
        - name: after-injection
          when: '"injection" in session.labels && tool.kind == "send"'
          effect: ask
        - name: not-asked-after-untrusted
          when: '"untrusted" in session.labels && tool.kind != "read" && !scope.asked'
          effect: ask
        - name: injected-or-conflicting-target
          when: >
            flow.injected || provenance.exists(a, provenance[a].injected ||
              provenance[a].conflicts || (provenance[a].origin == "untrusted" &&
              !(provenance[a].idField || provenance[a].namedSource)))
          effect: ask
      """;

  /** A vocabulary about the size of what ordinary business prose uses (2,048 words). */
  private static final String[] WORDS = vocabulary();

  private static final String[] TOOLS = {"invoices.search", "crm.search", "mail.read", "web.fetch"};

  /** How many results the session observed before the decision; {@code none}: no session. */
  @Param({"none", "100", "1000"})
  String results;

  private Tollgate tollgate;
  private Action action;

  @Setup
  public void setUp() throws BundleException {
    tollgate =
        Tollgate.builder()
            .bundle(
                Bundle.fromFiles(
                    Map.of(
                        "catalog.yaml",
                        CATALOG,
                        "p.yaml",
                        POLICIES,
                        "agents.yaml",
                        PolicySets.UNPROFILED_ALLOWED)))
            .build();
    SplittableRandom random = new SplittableRandom(42);
    List<String> observed = new ArrayList<>();
    String session = null;
    if (!results.equals("none")) {
      int n = Integer.parseInt(results);
      session =
          tollgate
              .gate(AGENT)
              .openSession(
                  SessionSpec.of(
                      "alice@acme.example",
                      "Ask ap@globex.example for the updated tax documents of Q3"));
      for (int i = 0; i < n; i++) {
        String tool = TOOLS[i % TOOLS.length];
        Map<String, Object> record = record(random, i);
        observed.add(String.valueOf(record.get("note")));
        tollgate.gate(AGENT).observe(new Observation(session, tool, null, record));
      }
    } else {
      for (int i = 0; i < 1000; i++) {
        observed.add(String.valueOf(record(random, i).get("note")));
      }
    }
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("to", List.of("ap@globex.example"));
    // a contact of a trusted CRM record half-way through the session (the 501st of 1,000)
    int half = observed.size() / 2;
    int contact = half + 1 - half % TOOLS.length;
    args.put("cc", List.of("contact-" + contact + "@customer.example"));
    args.put("subject", "Updated tax documents for Q3");
    args.put("body", body(random, observed));
    action = new Action(session, "alice@acme.example", "email.send", args, null, null);
    Decision first = tollgate.decide(AGENT, action);
    // asked either way: the detectors find the invoice number; with a session, flow finds more
    Effect expected = Effect.ASK;
    if (first.effect() != expected) {
      throw new IllegalStateException(
          "benchmark set-up: expected " + expected + " but decided " + first);
    }
  }

  private static String[] vocabulary() {
    String[] onsets = {
      "b", "c", "d", "f", "g", "l", "m", "n", "p", "r", "s", "t", "v", "tr", "pl", "st"
    };
    String[] vowels = {"a", "e", "i", "o", "u", "ai", "ea", "ou"};
    String[] codas = {"", "n", "r", "s", "t", "nd", "ck", "ll"};
    String[] words = new String[2048];
    for (int i = 0; i < words.length; i++) {
      int a = i % 16;
      int b = (i / 16) % 8;
      int c = (i / 128) % 8;
      int d = (i / 1024) % 2;
      words[i] =
          onsets[a]
              + vowels[b]
              + onsets[(a + c + 5) % 16]
              + vowels[(b + c) % 8]
              + codas[c]
              + (d == 0 ? "" : "ing");
    }
    return words;
  }

  /** About 600 bytes: ids, amounts, an address and a paragraph of prose. */
  private static Map<String, Object> record(SplittableRandom random, int i) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("id", "INV-" + (100000 + i));
    r.put("customer", "CUST-" + (70000 + random.nextInt(20000)));
    r.put("contact", "contact-" + i + "@customer.example");
    r.put("amount", (random.nextInt(9_000_000) + 100_000) / 100.0);
    r.put("due", "2026-12-" + (10 + random.nextInt(18)));
    r.put("note", prose(random, 70));
    return r;
  }

  private static String prose(SplittableRandom random, int words) {
    StringBuilder b = new StringBuilder();
    for (int w = 0; w < words; w++) {
      if (w > 0) {
        b.append(' ');
      }
      b.append(WORDS[random.nextInt(WORDS.length)]);
    }
    return b.toString();
  }

  /** 8 KB: new prose, with one sentence quoted from an observed result and one invoice number. */
  private static String body(SplittableRandom random, List<String> observed) {
    StringBuilder b = new StringBuilder("Hello,\n\nwe need your updated tax documents. ");
    // a result from late in the session: the 734th of 1,000, the 74th of 100
    int quoted = observed.size() * 733 / 1000;
    b.append("For context, as noted on INV-")
        .append(100000 + quoted)
        .append(": ")
        .append(observed.get(quoted))
        .append(". ");
    while (b.length() < 8 * 1024) {
      b.append(prose(random, 12)).append(". ");
    }
    b.setLength(8 * 1024);
    return b.toString();
  }

  @Benchmark
  public Decision decide() {
    return tollgate.decide(AGENT, action);
  }
}
