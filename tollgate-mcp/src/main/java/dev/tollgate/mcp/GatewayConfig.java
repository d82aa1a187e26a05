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
 * @param servers the servers, by the name their tools are prefixed with
 */
public record GatewayConfig(
    String agent, String user, String request, Map<String, ServerSpec> servers) {

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
      if (!List.of("agent", "user", "request", "servers").contains(String.valueOf(key))) {
        throw new IllegalArgumentException(
            where + ": unknown key `" + key + "` (known: agent, user, request, servers)");
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
          text(top.get("agent")), text(top.get("user")), text(top.get("request")), specs);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
  }

  private static String text(Object o) {
    return o == null ? null : String.valueOf(o);
  }
}
