package dev.tollgate.engine;

import static dev.tollgate.engine.Bundles.action;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading from a directory and swapping bundles atomically. */
class ReloadTest {
  private static final String DENY =
      "policies:\n  - {name: old-a, effect: deny}\n" + "  - {name: old-b, effect: deny}\n";
  private static final String ASK =
      "policies:\n  - {name: new-a, effect: ask}\n" + "  - {name: new-b, effect: ask}\n";

  @TempDir Path dir;

  @Test
  void loadsPolicyCatalogAndAgentFilesAndIgnoresTheRest() throws Exception {
    Files.writeString(dir.resolve("p.yaml"), DENY);
    Files.writeString(dir.resolve("q.yml"), "policies:\n  - {name: yml, effect: ask}\n");
    Files.writeString(dir.resolve("catalog.yaml"), "tools:\n  t: {kind: read}\n");
    Files.writeString(dir.resolve("agents.yaml"), "agents:\n  bot: {tools: ['*']}\n");
    Files.writeString(dir.resolve("README.md"), "not yaml: [");
    Files.createDirectories(dir.resolve("tests"));
    Files.writeString(dir.resolve("tests/t.yaml"), "tests: [this is not a policy file");
    Bundle b = Bundle.load(dir);
    assertThat(b.policyNames()).containsExactly("old-a", "old-b", "yml");
    assertThat(b.catalogSize()).isEqualTo(1);
    assertThat(b.hasProfiles()).isTrue();
    assertThat(b.directory()).isEqualTo(dir);
  }

  @Test
  void problemsNameTheFileWithItsDirectory() throws Exception {
    Files.writeString(dir.resolve("p.yaml"), "policies:\n  - {name: a, effect: nope}\n");
    BundleException e = catchThrowableOfType(BundleException.class, () -> Bundle.load(dir));
    assertThat(e.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.file()).isEqualTo(dir.resolve("p.yaml").toString());
              assertThat(p.line()).isEqualTo(2);
            });
  }

  @Test
  void missingDirectory() {
    Path missing = dir.resolve("nope");
    BundleException e = catchThrowableOfType(BundleException.class, () -> Bundle.load(missing));
    assertThat(e.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.file()).isEqualTo(missing.toString());
              assertThat(p.message()).isEqualTo("no such directory");
            });
  }

  @Test
  void aFileIsNotADirectory() throws Exception {
    Path file = Files.writeString(dir.resolve("p.yaml"), DENY);
    BundleException e = catchThrowableOfType(BundleException.class, () -> Bundle.load(file));
    assertThat(e.problems().get(0).message()).isEqualTo("not a directory");
  }

  @Test
  void invalidUtf8IsRefused() throws Exception {
    Files.write(dir.resolve("p.yaml"), new byte[] {'p', ':', ' ', (byte) 0xC3, (byte) 0x28});
    BundleException e = catchThrowableOfType(BundleException.class, () -> Bundle.load(dir));
    assertThat(e.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.file()).isEqualTo(dir.resolve("p.yaml").toString());
              assertThat(p.message()).isEqualTo("not valid UTF-8 text");
            });
  }

  @Test
  void hugeFileIsRefused() throws Exception {
    Files.write(
        dir.resolve("p.yaml"),
        ("# " + "x".repeat(4 * 1024 * 1024)).getBytes(StandardCharsets.UTF_8));
    BundleException e = catchThrowableOfType(BundleException.class, () -> Bundle.load(dir));
    assertThat(e.problems().get(0).message()).isEqualTo("file larger than 4 MiB");
  }

  @Test
  void reloadSwapsTheWholeBundle() throws Exception {
    Tollgate t = Bundles.tollgate(Bundles.policies(DENY));
    assertThat(t.decide("bot", action("x", Map.of())).policies()).containsExactly("old-a", "old-b");
    Files.writeString(dir.resolve("p.yaml"), ASK);
    Files.writeString(dir.resolve("agents.yaml"), Bundles.UNPROFILED_ALLOWED);
    Bundle next = t.reload(dir);
    assertThat(t.bundle()).isSameAs(next);
    Decision d = t.decide("bot", action("x", Map.of()));
    assertThat(d.effect()).isEqualTo(Effect.ASK);
    assertThat(d.policies()).containsExactly("new-a", "new-b");
  }

  @Test
  void brokenNewSetKeepsTheOldOneAndSaysWhy() throws Exception {
    Bundle old = Bundles.policies(DENY);
    Tollgate t = Bundles.tollgate(old);
    Files.writeString(dir.resolve("good.yaml"), ASK);
    Files.writeString(
        dir.resolve("bad.yaml"), "policies:\n  - {name: c, effect: deny, when: 'x'}\n");
    BundleException e = catchThrowableOfType(BundleException.class, () -> t.reload(dir));
    assertThat(e.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.file()).isEqualTo(dir.resolve("bad.yaml").toString());
              assertThat(p.line()).isEqualTo(2);
              assertThat(p.message()).contains("undeclared reference to `x`");
            });
    assertThat(t.bundle()).isSameAs(old);
    assertThat(t.decide("bot", action("x", Map.of())).policies()).containsExactly("old-a", "old-b");
  }

  @Test
  void reloadOfAMissingDirectoryKeepsTheOldOne() {
    Bundle old = Bundles.policies(DENY);
    Tollgate t = Bundles.tollgate(old);
    BundleException e =
        catchThrowableOfType(BundleException.class, () -> t.reload(dir.resolve("gone")));
    assertThat(e).isNotNull();
    assertThat(t.bundle()).isSameAs(old);
  }

  @Test
  void decisionsDuringReloadSeeOneWholeBundle() throws Exception {
    Bundle old = Bundles.policies(DENY);
    Bundle next = Bundles.policies(ASK);
    Tollgate t = Bundles.tollgate(old);
    AtomicBoolean stop = new AtomicBoolean();
    List<Decision> seen = new ArrayList<>();
    Thread decider =
        new Thread(
            () -> {
              int n = 0;
              while (!stop.get() || n < 100) {
                Decision d = t.decide("bot", action("x", Map.of()));
                synchronized (seen) {
                  seen.add(d);
                }
                n++;
              }
            });
    decider.start();
    for (int i = 0; i < 2_000; i++) {
      t.reload(i % 2 == 0 ? next : old);
    }
    stop.set(true);
    decider.join();
    synchronized (seen) {
      assertThat(seen)
          .isNotEmpty()
          .allSatisfy(
              d ->
                  assertThat(d.policies())
                      .isIn(List.of("old-a", "old-b"), List.of("new-a", "new-b")));
    }
  }

  @Test
  void reloadRefusesNull() {
    Tollgate t = Bundles.tollgate(Bundles.policies(ASK));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> t.reload((Bundle) null))
        .isInstanceOf(NullPointerException.class);
    assertThat(t.decide("bot", action("x", Map.of())).effect()).isEqualTo(Effect.ASK);
  }
}
