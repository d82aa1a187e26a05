package dev.tollgate.cli;

import dev.tollgate.api.Effect;
import dev.tollgate.api.Reason;
import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.api.store.AuditRecord;
import dev.tollgate.json.ApiJson;
import dev.tollgate.json.Names;
import dev.tollgate.store.jdbc.audit.AuditSigner;
import dev.tollgate.store.jdbc.audit.AuditVerifier;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tollgate audit}: verify, read and export the audit log. */
@Command(
    name = "audit",
    description = "Verify, read and export the tamper-evident audit log.",
    subcommands = {
      AuditCommand.Verify.class,
      AuditCommand.Tail.class,
      AuditCommand.Search.class,
      AuditCommand.Export.class
    })
final class AuditCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "verify",
      description = {
        "Check every record's hash and link, every column stored beside it, every signed"
            + " checkpoint and the chain's head; name the first bad record.",
        "Exit 0 when the log is intact, 1 when it is not, 3 on an error."
      })
  static final class Verify implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin StoreOptions source;

    @Option(
        names = "--key",
        paramLabel = "FILE",
        description =
            "The public key checkpoints are signed with (default DIR/audit-key.pub)."
                + " Keep a copy away from the server.")
    Path key;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      Path keyFile = key != null ? key : source.data.resolve(AuditSigner.PUBLIC_FILE);
      PublicKey publicKey;
      try {
        publicKey = AuditSigner.readPublicKey(keyFile);
      } catch (IOException e) {
        spec.commandLine()
            .getErr()
            .println(
                "error: cannot read the public key `"
                    + keyFile
                    + "`: "
                    + e.getMessage()
                    + "; pass --key FILE");
        return Exit.ERROR;
      }
      return source.run(
          spec,
          store -> {
            AuditVerifier.Result r = AuditVerifier.verify(store.audit(), publicKey);
            if (r.ok()) {
              out.printf(
                  "ok: %d records, %d signed checkpoints, chain intact%n",
                  r.records(), r.checkpoints());
              return Exit.OK;
            }
            out.printf("TAMPERED: %s at record %d: %s%n", r.problem(), r.seq(), r.message());
            return Exit.FAILED;
          });
    }
  }

  @Command(name = "tail", description = "Print the last records.")
  static final class Tail implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin StoreOptions source;

    @Option(
        names = {"-n", "--lines"},
        defaultValue = "20",
        description = "How many (default 20).")
    int lines;

    @Option(names = "--json", description = "One JSON object per line.")
    boolean json;

    @Override
    public Integer call() {
      return source.run(
          spec,
          store -> {
            long head = store.audit().head().map(AuditRecord::seq).orElse(0L);
            List<AuditRecord> records =
                store.audit().search(AuditQuery.after(Math.max(0, head - lines), lines));
            print(spec.commandLine().getOut(), records, json);
            return Exit.OK;
          });
    }
  }

  @Command(name = "search", description = "Print the records that match every filter given.")
  static final class Search implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin StoreOptions source;

    @Option(names = "--agent")
    String agent;

    @Option(names = "--session")
    String session;

    @Option(names = "--tool")
    String tool;

    @Option(names = "--effect", description = "allow, ask or deny")
    String effect;

    @Option(names = "--kind", description = "decision, rejected, session, observe...")
    String kind;

    @Option(names = "--decision", paramLabel = "ID", description = "one decision, by its id")
    String decision;

    @Option(names = "--from", paramLabel = "INSTANT", description = "e.g. 2026-11-24T09:00:00Z")
    String from;

    @Option(names = "--to", paramLabel = "INSTANT")
    String to;

    @Option(names = "--limit", defaultValue = "1000")
    int limit;

    @Option(names = "--json", description = "One JSON object per line.")
    boolean json;

    @Override
    public Integer call() {
      Instant start;
      Instant end;
      try {
        start = from == null ? null : Instant.parse(from);
        end = to == null ? null : Instant.parse(to);
      } catch (DateTimeParseException e) {
        spec.commandLine()
            .getErr()
            .println(
                "error: invalid instant `"
                    + e.getParsedString()
                    + "`: write it as 2026-11-24T09:00:00Z");
        return Exit.ERROR;
      }
      Effect wantedEffect;
      AuditEntry.Kind wantedKind;
      try {
        wantedEffect =
            effect == null ? null : Names.wire(effect, Effect.values(), Effect::wireName, "effect");
        wantedKind =
            kind == null
                ? null
                : Names.wire(kind, AuditEntry.Kind.values(), AuditEntry.Kind::wireName, "kind");
      } catch (IllegalArgumentException e) {
        spec.commandLine().getErr().println("error: " + e.getMessage());
        return Exit.ERROR;
      }
      return source.run(
          spec,
          store -> {
            List<AuditRecord> records =
                store
                    .audit()
                    .search(
                        new AuditQuery(
                            agent,
                            session,
                            tool,
                            wantedEffect,
                            wantedKind,
                            decision,
                            start,
                            end,
                            0,
                            limit));
            print(spec.commandLine().getOut(), records, json);
            return Exit.OK;
          });
    }
  }

  @Command(name = "export", description = "Write the whole log, oldest first.")
  static final class Export implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin StoreOptions source;

    @Option(names = "--format", defaultValue = "jsonl", description = "jsonl (the only one)")
    String format;

    @Override
    public Integer call() {
      if (!format.equals("jsonl")) {
        spec.commandLine().getErr().println("error: unknown format `" + format + "`: use jsonl");
        return Exit.ERROR;
      }
      return source.run(
          spec,
          store -> {
            long after = 0;
            while (true) {
              List<AuditRecord> page = store.audit().search(AuditQuery.after(after, 10_000));
              if (page.isEmpty()) {
                return Exit.OK;
              }
              print(spec.commandLine().getOut(), page, true);
              after = page.getLast().seq();
            }
          });
    }
  }

  static void print(PrintWriter out, List<AuditRecord> records, boolean json) {
    for (AuditRecord r : records) {
      if (json) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("seq", r.seq());
        line.put("hash", r.hash());
        line.put("prevHash", r.prevHash());
        line.put("entry", r.entry());
        out.println(ApiJson.write(line));
        continue;
      }
      AuditEntry e = r.entry();
      List<String> policies = new ArrayList<>();
      for (Reason reason : e.reasons()) {
        policies.add(reason.policy());
      }
      out.printf(
          "%6d  %s  %-8s %-14s %-18s %-5s %s%n",
          r.seq(),
          e.time(),
          e.kind().wireName(),
          orDash(e.agent()),
          orDash(e.tool()),
          orDash(e.effect() == null ? null : e.effect().wireName()),
          policies.isEmpty() ? "" : String.join(",", policies));
    }
    out.flush();
  }

  private static String orDash(String s) {
    return s == null ? "-" : s;
  }
}
