package dev.tollgate.cli;

import dev.tollgate.api.ApprovalStatus;
import dev.tollgate.api.store.ApprovalRecord;
import dev.tollgate.api.store.GrantRecord;
import dev.tollgate.api.store.Store;
import dev.tollgate.engine.Approvals;
import dev.tollgate.engine.Tollgate;
import dev.tollgate.json.ApiJson;
import dev.tollgate.json.Names;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tollgate approvals list|show|approve|deny}: people's side of {@code ask}, on the store a
 * server uses (every server sharing it sees the outcome at once; every step is audited).
 */
@Command(
    name = "approvals",
    description = "List, show, approve or deny approvals.",
    subcommands = {
      ApprovalsCommand.ListApprovals.class,
      ApprovalsCommand.Show.class,
      ApprovalsCommand.Approve.class,
      ApprovalsCommand.Deny.class
    })
final class ApprovalsCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The approvals of a store, with events audited to that store's log. */
  static Approvals approvals(Store store) {
    return Tollgate.builder()
        .sessions(store.sessions())
        .approvals(store.approvals())
        .audit(store.audit())
        .build()
        .approvals();
  }

  /** Runs a person's step; its refusal (expired, already decided, four eyes...) is exit 1. */
  static int step(CommandLine.Model.CommandSpec spec, Step body) {
    try {
      body.run();
      return Exit.OK;
    } catch (Approvals.ApprovalException e) {
      spec.commandLine().getErr().println("error: " + e.getMessage() + " [" + e.code() + "]");
      return Exit.FAILED;
    }
  }

  @FunctionalInterface
  interface Step {
    void run() throws Approvals.ApprovalException;
  }

  static void print(PrintWriter out, ApprovalRecord a) {
    out.printf(
        "%s  %-8s  %-10s %-18s %-20s expires %s%s%n",
        a.id(),
        a.status().wireName(),
        a.agent(),
        a.tool(),
        a.reasons().isEmpty() ? "" : a.reasons().getFirst().policy(),
        a.expiresAt(),
        a.decidedBy() != null
            ? "  by " + a.decidedBy()
            : a.fourEyes()
                ? "  approvals " + a.approvals().size() + " of " + a.approvalsNeeded()
                : "");
  }

  @Command(name = "list", description = "Approvals, newest first (pending by default).")
  static final class ListApprovals implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin StoreOptions source;

    @Option(
        names = "--status",
        defaultValue = "pending",
        description = "pending, approved, denied, expired or all (default ${DEFAULT-VALUE})")
    String status;

    @Option(names = "--limit", defaultValue = "100")
    int limit;

    @Override
    public Integer call() {
      ApprovalStatus wanted;
      try {
        wanted =
            status.equals("all")
                ? null
                : Names.wire(
                    status, ApprovalStatus.values(), ApprovalStatus::wireName, "approval status");
      } catch (IllegalArgumentException e) {
        spec.commandLine().getErr().println("error: " + e.getMessage() + " (or all)");
        return Exit.ERROR;
      }
      return source.run(
          spec,
          store -> {
            for (ApprovalRecord a : approvals(store).list(wanted, limit)) {
              print(spec.commandLine().getOut(), a);
            }
            return Exit.OK;
          });
    }
  }

  @Command(name = "show", description = "One approval in full, as JSON.")
  static final class Show implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin StoreOptions source;

    @Parameters(paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
      return source.run(
          spec,
          store -> {
            var found = approvals(store).get(id);
            if (found.isEmpty()) {
              spec.commandLine().getErr().println("error: no approval `" + id + "`");
              return Exit.FAILED;
            }
            spec.commandLine().getOut().println(ApiJson.writePretty(found.get()));
            return Exit.OK;
          });
    }
  }

  @Command(
      name = "approve",
      description = {
        "Approve: by default a grant for exactly this action, once.",
        "Any of --subject/--tool/--ttl/--uses/--constraint, alone or together, widens it."
      })
  static final class Approve implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin StoreOptions source;

    @Parameters(paramLabel = "ID")
    String id;

    @Option(names = "--by", required = true, paramLabel = "NAME", description = "Who approves.")
    String by;

    @Option(names = "--note", description = "Why (recorded in the audit).")
    String note;

    @Option(names = "--subject", description = "agent, session or user (widens the grant)")
    String subject;

    @Option(names = "--tool", description = "A tool name or pattern covering the approved tool.")
    String tool;

    @Option(names = "--ttl", description = "How long the grant lasts, e.g. 15m (at most 1d).")
    String ttl;

    @Option(
        names = "--uses",
        paramLabel = "N",
        description =
            "How many actions the grant lets through (widens the grant; 0 for any number until"
                + " it expires; default 0 when another option widens it).")
    Integer uses;

    @Option(names = "--constraint", description = "A CEL condition every action must meet.")
    String constraint;

    @Override
    public Integer call() {
      GrantRecord.SubjectKind kind;
      try {
        kind =
            subject == null
                ? null
                : Names.wire(
                    subject,
                    GrantRecord.SubjectKind.values(),
                    GrantRecord.SubjectKind::wireName,
                    "grant subject");
      } catch (IllegalArgumentException e) {
        spec.commandLine().getErr().println("error: " + e.getMessage());
        return Exit.ERROR;
      }
      return source.run(
          spec,
          store ->
              step(
                  spec,
                  () -> {
                    Approvals approvals = approvals(store);
                    ApprovalRecord done = approvals.approve(id, by, scope(approvals, kind), note);
                    spec.commandLine()
                        .getOut()
                        .println(
                            done.grant() != null
                                ? "approved " + done.id() + ": grant " + done.grant()
                                : "approved "
                                    + done.id()
                                    + " (1 of 2): four eyes, a second person must approve "
                                    + Approvals.describe(Approvals.firstScope(done)));
                  }));
    }

    /**
     * Widens the grant when any scope option is given (each alone too): the subject defaults to the
     * session, or the agent when the approval has none; the tool to the approved one; the duration
     * to {@link Approvals#EXACT_GRANT_MINUTES} minutes. Without any, {@code null}: exactly this
     * action once, or for the second of four eyes the scope the first approver chose.
     */
    Approvals.Scope scope(Approvals approvals, GrantRecord.SubjectKind kind)
        throws Approvals.ApprovalException {
      if (kind == null && tool == null && ttl == null && uses == null && constraint == null) {
        return null;
      }
      GrantRecord.SubjectKind subjectKind = kind;
      if (subjectKind == null) {
        subjectKind =
            approvals
                .get(id)
                .map(
                    a ->
                        a.session() == null
                            ? GrantRecord.SubjectKind.AGENT
                            : GrantRecord.SubjectKind.SESSION)
                .orElse(GrantRecord.SubjectKind.SESSION);
      }
      return new Approvals.Scope(
          subjectKind,
          tool,
          ttl == null ? null : Approvals.duration(ttl),
          uses == null ? 0 : uses,
          constraint);
    }
  }

  @Command(name = "deny", description = "Deny; the note goes back to the agent.")
  static final class Deny implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin StoreOptions source;

    @Parameters(paramLabel = "ID")
    String id;

    @Option(names = "--by", required = true, paramLabel = "NAME")
    String by;

    @Option(
        names = "--note",
        paramLabel = "TEXT",
        description = "Why (required): given back to the agent and recorded in the audit.")
    String note;

    /** The spelling before {@code --note} (the API's word); hidden, deprecated. */
    @Option(names = "--reason", hidden = true, paramLabel = "TEXT")
    String reason;

    @Override
    public Integer call() {
      var err = spec.commandLine().getErr();
      if (note != null && reason != null) {
        err.println("error: give --note only (--reason is its old spelling)");
        return Exit.ERROR;
      }
      if (reason != null) {
        err.println("warning: --reason is deprecated: use --note");
        note = reason;
      }
      if (note == null) {
        err.println("error: missing --note: say why; it goes back to the agent");
        return Exit.ERROR;
      }
      return source.run(
          spec,
          store ->
              step(
                  spec,
                  () -> {
                    ApprovalRecord done = approvals(store).deny(id, by, note);
                    spec.commandLine().getOut().println("denied " + done.id());
                  }));
    }
  }

  /** {@code tollgate grants list|revoke}. */
  @Command(
      name = "grants",
      description = "List or revoke grants.",
      subcommands = {GrantsCommand.ListGrants.class, GrantsCommand.Revoke.class})
  static final class GrantsCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "list", description = "Grants, newest first (live ones unless --all).")
    static final class ListGrants implements Callable<Integer> {
      @CommandLine.Spec CommandLine.Model.CommandSpec spec;
      @Mixin StoreOptions source;

      @Option(names = "--all", description = "Also used, expired and revoked grants.")
      boolean all;

      @Option(names = "--limit", defaultValue = "100")
      int limit;

      @Option(names = "--json", description = "One JSON object per line.")
      boolean json;

      @Override
      public Integer call() {
        return source.run(
            spec,
            store -> {
              java.time.Instant now = java.time.Instant.now();
              for (GrantRecord g : approvals(store).grants(!all, limit)) {
                if (json) {
                  Map<String, Object> m = new LinkedHashMap<>();
                  m.put("grant", g);
                  m.put("status", g.status(now).wireName());
                  spec.commandLine().getOut().println(ApiJson.write(m));
                } else {
                  spec.commandLine()
                      .getOut()
                      .printf(
                          "%s  %-8s %s:%s  %s  uses %s  expires %s  from %s%n",
                          g.id(),
                          g.status(now).wireName(),
                          g.subjectKind().wireName(),
                          g.subject(),
                          g.tool() + (g.argsDigest() != null ? " (exact action)" : ""),
                          g.uses() == 0 ? "any" : g.usesLeft() + "/" + g.uses(),
                          g.expiresAt(),
                          g.issuer());
                }
              }
              return Exit.OK;
            });
      }
    }

    @Command(name = "revoke", description = "Revoke a grant: the next decision no longer sees it.")
    static final class Revoke implements Callable<Integer> {
      @CommandLine.Spec CommandLine.Model.CommandSpec spec;
      @Mixin StoreOptions source;

      @Parameters(paramLabel = "ID")
      String id;

      @Option(names = "--by", required = true, paramLabel = "NAME")
      String by;

      @Override
      public Integer call() {
        return source.run(
            spec,
            store ->
                step(
                    spec,
                    () -> {
                      approvals(store).revoke(id, by);
                      spec.commandLine().getOut().println("revoked " + id);
                    }));
      }
    }
  }
}
