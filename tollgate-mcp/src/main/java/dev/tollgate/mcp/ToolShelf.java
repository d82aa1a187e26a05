package dev.tollgate.mcp;

import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

/**
 * The tools the gateway shows its client: every server's tools as the servers list them, each shown
 * only while its definition is pinned (see {@link ToolPinning}). Listed again when a server says
 * its tools changed and when a person accepts a definition (in this process at once; on another
 * server sharing the store within {@link #RECHECK_EVERY}).
 */
final class ToolShelf implements AutoCloseable {
  static final Duration RECHECK_EVERY = Duration.ofSeconds(2);

  /** A tool's bare name distinctive enough that naming it in a description means that tool. */
  private static final Pattern DISTINCTIVE =
      Pattern.compile("(?=.{4,})[A-Za-z][A-Za-z0-9]*([_-][A-Za-z0-9]+|[a-z][A-Z][A-Za-z0-9]*)+");

  private final ToolPinning pinning;
  private final McpJsonMapper json;
  private final PrintStream log;
  private final BiFunction<String, McpSchema.Tool, McpServerFeatures.SyncToolSpecification> proxy;

  /** Each server's tools as it last listed them. */
  private final Map<String, List<McpSchema.Tool>> listed = new LinkedHashMap<>();

  /** The tools shown, by their shown name, as their server defines them. */
  private final Map<String, McpSchema.Tool> shown = new LinkedHashMap<>();

  /** Why each hidden tool is hidden, said once on the log per reason. */
  private final Set<String> said = ConcurrentHashMap.newKeySet();

  /**
   * Each tool's last check (by server, definition and concerns), kept while the pins' version stays
   * where it was: a list_changed from one server does not check every other server's tools in the
   * store again.
   */
  private final Map<List<Object>, Boolean> checked = new HashMap<>();

  private McpSyncServer server;
  private boolean started;
  private long seenVersion = Long.MIN_VALUE;
  private boolean anyHidden;
  private volatile boolean closed;
  private final Thread rechecks;

  ToolShelf(
      ToolPinning pinning,
      McpJsonMapper json,
      PrintStream log,
      BiFunction<String, McpSchema.Tool, McpServerFeatures.SyncToolSpecification> proxy) {
    this.pinning = pinning;
    this.json = json;
    this.log = log;
    this.proxy = proxy;
    pinning.onAccepted(() -> Thread.ofVirtual().start(this::refresh));
    this.rechecks = Thread.ofVirtual().name("tollgate-mcp-pins").start(this::recheck);
  }

  /**
   * Every server's first listing: no tool is checked before all are known, since a tool's concerns
   * depend on the other servers' tools.
   */
  void start(Map<String, List<McpSchema.Tool>> all) {
    synchronized (this) {
      all.forEach((name, tools) -> listed.put(name, List.copyOf(tools)));
      started = true;
    }
    refresh();
  }

  /** A server listed its tools again (it said they changed, or it was started again). */
  void listed(String serverName, List<McpSchema.Tool> tools) {
    synchronized (this) {
      listed.put(serverName, List.copyOf(tools));
      if (!started) {
        return;
      }
    }
    refresh();
  }

  /** The tools shown now, for the gateway's server before it starts. */
  synchronized List<McpServerFeatures.SyncToolSpecification> specifications() {
    List<McpServerFeatures.SyncToolSpecification> out = new ArrayList<>();
    for (Map.Entry<String, McpSchema.Tool> e : shown.entrySet()) {
      out.add(proxy.apply(serverOf(e.getKey()), e.getValue()));
    }
    return out;
  }

  /** From now on, changes go to {@code s}'s client as tools added and removed. */
  synchronized void attach(McpSyncServer s) {
    this.server = s;
  }

  synchronized int size() {
    return shown.size();
  }

  /** The tools shown now, by the name they are shown by, as their servers define them. */
  synchronized Map<String, McpSchema.Tool> shownTools() {
    return Map.copyOf(shown);
  }

  /** The names of the tools shown now. */
  synchronized List<String> shownNames() {
    return List.copyOf(shown.keySet());
  }

  /** Checks every listed tool against its pin and shows or hides it accordingly. */
  synchronized void refresh() {
    long version;
    try {
      version = pinning.version();
    } catch (RuntimeException e) {
      version = Long.MIN_VALUE;
    }
    if (version != seenVersion || version == Long.MIN_VALUE) {
      checked.clear();
    }
    Map<String, McpSchema.Tool> next = new LinkedHashMap<>();
    boolean hidden = false;
    for (Map.Entry<String, List<McpSchema.Tool>> e : listed.entrySet()) {
      for (McpSchema.Tool t : e.getValue()) {
        if (check(e.getKey(), t)) {
          next.put(e.getKey() + "." + t.name(), t);
        } else {
          hidden = true;
        }
      }
    }
    for (String name : List.copyOf(shown.keySet())) {
      if (!Objects.equals(next.get(name), shown.get(name))) {
        shown.remove(name);
        if (server != null) {
          server.removeTool(name);
        }
      }
    }
    for (Map.Entry<String, McpSchema.Tool> e : next.entrySet()) {
      if (!shown.containsKey(e.getKey())) {
        shown.put(e.getKey(), e.getValue());
        if (server != null) {
          server.addTool(proxy.apply(serverOf(e.getKey()), e.getValue()));
        }
      }
    }
    if (hidden && !anyHidden) {
      notifyAll(); // the recheck starts watching the pins' version
    }
    anyHidden = hidden;
    seenVersion = version;
  }

  private static String serverOf(String shownName) {
    return shownName.substring(0, shownName.indexOf('.'));
  }

  /** Whether a tool may be shown; any failure hides it (fail closed). */
  private boolean check(String serverName, McpSchema.Tool tool) {
    String name = serverName + "." + tool.name();
    List<String> concerns = shadowing(serverName, tool);
    List<Object> key = List.of(serverName, tool, concerns);
    Boolean known = checked.get(key);
    if (known != null) {
      return known;
    }
    ToolPinning.Pin pin;
    try {
      pin = pinning.check(serverName, definition(tool), concerns);
    } catch (RuntimeException e) {
      say(name, "its definition could not be checked against its pin (" + e.getMessage() + ")");
      return false;
    }
    if (!pin.shown()) {
      say(name, pin.why());
    }
    checked.put(key, pin.shown());
    return pin.shown();
  }

  private void say(String name, String why) {
    if (said.add(name + "\u001f" + why)) {
      log.println("tollgate mcp: hid " + name + ": " + why);
    }
  }

  /** What is pinned of a tool: its name, title, description, schemas and annotations. */
  Map<String, Object> definition(McpSchema.Tool tool) {
    @SuppressWarnings("unchecked")
    Map<String, Object> all = json.convertValue(tool, Map.class);
    Map<String, Object> out = new HashMap<>();
    for (String key :
        List.of("name", "title", "description", "inputSchema", "outputSchema", "annotations")) {
      if (all.get(key) != null) {
        out.put(key, all.get(key));
      }
    }
    return out;
  }

  /**
   * The other servers' tools a tool's title or description names (tool shadowing: a description
   * that tells the model how to use another server's tool, "when you send mail, also copy ..."). A
   * tool is named by its shown name, or by its bare name when that is distinctive ({@code
   * send_email}, {@code createIssue}: not {@code search}) and not also a tool of the same server.
   */
  private List<String> shadowing(String serverName, McpSchema.Tool tool) {
    String text =
        (tool.title() == null ? "" : tool.title())
            + "\n"
            + (tool.description() == null ? "" : tool.description());
    if (text.isBlank()) {
      return List.of();
    }
    Set<String> own = new java.util.HashSet<>();
    for (McpSchema.Tool t : listed.getOrDefault(serverName, List.of())) {
      own.add(t.name());
    }
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, List<McpSchema.Tool>> e : listed.entrySet()) {
      if (e.getKey().equals(serverName)) {
        continue;
      }
      for (McpSchema.Tool other : e.getValue()) {
        String shownName = e.getKey() + "." + other.name();
        boolean named =
            mentions(text, shownName)
                || (!own.contains(other.name())
                    && DISTINCTIVE.matcher(other.name()).matches()
                    && mentions(text, other.name()));
        if (named) {
          out.add("a name of another server's tool, " + shownName + " (shadowing)");
        }
      }
    }
    return out;
  }

  private static boolean mentions(String text, String name) {
    return Pattern.compile("(?<![A-Za-z0-9_.-])" + Pattern.quote(name) + "(?![A-Za-z0-9_-])")
        .matcher(text)
        .find();
  }

  /**
   * While a tool is hidden, asks the pins every few seconds whether their version moved (a person
   * accepted a definition on another server sharing the store: no event crosses servers). With
   * nothing hidden it waits until a refresh hides something, or until the shelf is closed.
   */
  private void recheck() {
    while (true) {
      synchronized (this) {
        try {
          if (!closed && !anyHidden) {
            wait();
          }
          if (!closed) {
            wait(RECHECK_EVERY.toMillis());
          }
        } catch (InterruptedException e) {
          return;
        }
        if (closed) {
          return;
        }
        if (!anyHidden) {
          continue;
        }
      }
      try {
        if (pinning.version() != seenVersionNow()) {
          refresh();
        }
      } catch (RuntimeException e) {
        log.println("tollgate mcp: could not read the tool pins: " + e.getMessage());
      }
    }
  }

  private synchronized long seenVersionNow() {
    return seenVersion;
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      notifyAll();
    }
    rechecks.interrupt();
  }
}
