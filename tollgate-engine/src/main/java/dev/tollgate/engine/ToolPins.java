package dev.tollgate.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tollgate.api.Finding;
import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.api.store.AuditLog;
import dev.tollgate.api.store.ToolPinRecord;
import dev.tollgate.api.store.ToolPinStore;
import dev.tollgate.json.ApiJson;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * Pins the definitions of MCP servers' tools against supply-chain drift (a "rug pull": a server
 * that changes what a tool says it does after it was trusted). The first definition an agent's
 * gateway sees of a tool is pinned (trust on first use); any later, different definition hides and
 * blocks the tool until a person accepts it. A definition that carries instructions to the model
 * (tool poisoning, as the bundle's {@code injection} detector finds them) or names another server's
 * tool (shadowing) is not pinned even at first sight: it waits for a person too. Every pin, change,
 * flag and acceptance is audited (kind {@code tool}).
 *
 * <p>Pins are shared through the store: a definition accepted on one server is accepted on every
 * server sharing it. They are the agent's, not a protocol session's.
 */
public final class ToolPins {
  private final ToolPinStore store;
  private final AuditLog audit;
  private final InstantSource clock;
  private final Function<Map<String, Object>, Screened> screen;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  /** The blocked definitions this engine has audited, so that each is audited once per process. */
  private final Set<String> reported = ConcurrentHashMap.newKeySet();

  /** What the detectors find in a definition, and the definition with sensitive values masked. */
  record Screened(List<Finding> findings, Map<String, Object> masked) {}

  ToolPins(
      ToolPinStore store,
      AuditLog audit,
      InstantSource clock,
      Function<Map<String, Object>, Screened> screen) {
    this.store = store;
    this.audit = audit;
    this.clock = clock;
    this.screen = screen;
  }

  /**
   * Whether a gateway may show a tool as its server now defines it.
   *
   * @param shown whether the tool may be listed and called
   * @param pin the definition as recorded
   * @param accepted the tool's accepted definition, when it is another one, else {@code null}
   * @param why for a hidden tool, why, in words for the log and the model
   */
  public record Verdict(boolean shown, ToolPinRecord pin, ToolPinRecord accepted, String why) {}

  /**
   * Checks a tool's definition against its pin, pinning it when it is the first seen and nothing is
   * of concern.
   *
   * @param agent the agent the gateway acts as
   * @param server the gateway's name for the server
   * @param definition the tool's name, title, description, input and output schema and annotations
   *     (JSON values)
   * @param concerns what the gateway found of concern (a name of another server's tool), possibly
   *     empty
   * @throws dev.tollgate.api.store.StoreUnavailableException when the store cannot be reached (the
   *     gateway hides the tool: fail closed)
   */
  public Verdict check(
      String agent, String server, Map<String, Object> definition, List<String> concerns) {
    String tool = String.valueOf(definition.get("name"));
    Screened screened = screen.apply(definition);
    List<String> all = new ArrayList<>(concerns);
    for (Finding f : screened.findings()) {
      if (f.label().equals("injection") || f.label().equals("unscanned")) {
        all.add(
            "instructions to the model ("
                + f.detector()
                + " at "
                + (f.path().isEmpty() ? "/" : f.path())
                + ": "
                + f.excerpt()
                + ")");
      }
    }
    ToolPinRecord seen =
        new ToolPinRecord(
            agent,
            server,
            tool,
            ApiJson.digest(definition),
            canonical(screened.masked()),
            all.isEmpty() ? ToolPinRecord.Status.ACCEPTED : ToolPinRecord.Status.PENDING,
            all,
            clock.instant(),
            all.isEmpty() ? ToolPinRecord.FIRST_USE : null,
            all.isEmpty() ? clock.instant() : null);
    ToolPinStore.Sighting s = store.sight(seen);
    ToolPinRecord pin = s.pin();
    if (pin.status() == ToolPinRecord.Status.ACCEPTED) {
      if (s.added()) {
        audited(pin, "pinned", null, ToolPinRecord.FIRST_USE);
      }
      return new Verdict(true, pin, null, null);
    }
    ToolPinRecord accepted = s.accepted();
    String why;
    String event;
    if (accepted != null) {
      event = "changed";
      why =
          "its definition changed since it was accepted ("
              + accepted.fingerprint()
              + " -> "
              + pin.fingerprint()
              + ")"
              + (pin.concerns().isEmpty()
                  ? ""
                  : " and carries " + String.join("; ", pin.concerns()));
    } else {
      event = "flagged";
      why = "its definition carries " + String.join("; ", pin.concerns());
    }
    why += ": a person must accept it (console Tools page, or `tollgate tools accept`)";
    if (reported.add(pin.agent() + "\u001f" + pin.shownName() + "\u001f" + pin.fingerprint())) {
      audited(pin, event, accepted, null);
    }
    return new Verdict(false, pin, accepted, why);
  }

  /**
   * A person accepts a recorded definition: the tool is shown again while its server defines it
   * this way, on every server sharing the store. Accepting the definition already accepted changes
   * nothing (who accepted it first stays on record) and is not audited again.
   *
   * @return the accepted definition, or empty when no such definition was recorded
   */
  public Optional<ToolPinRecord> accept(
      String agent, String server, String tool, String fingerprint, String by) {
    java.time.Instant at = clock.instant();
    Optional<ToolPinRecord> done = store.accept(agent, server, tool, fingerprint, by, at);
    done.filter(p -> at.equals(p.decidedAt()) && by.equals(p.decidedBy()))
        .ifPresent(
            p -> {
              audited(p, "accepted", null, by);
              listeners.forEach(Runnable::run);
            });
    return done;
  }

  /** Every recorded definition, read from the store now. */
  public List<ToolPinRecord> list() {
    return store.list();
  }

  /**
   * The accepted definition of the same tool as {@code pin}, when it is another one: what a pending
   * definition would replace.
   */
  public Optional<ToolPinRecord> acceptedBeside(ToolPinRecord pin, List<ToolPinRecord> all) {
    return all.stream()
        .filter(
            p ->
                p.status() == ToolPinRecord.Status.ACCEPTED
                    && p.agent().equals(pin.agent())
                    && p.server().equals(pin.server())
                    && p.tool().equals(pin.tool())
                    && !p.fingerprint().equals(pin.fingerprint()))
        .findFirst();
  }

  /** A number that moves whenever a definition is added or accepted, on any server. */
  public long version() {
    return store.version();
  }

  /** Calls {@code listener} after every acceptance made through this engine. */
  public void subscribe(Runnable listener) {
    listeners.add(listener);
  }

  /**
   * The lines of {@code after} against {@code before}, each prefixed by two characters: {@code " "}
   * kept, {@code "- "} removed, {@code "+ "} added (the longest common subsequence of lines).
   */
  public static List<String> diff(String before, String after) {
    String[] a = before.split("\n", -1);
    String[] b = after.split("\n", -1);
    int[][] lcs = new int[a.length + 1][b.length + 1];
    for (int i = a.length - 1; i >= 0; i--) {
      for (int j = b.length - 1; j >= 0; j--) {
        lcs[i][j] =
            a[i].equals(b[j]) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    List<String> out = new ArrayList<>();
    int i = 0;
    int j = 0;
    while (i < a.length || j < b.length) {
      if (i < a.length && j < b.length && a[i].equals(b[j])) {
        out.add("  " + a[i++]);
        j++;
      } else if (i < a.length && (j == b.length || lcs[i + 1][j] >= lcs[i][j + 1])) {
        out.add("- " + a[i++]);
      } else {
        out.add("+ " + b[j++]);
      }
    }
    return out;
  }

  /** Indented JSON with keys sorted at every level: one line per field, for diffs. */
  static String canonical(Map<String, Object> definition) {
    try {
      return ApiJson.mapper()
          .writer()
          .with(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .withDefaultPrettyPrinter()
          .writeValueAsString(definition);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("a tool definition that is not JSON", e);
    }
  }

  private void audited(ToolPinRecord pin, String event, ToolPinRecord accepted, String by) {
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("event", event);
    detail.put("server", pin.server());
    detail.put("fingerprint", pin.fingerprint());
    if (accepted != null) {
      detail.put("accepted", accepted.fingerprint());
    }
    if (!pin.concerns().isEmpty()) {
      detail.put("concerns", pin.concerns());
    }
    if (by != null) {
      detail.put("by", by);
    }
    audit.append(
        List.of(
            AuditEntry.event(
                clock.instant(),
                AuditEntry.Kind.TOOL,
                pin.agent(),
                null,
                null,
                pin.shownName(),
                detail)));
  }
}
