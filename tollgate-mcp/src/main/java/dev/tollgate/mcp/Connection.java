package dev.tollgate.mcp;

import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The gateway's client of one server, in whichever era of the protocol the server speaks: the
 * session-based revisions (the SDK's client, with initialize, capabilities, list_changed, resources
 * and prompts), or only the stateless revision 2026-07-28 (the SDK's {@code modern} client, over
 * HTTP or to a child process: tools only). The gateway works in the session-based revisions' types;
 * a stateless server's are converted here.
 */
sealed interface Connection {

  /** Every tool of the server, every page. */
  List<McpSchema.Tool> listTools();

  McpSchema.CallToolResult callTool(McpSchema.CallToolRequest request);

  /** What the server offers besides tools, or {@code null} when it says nothing of it. */
  McpSchema.ServerCapabilities capabilities();

  void close();

  /** A server of the session-based revisions. */
  record Sessions(McpSyncClient client) implements Connection {
    @Override
    public List<McpSchema.Tool> listTools() {
      return client.listTools().tools();
    }

    @Override
    public McpSchema.CallToolResult callTool(McpSchema.CallToolRequest request) {
      return client.callTool(request);
    }

    @Override
    public McpSchema.ServerCapabilities capabilities() {
      return client.getServerCapabilities();
    }

    @Override
    public void close() {
      client.closeGracefully();
    }
  }

  /**
   * A server of the stateless revision only: no handshake, each request carrying the protocol
   * version in its {@code _meta}. Its resources and prompts are not passed through.
   */
  record Stateless(
      io.modelcontextprotocol.modern.client.McpSyncClient client,
      io.modelcontextprotocol.modern.client.transport.McpClientTransport transport,
      McpJsonMapper json)
      implements Connection {
    @Override
    public List<McpSchema.Tool> listTools() {
      List<McpSchema.Tool> out = new ArrayList<>();
      for (io.modelcontextprotocol.modern.McpSchema.Tool t : client.listTools().list().tools()) {
        out.add(json.convertValue(json.convertValue(t, Map.class), McpSchema.Tool.class));
      }
      return out;
    }

    @Override
    public McpSchema.CallToolResult callTool(McpSchema.CallToolRequest request) {
      var spec = client.tool(request.name());
      if (request.arguments() != null) {
        spec = spec.arguments(request.arguments());
      }
      if (request.meta() != null) {
        spec = spec.meta(request.meta());
      }
      return json.convertValue(
          json.convertValue(spec.call(), Map.class), McpSchema.CallToolResult.class);
    }

    @Override
    public McpSchema.ServerCapabilities capabilities() {
      return null;
    }

    @Override
    public void close() {
      // over HTTP nothing is held open between requests; on stdio this ends the child process
      release(transport);
    }
  }

  static void release(
      io.modelcontextprotocol.modern.client.transport.McpClientTransport transport) {
    if (transport instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception ignored) {
        // it is gone already: nothing more to release
      }
    }
  }
}
