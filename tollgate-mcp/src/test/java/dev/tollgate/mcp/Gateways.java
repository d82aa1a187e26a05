package dev.tollgate.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** What the gateway's tests share: a gateway process, a client of it, a result's text. */
final class Gateways {
  private Gateways() {}

  /** A bundle letting every agent use every tool, with no policies: the gateway alone is tested. */
  static Path openBundle(Path dir) throws IOException {
    Path bundle = Files.createDirectories(dir.resolve("bundle"));
    Files.writeString(bundle.resolve("agents.yaml"), "defaults: {unprofiled: allow}\n");
    Files.writeString(bundle.resolve("policies.yaml"), "policies: []\n");
    return bundle;
  }

  /** The command that starts {@link GatewayMain} on a bundle and a configuration. */
  static List<String> command(Path bundle, Path config) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return List.of(
        java,
        "-cp",
        System.getProperty("java.class.path"),
        GatewayMain.class.getName(),
        bundle.toString(),
        config.toString());
  }

  /** An initialized Java SDK client of a gateway process. */
  static McpSyncClient client(Path bundle, Path config, String name) {
    List<String> command = command(bundle, config);
    StdioClientTransport transport =
        new StdioClientTransport(
            ServerParameters.builder(command.getFirst())
                .args(command.subList(1, command.size()))
                .build(),
            new JacksonMcpJsonMapper(new ObjectMapper()));
    transport.setStdErrorHandler(line -> System.err.println("[gateway] " + line));
    McpSyncClient client =
        McpClient.sync(transport)
            .clientInfo(McpSchema.Implementation.builder(name, "1").build())
            .requestTimeout(Duration.ofSeconds(30))
            .initializationTimeout(Duration.ofSeconds(60))
            .build();
    client.initialize();
    return client;
  }

  /** An initialized Java SDK client of a gateway over Streamable HTTP, with a bearer token. */
  static McpSyncClient httpClient(java.net.URI uri, String token) {
    return httpClient(uri, token, progress -> {});
  }

  /** As {@link #httpClient(java.net.URI, String)}, telling {@code progress} what it hears. */
  static McpSyncClient httpClient(
      java.net.URI uri,
      String token,
      java.util.function.Consumer<McpSchema.ProgressNotification> progress) {
    McpSyncClient c =
        McpClient.sync(
                io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport.builder(
                        uri.getScheme() + "://" + uri.getRawAuthority())
                    .endpoint(uri.getRawPath())
                    .jsonMapper(new JacksonMcpJsonMapper(new ObjectMapper()))
                    .httpRequestCustomizer(
                        (request, method, u, body, context) ->
                            request.header("Authorization", "Bearer " + token))
                    .build())
            .requestTimeout(Duration.ofSeconds(30))
            .progressConsumer(progress)
            .build();
    c.initialize();
    return c;
  }

  static McpSchema.CallToolResult call(
      McpSyncClient client, String tool, Map<String, Object> args) {
    return client.callTool(McpSchema.CallToolRequest.builder(tool).arguments(args).build());
  }

  static String text(McpSchema.CallToolResult r) {
    return r.content().stream()
        .filter(McpSchema.TextContent.class::isInstance)
        .map(c -> ((McpSchema.TextContent) c).text())
        .collect(Collectors.joining("\n"));
  }
}
