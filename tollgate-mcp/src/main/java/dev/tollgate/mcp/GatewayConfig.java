package dev.tollgate.mcp;

import java.io.IOException;
import java.net.URI;
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
 * listen: 127.0.0.1:8182         # optional: serve clients over Streamable HTTP at /mcp, not stdio
 * servers:
 *   fs:                          # tools appear as fs.<tool>
 *     command: [npx, -y, "@modelcontextprotocol/server-filesystem", /data]
 *     env: {NODE_OPTIONS: --max-old-space-size=256}
 *   tickets:                     # a server reached over Streamable HTTP
 *     url: https://tickets.internal.example/mcp
 *     headers: {Authorization: "Bearer ${TICKETS_TOKEN}"}   # ${VAR}: from the environment
 * }</pre>
 *
 * @param agent the agent the gateway decides as
 * @param user on whose behalf (default: the operating system's name of the account the gateway runs
 *     as, the person at the desk of a desktop client)
 * @param request the session's request, or {@code null}
 * @param approvalWait how long an asked call is held for a person to decide (zero: answered at once
 *     with the approval's id)
 * @param listen where to serve clients over Streamable HTTP, {@code host:port}, or {@code null} to
 *     serve one client on standard input and output
 * @param servers the servers, by the name their tools are prefixed with
 */
public record GatewayConfig(
    String agent,
    String user,
    String request,
    java.time.Duration approvalWait,
    String listen,
    Map<String, ServerSpec> servers) {

  /** How long an asked call waits for a person when the configuration does not say. */
  public static final java.time.Duration DEFAULT_APPROVAL_WAIT = java.time.Duration.ofSeconds(60);

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Pattern LISTEN = Pattern.compile("([A-Za-z0-9.:\\[\\]-]*):(\\d{1,5})");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

  /** The host of {@link #listen}: empty for every address. */
  String listenHost() {
    return listen.substring(0, listen.lastIndexOf(':'));
  }

  /** The port of {@link #listen} (0: any free port). */
  int listenPort() {
    return Integer.parseInt(listen.substring(listen.lastIndexOf(':') + 1));
  }

  /**
   * One server behind the gateway: a child process it starts and speaks to over stdio, or a server
   * it reaches over Streamable HTTP.
   *
   * @param command the program and its arguments, or empty for a server reached by {@code url}
   * @param env variables added to the gateway's own environment for it
   * @param url the server's Streamable HTTP endpoint, or {@code null} for a child process
   * @param headers HTTP headers sent with every request to {@code url} (its credentials)
   */
  public record ServerSpec(
      List<String> command, Map<String, String> env, URI url, Map<String, String> headers) {
    public ServerSpec {
      command = List.copyOf(command);
      env = Map.copyOf(env);
      headers = Map.copyOf(headers);
      if (command.isEmpty() == (url == null)) {
        throw new IllegalArgumentException("a server has either a command or a url");
      }
      if (url != null && !List.of("http", "https").contains(String.valueOf(url.getScheme()))) {
        throw new IllegalArgumentException(
            "a server's url must be http:// or https://, not `" + url + "`");
      }
    }

    /** A child process the gateway starts. */
    public static ServerSpec process(List<String> command, Map<String, String> env) {
      return new ServerSpec(command, env, null, Map.of());
    }

    /** A server reached over Streamable HTTP. */
    public static ServerSpec http(URI url, Map<String, String> headers) {
      return new ServerSpec(List.of(), Map.of(), url, headers);
    }

    /** How the log names it: its command, or its url. */
    String where() {
      return url != null ? url.toString() : String.join(" ", command);
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
    if (listen != null && !LISTEN.matcher(listen).matches()) {
      throw new IllegalArgumentException(
          "listen: `" + listen + "` is not host:port (127.0.0.1:8182, or :8182 for every address)");
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
      if (!List.of("agent", "user", "request", "approval_wait", "listen", "servers")
          .contains(String.valueOf(key))) {
        throw new IllegalArgumentException(
            where
                + ": unknown key `"
                + key
                + "` (known: agent, user, request, approval_wait, listen, servers)");
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
        if (!List.of("command", "env", "url", "headers").contains(String.valueOf(key))) {
          throw new IllegalArgumentException(
              at + ": unknown key `" + key + "` (known: command, env, url, headers)");
        }
      }
      try {
        specs.put(String.valueOf(e.getKey()), server(server, at));
      } catch (IllegalArgumentException bad) {
        throw bad.getMessage().startsWith(at)
            ? bad
            : new IllegalArgumentException(at + ": " + bad.getMessage(), bad);
      }
    }
    try {
      return new GatewayConfig(
          text(top.get("agent")),
          text(top.get("user")),
          text(top.get("request")),
          duration(top.get("approval_wait"), where + ": approval_wait"),
          text(top.get("listen")),
          specs);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
  }

  private static ServerSpec server(Map<?, ?> server, String at) {
    if (server.get("url") != null) {
      if (server.get("command") != null || server.get("env") != null) {
        throw new IllegalArgumentException(
            at + ": give either `url` (and `headers`) or `command` (and `env`), not both");
      }
      URI url;
      try {
        url = new URI(String.valueOf(server.get("url")));
      } catch (java.net.URISyntaxException bad) {
        throw new IllegalArgumentException(at + ".url: not a URL: " + bad.getMessage(), bad);
      }
      return ServerSpec.http(url, strings(server.get("headers"), at + ".headers", true));
    }
    if (server.get("headers") != null) {
      throw new IllegalArgumentException(at + ".headers: only a server with a `url` has headers");
    }
    if (!(server.get("command") instanceof List<?> command) || command.isEmpty()) {
      throw new IllegalArgumentException(
          at + ".command: expected a list: the program, then its arguments (or a `url`)");
    }
    List<String> words = new ArrayList<>();
    for (Object w : command) {
      words.add(String.valueOf(w));
    }
    return ServerSpec.process(words, strings(server.get("env"), at + ".env", false));
  }

  /** A mapping of strings; {@code ${VAR}} in a value is the environment's, when {@code expand}. */
  private static Map<String, String> strings(Object raw, String at, boolean expand) {
    Map<String, String> out = new LinkedHashMap<>();
    if (raw == null) {
      return out;
    }
    if (!(raw instanceof Map<?, ?> vars)) {
      throw new IllegalArgumentException(at + ": expected a mapping of names to values");
    }
    for (Map.Entry<?, ?> v : vars.entrySet()) {
      String value = String.valueOf(v.getValue());
      if (expand) {
        java.util.regex.Matcher m = VARIABLE.matcher(value);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
          String set = System.getenv(m.group(1));
          if (set == null) {
            throw new IllegalArgumentException(
                at + "." + v.getKey() + ": the environment variable " + m.group(1) + " is not set");
          }
          m.appendReplacement(b, java.util.regex.Matcher.quoteReplacement(set));
        }
        m.appendTail(b);
        value = b.toString();
      }
      out.put(String.valueOf(v.getKey()), value);
    }
    return out;
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
