package dev.tollgate.mcp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * What the gateway puts itself in front of, and as whom: {@code mcp.yaml}.
 *
 * <pre>{@code
 * agent: desk-assistant          # the agent the gateway decides as
 * user: erin@acme.example        # on whose behalf (default: the account the gateway runs as)
 * request: Tidy my notes folder  # optional: the session's request, which task scope reads
 * approval_wait: 2m              # how long an asked call waits for a person (default 60s; 0: not)
 * servers:
 *   fs:                          # tools appear as fs.<tool>
 *     command: [npx, -y, "@modelcontextprotocol/server-filesystem", /data]
 *     env: {NODE_OPTIONS: --max-old-space-size=256}
 * }</pre>
 *
 * @param agent the agent the gateway decides as
 * @param user on whose behalf (default: the operating system's name of the account the gateway runs
 *     as, the person at the desk of a desktop client)
 * @param request the session's request, or {@code null}
 * @param approvalWait how long an asked call is held for a person to decide (zero: answered at once
 *     with the approval's id)
 * @param servers the servers, by the name their tools are prefixed with
 */
public record GatewayConfig(
    String agent,
    String user,
    String request,
    java.time.Duration approvalWait,
    Map<String, ServerSpec> servers) {

  /** How long an asked call waits for a person when the configuration does not say. */
  public static final java.time.Duration DEFAULT_APPROVAL_WAIT = java.time.Duration.ofSeconds(60);

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /**
   * One server behind the gateway: a child process it starts and speaks to over stdio.
   *
   * @param command the program and its arguments
   * @param env variables added to the gateway's own environment for it
   */
  public record ServerSpec(List<String> command, Map<String, String> env) {
    public ServerSpec {
      command = List.copyOf(command);
      env = Map.copyOf(env);
      if (command.isEmpty()) {
        throw new IllegalArgumentException("a server's command is empty");
      }
    }
  }

  public GatewayConfig {
    user = user == null || user.isBlank() ? System.getProperty("user.name", "local") : user;
    approvalWait = approvalWait == null ? DEFAULT_APPROVAL_WAIT : approvalWait;
    if (approvalWait.isNegative() || approvalWait.compareTo(java.time.Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("approval_wait must be between 0s and 1h");
    }
    servers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(servers));
    if (agent == null || agent.isBlank()) {
      throw new IllegalArgumentException("the gateway needs an agent to decide as");
    }
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("the gateway needs at least one server");
    }
    for (String name : servers.keySet()) {
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            "server name `"
                + name
                + "`: use 1 to 64 letters, digits, `_` or `-` (its tools are named"
                + " <server>.<tool>)");
      }
    }
  }

  /** Reads {@code mcp.yaml}; a mistake is an {@link IllegalArgumentException} naming its place. */
  public static GatewayConfig read(Path file) throws IOException {
    return parse(Files.readString(file), file.toString());
  }

  /** Parses the text of {@code mcp.yaml}; {@code where} names it in errors. */
  public static GatewayConfig parse(String text, String where) {
    Object root;
    try {
      root = new Load(LoadSettings.builder().setLabel(where).build()).loadFromString(text);
    } catch (YamlEngineException e) {
      throw new IllegalArgumentException(where + ": not YAML: " + e.getMessage(), e);
    }
    if (!(root instanceof Map<?, ?> top)) {
      throw new IllegalArgumentException(where + ": expected a mapping with `agent` and `servers`");
    }
    for (Object key : top.keySet()) {
      if (!List.of("agent", "user", "request", "approval_wait", "servers")
          .contains(String.valueOf(key))) {
        throw new IllegalArgumentException(
            where
                + ": unknown key `"
                + key
                + "` (known: agent, user, request, approval_wait, servers)");
      }
    }
    Object servers = top.get("servers");
    if (!(servers instanceof Map<?, ?> byName) || byName.isEmpty()) {
      throw new IllegalArgumentException(
          where + ": `servers` must map each server's name to its `command`");
    }
    Map<String, ServerSpec> specs = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : byName.entrySet()) {
      String at = where + ": servers." + e.getKey();
      if (!(e.getValue() instanceof Map<?, ?> server)) {
        throw new IllegalArgumentException(at + ": expected a mapping with `command`");
      }
      for (Object key : server.keySet()) {
        if (!List.of("command", "env").contains(String.valueOf(key))) {
          throw new IllegalArgumentException(
              at + ": unknown key `" + key + "` (known: command, env)");
        }
      }
      if (!(server.get("command") instanceof List<?> command) || command.isEmpty()) {
        throw new IllegalArgumentException(
            at + ".command: expected a list: the program, then its arguments");
      }
      List<String> words = new ArrayList<>();
      for (Object w : command) {
        words.add(String.valueOf(w));
      }
      Map<String, String> env = new LinkedHashMap<>();
      Object rawEnv = server.get("env");
      if (rawEnv != null) {
        if (!(rawEnv instanceof Map<?, ?> vars)) {
          throw new IllegalArgumentException(at + ".env: expected a mapping of variables");
        }
        vars.forEach((k, v) -> env.put(String.valueOf(k), String.valueOf(v)));
      }
      specs.put(String.valueOf(e.getKey()), new ServerSpec(words, env));
    }
    try {
      return new GatewayConfig(
          text(top.get("agent")),
          text(top.get("user")),
          text(top.get("request")),
          duration(top.get("approval_wait"), where + ": approval_wait"),
          specs);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
  }

  /** {@code 90s}, {@code 2m}, {@code 1h}, or {@code 0}. */
  static java.time.Duration duration(Object o, String at) {
    if (o == null) {
      return null;
    }
    String t = String.valueOf(o).strip();
    java.util.regex.Matcher m = Pattern.compile("(\\d{1,6})(ms|s|m|h)?").matcher(t);
    if (!m.matches() || (m.group(2) == null && !t.equals("0"))) {
      throw new IllegalArgumentException(
          at + ": `" + t + "` is not a duration: write 90s, 2m, 1h, or 0");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2) == null ? "s" : m.group(2)) {
      case "ms" -> java.time.Duration.ofMillis(n);
      case "m" -> java.time.Duration.ofMinutes(n);
      case "h" -> java.time.Duration.ofHours(n);
      default -> java.time.Duration.ofSeconds(n);
    };
  }

  private static String text(Object o) {
    return o == null ? null : String.valueOf(o);
  }
}
