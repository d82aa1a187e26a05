package dev.tollgate.cli;

import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.BundleException;
import dev.tollgate.engine.PolicyDirectory;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code tollgate validate}: loads and type-checks a bundle without deciding anything, with the
 * checks {@code serve} and every reload apply ({@link PolicyDirectory#load}), so that a bundle that
 * validates is one a gate accepts.
 */
@Command(
    name = "validate",
    description = {
      "Load and type-check the bundle in DIR, with the checks serve applies (a bundle without"
          + " policies or agents.yaml must say so in bundle.yaml; the manifest must match).",
      "Exit 0 when it loads (warnings, for example the permissive default for agents without a"
          + " profile, are printed), 1 when it does not."
    })
final class ValidateCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "DIR", description = "The policy bundle.")
  Path bundle;

  @Override
  public Integer call() {
    try {
      Bundle b = new PolicyDirectory(bundle).load();
      spec.commandLine()
          .getOut()
          .printf(
              "ok: %d policies, %d catalog entries, %s (%s)%n",
              b.policyNames().size(),
              b.catalogSize(),
              b.hasProfiles() ? "agent profiles" : "no agent profiles",
              b.digest());
      for (dev.tollgate.engine.Problem w : b.warnings()) {
        // Problem renders as an error; a warning reads the same with its own word.
        spec.commandLine().getOut().println("warning" + w.render().substring("error".length()));
      }
      return Exit.OK;
    } catch (BundleException e) {
      spec.commandLine().getErr().println(e.render());
      return Exit.FAILED;
    }
  }
}
