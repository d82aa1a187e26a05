package dev.tollgate.cli;

import dev.tollgate.api.store.PauseRecord;
import dev.tollgate.api.store.Store;
import dev.tollgate.engine.Pauses;
import dev.tollgate.engine.Tollgate;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tollgate pause|resume|pauses}: the kill switch on the store servers use. Every server
 * sharing the store denies what a pause covers within a second; every change is audited.
 */
final class PauseCommand {
  private PauseCommand() {}

  /** Exactly one subject: everything, an agent, a user or a session. */
  static final class Subject {
    @Option(names = "--all", description = "Everything: every agent, every session.")
    boolean all;

    @Option(names = "--agent", paramLabel = "NAME", description = "One agent, in every session.")
    String agent;

    @Option(
        names = "--for-user",
        paramLabel = "USER",
        description = "One user's sessions, any agent (the user actions are taken for).")
    String user;

    @Option(
        names = "--session",
        paramLabel = "AGENT/ID",
        description = "One session: its agent and id, as ops-bot/run-42.")
    String session;

    PauseRecord.Scope scope() {
      return all
          ? PauseRecord.Scope.ALL
          : agent != null
              ? PauseRecord.Scope.AGENT
              : user != null ? PauseRecord.Scope.USER : PauseRecord.Scope.SESSION;
    }

    String sessionAgent() {
      return session == null ? agent : session.substring(0, Math.max(0, session.indexOf('/')));
    }

    String sessionId() {
      return session == null ? null : session.substring(session.indexOf('/') + 1);
    }
  }

  static Pauses pauses(Store store) {
    return Tollgate.builder().store(store).build().pauses();
  }

  static int checkSession(CommandLine.Model.CommandSpec spec, Subject s) {
    if (s.session != null && s.session.indexOf('/') <= 0) {
      spec.commandLine()
          .getErr()
          .println(
              "error: --session takes the agent and the session id: AGENT/ID (ops-bot/run-42)");
      return Exit.ERROR;
    }
    return Exit.OK;
  }

  @Command(
      name = "pause",
      description = {
        "Pause an agent, a user's sessions, a session or everything: every decision it covers is"
            + " a deny until `tollgate resume`, on every server sharing the store within a second.",
        "A quarantined session (a policy with quarantine: true) is resumed the same way."
      })
  static final class Pause implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin StoreOptions source;

    @ArgGroup(multiplicity = "1")
    Subject subject;

    @Option(names = "--reason", required = true, description = "Why: agents see it in the deny.")
    String reason;

    @Option(names = "--by", required = true, paramLabel = "NAME", description = "Who pauses.")
    String by;

    @Override
    public Integer call() {
      if (checkSession(spec, subject) != Exit.OK) {
        return Exit.ERROR;
      }
      return source.run(
          spec,
          store -> {
            try {
              PauseRecord p =
                  pauses(store)
                      .pause(
                          subject.scope(),
                          subject.sessionAgent(),
                          subject.user,
                          subject.sessionId(),
                          reason,
                          by);
              print(spec.commandLine().getOut(), p);
              return Exit.OK;
            } catch (Pauses.PauseException e) {
              spec.commandLine().getErr().println("error: " + e.getMessage());
              return Exit.ERROR;
            }
          });
    }
  }

  @Command(name = "resume", description = "Lift a pause, or resume a quarantined or ended session.")
  static final class Resume implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin StoreOptions source;

    @ArgGroup(multiplicity = "1")
    Subject subject;

    @Option(names = "--by", required = true, paramLabel = "NAME", description = "Who resumes.")
    String by;

    @Override
    public Integer call() {
      if (checkSession(spec, subject) != Exit.OK) {
        return Exit.ERROR;
      }
      return source.run(
          spec,
          store -> {
            try {
              boolean resumed =
                  pauses(store)
                      .resume(
                          subject.scope(),
                          subject.sessionAgent(),
                          subject.user,
                          subject.sessionId(),
                          by);
              if (!resumed) {
                spec.commandLine()
                    .getErr()
                    .println(
                        "error: nothing of that scope and subject is paused (tollgate pauses)");
                return Exit.FAILED;
              }
              spec.commandLine().getOut().println("resumed");
              return Exit.OK;
            } catch (Pauses.PauseException e) {
              spec.commandLine().getErr().println("error: " + e.getMessage());
              return Exit.ERROR;
            }
          });
    }
  }

  @Command(name = "pauses", description = "The pauses in force and the quarantined sessions.")
  static final class List implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin StoreOptions source;

    @Override
    public Integer call() {
      return source.run(
          spec,
          store -> {
            for (PauseRecord p : pauses(store).list()) {
              print(spec.commandLine().getOut(), p);
            }
            return Exit.OK;
          });
    }
  }

  static void print(PrintWriter out, PauseRecord p) {
    out.printf(
        "%-8s %-32s %s by %s%s: %s%n",
        p.scope().wireName(), p.subject(), p.at(), p.by(), p.ended() ? " (ended)" : "", p.reason());
  }
}
