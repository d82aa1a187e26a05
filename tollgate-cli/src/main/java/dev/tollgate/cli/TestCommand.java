package dev.tollgate.cli;

import dev.tollgate.engine.BundleException;
import dev.tollgate.engine.runner.PolicyTests;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tollgate test}: runs a bundle's policy unit tests. */
@Command(
    name = "test",
    description = {
      "Run the policy unit tests in DIR/tests/*.yaml against the bundle in DIR.",
      "Exit 0 when all pass, 1 when any fails, 3 when the bundle or a test file is broken."
    })
final class TestCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "DIR", description = "The policy bundle.")
  Path bundle;

  @Option(names = {"-v", "--verbose"}, description = "Also list the cases that pass.")
  boolean verbose;

  @Override
  public Integer call() {
    try {
      PolicyTests.Report report = PolicyTests.run(bundle);
      spec.commandLine().getOut().println(report.render(verbose));
      return report.passed() ? Exit.OK : Exit.FAILED;
    } catch (BundleException e) {
      spec.commandLine().getErr().println(e.render());
      return Exit.ERROR;
    }
  }
}
