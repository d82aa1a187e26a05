package dev.tollgate.mcp;

import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.modern.server.McpServer;
import io.modelcontextprotocol.modern.server.McpSyncResponse;
import io.modelcontextprotocol.modern.server.feature.McpSyncTool;
import io.modelcontextprotocol.modern.server.feature.McpSyncToolRepository;
import io.modelcontextprotocol.modern.server.feature.ToolsFeature;
import io.modelcontextprotocol.modern.server.feature.ToolsPage;
import io.modelcontextprotocol.modern.server.transport.HttpServletMcpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The gateway's server for clients of the stateless revision 2026-07-28 (no initialize, no MCP
 * session: the protocol version and capabilities travel in each request's {@code _meta}, and
 * Streamable HTTP requests carry {@code Mcp-Method}), beside the session-based one on the same
 * endpoint. The SDK has this revision in its {@code modern} package, with schema types of its own:
 * this is the thin layer between them. It lists the same tools, answers {@code server/discover},
 * and sends each call down the same path (decision, held approval, upstream, observation).
 */
final class ModernFront {
  private ModernFront() {}

  /** The servlet for 2026-07-28 requests to {@code /mcp}, calling through {@code gateway}. */
  static HttpServletMcpTransport servlet(McpJsonMapper json, ToolShelf shelf, McpGateway gateway) {
    return HttpServletMcpTransport.builder(server(json, shelf, gateway))
        .jsonMapper(json)
        .endpoint(HttpFront.PATH)
        .contextExtractor(HttpFront::context)
        .build();
  }

  /**
   * Serves one client of the 2026-07-28 revision on {@code in} and {@code out} (stdio), until
   * {@code in} ends.
   */
  static io.modelcontextprotocol.modern.server.transport.StdioMcpTransport stdio(
      McpJsonMapper json,
      ToolShelf shelf,
      McpGateway gateway,
      java.io.InputStream in,
      java.io.OutputStream out) {
    var transport =
        new io.modelcontextprotocol.modern.server.transport.StdioMcpTransport(
            server(json, shelf, gateway), json, in, out);
    transport.start().subscribe();
    return transport;
  }

  /** The 2026-07-28 server: the shown tools, each call down the gateway's one path. */
  private static McpServer server(McpJsonMapper json, ToolShelf shelf, McpGateway gateway) {
    McpSyncToolRepository tools =
        new McpSyncToolRepository() {
          @Override
          public ToolsPage list(
              io.modelcontextprotocol.modern.server.McpRequestContext context, String cursor) {
            List<io.modelcontextprotocol.modern.McpSchema.Tool> out = new ArrayList<>();
            shelf.shownTools().forEach((name, tool) -> out.add(modern(json, name, tool)));
            return ToolsPage.of(out);
          }

          @Override
          public McpSyncTool find(
              io.modelcontextprotocol.modern.server.McpRequestContext context, String name) {
            McpSchema.Tool tool = shelf.shownTools().get(name);
            if (tool == null) {
              return null;
            }
            return McpSyncTool.of(
                modern(json, name, tool),
                (ctx, request) -> {
                  Object token = ctx.progressToken();
                  Map<String, Object> meta =
                      request.meta() == null
                          ? new java.util.HashMap<>()
                          : new java.util.HashMap<>(request.meta());
                  if (token != null) {
                    meta.put("progressToken", token);
                  }
                  java.util.function.Function<
                          java.util.function.Consumer<McpSchema.ProgressNotification>, Object>
                      call =
                          progress ->
                              json.convertValue(
                                  json.convertValue(
                                      gateway.call(
                                          name,
                                          new McpGateway.Caller(
                                              McpGateway.client(ctx.transportContext()),
                                              null,
                                              progress,
                                              null),
                                          McpSchema.CallToolRequest.builder(name)
                                              .arguments(request.arguments())
                                              .meta(meta)
                                              .build()),
                                      Map.class),
                                  io.modelcontextprotocol.modern.McpSchema.CallToolResult.class);
                  if (token == null) {
                    return McpSyncResponse.result(
                        (io.modelcontextprotocol.modern.McpSchema.CallToolResult) call.apply(null));
                  }
                  // the client asked for progress: the server's, and the gateway's own while a
                  // person decides, go out on the call's stream
                  return McpSyncResponse.streaming(
                      notifier ->
                          (io.modelcontextprotocol.modern.McpSchema.CallToolResult)
                              call.apply(
                                  n ->
                                      notifier.progress(
                                          n.progress() == null ? 0 : n.progress(),
                                          n.total(),
                                          n.message())));
                });
          }
        };
    return McpServer.builder()
        .serverInfo(
            io.modelcontextprotocol.modern.McpSchema.Implementation.builder(
                    "tollgate-mcp-gateway", "0.1")
                .build())
        .jsonMapper(json)
        .feature(ToolsFeature.ofSync(tools))
        .build();
  }

  /** A server's tool as the 2026 revision's schema has it, under the name the gateway shows. */
  private static io.modelcontextprotocol.modern.McpSchema.Tool modern(
      McpJsonMapper json, String shownName, McpSchema.Tool tool) {
    @SuppressWarnings("unchecked")
    Map<String, Object> fields = new LinkedHashMap<>(json.convertValue(tool, Map.class));
    fields.put("name", shownName);
    return json.convertValue(fields, io.modelcontextprotocol.modern.McpSchema.Tool.class);
  }
}
