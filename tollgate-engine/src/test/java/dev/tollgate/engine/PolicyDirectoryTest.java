package dev.tollgate.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reload outcomes on a real directory: refused, unchanged, loaded after a quiet settle. */
class PolicyDirectoryTest {
  private static final String AGENTS = "agents:\n  bot: {tools: ['*']}\n";
  private static final String TWO =
      "policies:\n  - {name: a, effect: deny}\n  - {name: b, effect: ask}\n";

  @TempDir Path dir;

  /** Writes a file from inside a sleeper, which may only throw InterruptedException. */
  private static void write(Path file, String text) {
    try {
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final Duration SETTLE = Duration.ofMillis(100);

  private PolicyDirectory directory() throws Exception {
    return directory(period -> {});
  }

  /** The directory with two policies and a profile, whose settle waits go to {@code sleeper}. */
  private PolicyDirectory directory(PolicyDirectory.Sleeper sleeper) throws Exception {
    Files.writeString(dir.resolve("agents.yaml"), AGENTS);
    Files.writeString(dir.resolve("policies.yaml"), TWO);
    return new PolicyDirectory(dir, SETTLE, sleeper);
  }

  @Test
  void zeroPoliciesAreRefusedUnlessTheManifestSaysTheyAreMeant() throws Exception {
    PolicyDirectory d = directory();
    Bundle current = d.load();
    Files.writeString(dir.resolve("policies.yaml"), "policies: []\n");
    PolicyDirectory.Reload refused = d.reload(current);
    assertThat(refused.outcome()).isEqualTo(PolicyDirectory.Outcome.REFUSED);
    assertThat(refused.bundle()).isSameAs(current);
    assertThat(refused.detail()).contains("the bundle holds no policies");

    Files.writeString(dir.resolve("bundle.yaml"), "noPolicies: true\n");
    PolicyDirectory.Reload meant = d.reload(current);
    assertThat(meant.outcome()).isEqualTo(PolicyDirectory.Outcome.LOADED);
    assertThat(meant.bundle().policyNames()).isEmpty();
  }

  @Test
  void withoutAgentsYamlTheReloadIsRefused() throws Exception {
    PolicyDirectory d = directory();
    Bundle current = d.load();
    Files.delete(dir.resolve("agents.yaml"));
    PolicyDirectory.Reload r = d.reload(current);
    assertThat(r.outcome()).isEqualTo(PolicyDirectory.Outcome.REFUSED);
    assertThat(r.detail()).contains("the bundle has no agents.yaml");
  }

  @Test
  void theSameFilesAreUnchangedAndAShrinkLoadsOnceTheDirectoryIsQuiet() throws Exception {
    List<Duration> waits = new ArrayList<>();
    PolicyDirectory d = directory(waits::add);
    Bundle current = d.load();
    assertThat(d.reload(current).outcome()).isEqualTo(PolicyDirectory.Outcome.UNCHANGED);
    assertThat(waits).as("an unchanged directory is not waited for").isEmpty();

    Files.writeString(dir.resolve("policies.yaml"), "policies:\n  - {name: a, effect: deny}\n");
    PolicyDirectory.Reload r = d.reload(current);
    assertThat(r.outcome()).isEqualTo(PolicyDirectory.Outcome.LOADED);
    assertThat(r.bundle().policyNames()).containsExactly("a");
    assertThat(waits).as("one quiet settle time before the shrink").containsExactly(SETTLE);
  }

  @Test
  void aGrowingBundleLoadsWithoutWaiting() throws Exception {
    List<Duration> waits = new ArrayList<>();
    PolicyDirectory d = directory(waits::add);
    Bundle current = d.load();
    Files.writeString(dir.resolve("policies.yaml"), TWO + "  - {name: c, effect: deny}\n");
    PolicyDirectory.Reload r = d.reload(current);
    assertThat(r.outcome()).isEqualTo(PolicyDirectory.Outcome.LOADED);
    assertThat(r.bundle().policyNames()).containsExactly("a", "b", "c");
    assertThat(waits).isEmpty();
  }

  /**
   * A deploy that never settles: every settle time sees another change, so after the last of eight
   * waits the shrunk bundle is held and the one in use stays.
   */
  @Test
  void aShrinkInADirectoryThatKeepsChangingIsHeld() throws Exception {
    List<Duration> waits = new ArrayList<>();
    PolicyDirectory d =
        directory(
            period -> {
              waits.add(period);
              // Another file of the deploy grows during every settle time.
              write(dir.resolve("deploy.log"), "x".repeat(waits.size()));
            });
    Bundle current = d.load();
    Files.writeString(dir.resolve("policies.yaml"), "policies:\n  - {name: a, effect: deny}\n");
    PolicyDirectory.Reload r = d.reload(current);
    assertThat(r.outcome()).isEqualTo(PolicyDirectory.Outcome.HELD);
    assertThat(r.bundle()).isSameAs(current);
    assertThat(r.detail())
        .isEqualTo(
            "the new bundle would drop policies `b` and the directory kept changing; the bundle"
                + " in use stays");
    assertThat(waits).hasSize(PolicyDirectory.MAX_SETTLES).containsOnly(SETTLE);
  }

  /** A second read that differs from the first after a quiet wait is judged again, not loaded. */
  @Test
  void aFileCompletedDuringTheSettleIsLoadedWhole() throws Exception {
    String prefix = "policies:\n  - {name: a, effect: deny}\n";
    List<Duration> waits = new ArrayList<>();
    PolicyDirectory d =
        directory(
            period -> {
              waits.add(period);
              if (waits.size() == 1) {
                write(dir.resolve("policies.yaml"), TWO + "  - {name: c, effect: ask}\n");
              }
            });
    Bundle current = d.load();
    Files.writeString(dir.resolve("policies.yaml"), prefix);
    PolicyDirectory.Reload r = d.reload(current);
    assertThat(r.outcome()).isEqualTo(PolicyDirectory.Outcome.LOADED);
    assertThat(r.bundle().policyNames()).containsExactly("a", "b", "c");
    assertThat(waits).as("one changed settle time, then a quiet one").hasSize(2);
  }

  @Test
  void anInterruptedSettleIsHeld() throws Exception {
    PolicyDirectory d =
        directory(
            period -> {
              throw new InterruptedException();
            });
    Bundle current = d.load();
    Files.writeString(dir.resolve("policies.yaml"), "policies:\n  - {name: a, effect: deny}\n");
    PolicyDirectory.Reload r = d.reload(current);
    assertThat(Thread.interrupted()).as("the interrupt is kept for the caller").isTrue();
    assertThat(r.outcome()).isEqualTo(PolicyDirectory.Outcome.HELD);
    assertThat(r.detail()).contains("the wait was interrupted");
  }

  @Test
  void aReloadThatFailsUnexpectedlyIsRefusedNotThrown() throws Exception {
    PolicyDirectory d =
        directory(
            period -> {
              throw new IllegalStateException("clock gone");
            });
    Bundle current = d.load();
    Files.writeString(dir.resolve("policies.yaml"), "policies:\n  - {name: a, effect: deny}\n");
    PolicyDirectory.Reload r = d.reload(current);
    assertThat(r.outcome()).isEqualTo(PolicyDirectory.Outcome.REFUSED);
    assertThat(r.bundle()).isSameAs(current);
    assertThat(r.detail())
        .contains("the reload failed unexpectedly (IllegalStateException: clock gone)")
        .contains("the bundle in use stays");
  }

  @Test
  void anEmptyDirectoryIsRefused() throws Exception {
    PolicyDirectory d = new PolicyDirectory(dir, Duration.ofMillis(100));
    BundleException e =
        org.assertj.core.api.Assertions.catchThrowableOfType(BundleException.class, d::load);
    assertThat(e.problems().get(0).message())
        .isEqualTo("no bundle files (*.yaml, *.yml) in the directory");
  }
}
