package dev.tollgate.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reload outcomes on a real directory: refused, unchanged, loaded after a quiet settle. */
class PolicyDirectoryTest {
  private static final String AGENTS = "agents:\n  bot: {tools: ['*']}\n";
  private static final String TWO =
      "policies:\n  - {name: a, effect: deny}\n  - {name: b, effect: ask}\n";

  @TempDir Path dir;

  private PolicyDirectory directory() throws Exception {
    Files.writeString(dir.resolve("agents.yaml"), AGENTS);
    Files.writeString(dir.resolve("policies.yaml"), TWO);
    return new PolicyDirectory(dir, Duration.ofMillis(100));
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
    PolicyDirectory d = directory();
    Bundle current = d.load();
    assertThat(d.reload(current).outcome()).isEqualTo(PolicyDirectory.Outcome.UNCHANGED);

    Files.writeString(dir.resolve("policies.yaml"), "policies:\n  - {name: a, effect: deny}\n");
    long start = System.nanoTime();
    PolicyDirectory.Reload r = d.reload(current);
    assertThat(r.outcome()).isEqualTo(PolicyDirectory.Outcome.LOADED);
    assertThat(r.bundle().policyNames()).containsExactly("a");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(90));
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
