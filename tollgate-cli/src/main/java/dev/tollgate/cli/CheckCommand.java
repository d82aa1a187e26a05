package dev.tollgate.cli;

import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.SessionSpec;
import dev.tollgate.api.ShadowOutcome;
import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.BundleException;
import dev.tollgate.engine.Explanation;
import dev.tollgate.engine.PolicyOutcome;
import dev.tollgate.engine.Tollgate;
import dev.tollgate.json.ApiJson;
import dev.tollgate.json.InputException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tollgate check}: decides one action and explains the decision. */
@Command(
    name = "check",
    description = {
      "Decide one action and explain the decision.",
      "Exit 0 allow, 1 deny, 2 ask, 3 error."
    })
final class CheckCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--policies",
      required = true,
      paramLabel = "DIR",
      description = "The policy bundle: policy files, catalog.yaml, agents.yaml.")
  Path policies;

  @Option(
      names = "--agent",
      paramLabel = "NAME",
      defaultValue = "cli",
      description = "The agent that acts (default: ${DEFAULT-VALUE}).")
  String agent;

  @Option(
      names = "--request",
      paramLabel = "TEXT",
      defaultValue = "",
      description = "The user's request, when the action names a session.")
  String request;

  @Option(names = "--json", description = "Print the decision and explanation as JSON.")
  boolean json;

  @Parameters(paramLabel = "ACTION", description = "The action as JSON, in a file or - for stdin.")
  String actionFile;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Bundle bundle;
    Action action;
    try {
      bundle = Bundle.load(policies);
      action = ApiJson.readAction(Inputs.read(actionFile, System.in));
    } catch (BundleException e) {
      err.println(e.render());
      return Exit.ERROR;
    } catch (InputException e) {
      err.println(
          "error: "
              + actionFile
              + ": "
              + e.getMessage()
              + (e.field() == null ? "" : " (at `" + e.field() + "`)"));
      return Exit.ERROR;
    } catch (Inputs.UsageException e) {
      err.println("error: " + e.getMessage());
      return Exit.ERROR;
    }
    Tollgate engine = Tollgate.builder().bundle(bundle).build();
    if (action.session() != null) {
      engine.openSession(
          agent,
          new SessionSpec(
              action.session(),
              action.user() == null ? "user@example.com" : action.user(),
              request,
              null));
    }
    Explanation explanation = engine.explain(agent, action);
    if (json) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("decision", explanation.decision());
      doc.put("considered", explanation.considered().stream().map(CheckCommand::toJson).toList());
      out.println(ApiJson.writePretty(doc));
    } else {
      out.print(render(agent, action, explanation));
    }
    return Exit.of(explanation.decision().effect());
  }

  static String render(String agent, Action action, Explanation explanation) {
    Decision d = explanation.decision();
    StringBuilder out = new StringBuilder();
    out.append(d.effect().wireName().toUpperCase(java.util.Locale.ROOT))
        .append("  ")
        .append(action.tool())
        .append(" by ")
        .append(agent)
        .append("  (")
        .append(d.id())
        .append(")\n");
    if (d.reasons().isEmpty()) {
      out.append("  no policy matched: allowed\n");
    }
    d.reasons()
        .forEach(
            r ->
                out.append("  because ")
                    .append(r.policy())
                    .append(": ")
                    .append(r.message())
                    .append('\n'));
    if (!explanation.considered().isEmpty()) {
      out.append("\nconsidered ")
          .append(explanation.considered().size())
          .append(" polic")
          .append(explanation.considered().size() == 1 ? "y" : "ies")
          .append(":\n");
      for (PolicyOutcome o : explanation.considered()) {
        String status =
            switch (o.status()) {
              case MATCHED -> "matched";
              case NOT_MATCHED -> "no match";
              case FAILED -> "FAILED";
            };
        out.append(
            String.format(
                "  %-9s %-5s%s %s  (%s)",
                status,
                o.effect().wireName(),
                o.shadow() ? " shadow" : "",
                o.policy(),
                o.location()));
        if (o.condition() != null) {
          out.append("\n            when: ").append(o.condition().strip().replaceAll("\\s+", " "));
        }
        if (o.message() != null) {
          out.append("\n            ").append(o.message());
        }
        out.append('\n');
      }
    }
    if (!d.shadow().isEmpty()) {
      out.append("\nshadow (recorded, not enforced):\n");
      for (ShadowOutcome s : d.shadow()) {
        out.append("  ")
            .append(s.effect().wireName())
            .append("  ")
            .append(s.policy())
            .append(": ")
            .append(s.message())
            .append('\n');
      }
    }
    return out.toString();
  }

  private static Map<String, Object> toJson(PolicyOutcome o) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("policy", o.policy());
    m.put("effect", o.effect().wireName());
    m.put("mode", o.shadow() ? "shadow" : "enforce");
    m.put("status", o.status().name().toLowerCase(java.util.Locale.ROOT));
    m.put("message", o.message());
    m.put("location", o.location());
    m.put("when", o.condition());
    return m;
  }
}
