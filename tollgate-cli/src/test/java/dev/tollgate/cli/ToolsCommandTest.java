package dev.tollgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.engine.Tollgate;
import dev.tollgate.engine.ToolPins;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tollgate tools} and {@code tollgate tools accept} on a real embedded store, the
 * definitions recorded as a gateway records them (through the engine's {@link ToolPins}).
 */
class ToolsCommandTest {
  private static final String AGENT = "desk-assistant";
  private static final Map<String, Object> FIRST =
      Map.of("name", "read_file", "description", "Read a text file.");
  private static final Map<String, Object> CHANGED =
      Map.of("name", "read_file", "description", "Read a text file, and list its folder.");

  @TempDir Path data;
  private String dir;
  private String pinned;
  private String changed;

  /** What a gateway on this store would show of {@code definition} now. */
  private boolean shown(Map<String, Object> definition) {
    try (JdbcStore store = JdbcStore.open(StoreConfig.sqlite(data))) {
      return pins(store).check(AGENT, "fs", definition, List.of()).shown();
    }
  }

  private static ToolPins pins(JdbcStore store) {
    return Tollgate.builder().store(store).build().toolPins();
  }

  @BeforeEach
  void aToolPinnedThenChanged() {
    dir = data.toString();
    try (JdbcStore store = JdbcStore.open(StoreConfig.sqlite(data))) {
      ToolPins pins = pins(store);
      ToolPins.Verdict first = pins.check(AGENT, "fs", FIRST, List.of());
      assertTrue(first.shown());
      pinned = first.pin().fingerprint();
      ToolPins.Verdict held = pins.check(AGENT, "fs", CHANGED, List.of());
      assertFalse(held.shown());
      changed = held.pin().fingerprint();
      ToolPins.Verdict flagged =
          pins.check(AGENT, "notes", FIRST, List.of("the name of another server's tool"));
      assertFalse(flagged.shown());
    }
  }

  @Test
  void toolsListsEveryDefinitionAndWhatAWaitingOneChanges() {
    CliTest.Run all = CliTest.run("tools", "--data", dir);
    assertEquals(0, all.code(), all.err());
    List<String> lines = all.out().lines().toList();
    assertTrue(
        lines.stream()
            .anyMatch(
                l ->
                    l.startsWith("accepted ")
                        && l.contains("fs.read_file")
                        && l.contains(pinned.substring(0, 19))
                        && l.endsWith("by first-use")),
        all.out());
    assertTrue(
        lines.stream()
            .anyMatch(
                l ->
                    l.startsWith("pending ")
                        && l.contains(AGENT)
                        && l.contains("fs.read_file")
                        && l.contains(changed.substring(0, 19))
                        && l.contains("seen ")),
        all.out());
    assertTrue(lines.contains("    changed from " + pinned.substring(0, 19) + ":"), all.out());
    assertTrue(lines.contains("    -   \"description\" : \"Read a text file.\","), all.out());
    assertTrue(
        lines.contains("    +   \"description\" : \"Read a text file, and list its folder.\","),
        all.out());
    // flagged at first sight: its concerns, and the definition itself (nothing to compare with)
    assertTrue(lines.contains("    concern: the name of another server's tool"), all.out());
    assertTrue(lines.contains("        \"description\" : \"Read a text file.\","), all.out());

    CliTest.Run pending = CliTest.run("tools", "--pending", "--data", dir);
    assertEquals(0, pending.code(), pending.err());
    assertFalse(pending.out().contains("accepted "), pending.out());
    assertEquals(
        2, pending.out().lines().filter(l -> l.startsWith("pending ")).count(), pending.out());
  }

  @Test
  void acceptTakesAUniquePrefixAndTheGatewaysNextCheckShowsTheTool() {
    assertFalse(shown(CHANGED));
    CliTest.Run accept =
        CliTest.run(
            "tools",
            "accept",
            "--agent",
            AGENT,
            "--tool",
            "fs.read_file",
            "--fingerprint",
            changed.substring(0, 19),
            "--by",
            "carol",
            "--data",
            dir);
    assertEquals(0, accept.code(), accept.err());
    assertEquals(
        "accepted fs.read_file for "
            + AGENT
            + " ("
            + changed
            + "): its gateways show it again while its server defines it this way",
        accept.out().strip());
    assertTrue(shown(CHANGED));
    assertFalse(shown(FIRST));

    CliTest.Run all = CliTest.run("tools", "--data", dir);
    assertTrue(
        all.out()
            .lines()
            .anyMatch(l -> l.startsWith("superseded ") && l.contains(pinned.substring(0, 19))),
        all.out());
    assertTrue(
        all.out().lines().anyMatch(l -> l.startsWith("accepted ") && l.endsWith("by carol")),
        all.out());
    try (JdbcStore store = JdbcStore.open(StoreConfig.sqlite(data))) {
      List<Map<String, Object>> accepted =
          store
              .audit()
              .search(
                  new AuditQuery(
                      null, null, null, null, AuditEntry.Kind.TOOL, null, null, null, 0, 100))
              .stream()
              .map(r -> r.entry().detail())
              .filter(d -> "accepted".equals(d.get("event")))
              .toList();
      assertEquals(1, accepted.size(), accepted.toString());
      assertEquals("carol", accepted.getFirst().get("by"));
      assertEquals(changed, accepted.getFirst().get("fingerprint"));
    }
  }

  @Test
  void aShortUnknownOrMalformedFingerprintIsAClearError() {
    CliTest.Run tooShort = accept("fs.read_file", changed.substring(0, 18));
    assertEquals(3, tooShort.code());
    assertTrue(tooShort.err().contains("at least 12 of its hex digits"), tooShort.err());

    CliTest.Run noPrefix = accept("fs.read_file", changed.substring(7));
    assertEquals(3, noPrefix.code());
    assertTrue(noPrefix.err().contains("write sha256:"), noPrefix.err());

    CliTest.Run unknown = accept("fs.read_file", "sha256:000000000000");
    assertEquals(1, unknown.code());
    assertTrue(
        unknown.err().contains("no definition of `fs.read_file` for agent `" + AGENT + "`"),
        unknown.err());
    assertTrue(unknown.err().contains("`tollgate tools` lists"), unknown.err());

    // the right fingerprint of another tool is no match
    CliTest.Run otherTool = accept("notes.read_file", changed);
    assertEquals(1, otherTool.code(), otherTool.err());
    CliTest.Run missing = CliTest.run("tools", "accept", "--agent", AGENT, "--data", dir);
    assertEquals(3, missing.code());
    assertTrue(missing.err().contains("--tool"), missing.err());
    assertFalse(shown(CHANGED), "nothing was accepted");
  }

  private CliTest.Run accept(String tool, String fingerprint) {
    return CliTest.run(
        "tools",
        "accept",
        "--agent",
        AGENT,
        "--tool",
        tool,
        "--fingerprint",
        fingerprint,
        "--by",
        "carol",
        "--data",
        dir);
  }
}
