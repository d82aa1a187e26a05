package dev.tollgate.mcp;

import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The gateway's client of one server, in whichever era of the protocol the server speaks: the
 * session-based revisions (the SDK's client, with initialize, capabilities and list_changed), or
 * only the stateless revision 2026-07-28 (the SDK's {@code modern} client, over HTTP or to a child
 * process). Tools, resources and prompts either way; completions from servers of the session-based
 * revisions. The gateway works in the session-based revisions' types; a stateless server's are
 * converted here.
 */
sealed interface Connection {

  /** Every tool of the server, every page. */
  List<McpSchema.Tool> listTools();

  /**
   * Sends a call; its answer, or its failure, completes the future. Cancelling the future stops
   * waiting for the answer and tells the server the call is cancelled, where the protocol can.
   */
  java.util.concurrent.CompletableFuture<McpSchema.CallToolResult> callTool(
      McpSchema.CallToolRequest request);

  /** What the server offers besides tools, or {@code null} when it says nothing of it. */
  McpSchema.ServerCapabilities capabilities();

  /** One page of the server's resources; {@code cursor} {@code null} for the first. */
  McpSchema.ListResourcesResult listResources(String cursor);

  McpSchema.ListResourceTemplatesResult listResourceTemplates(String cursor);

  McpSchema.ListPromptsResult listPrompts(String cursor);

  McpSchema.ReadResourceResult readResource(McpSchema.ReadResourceRequest request);

  McpSchema.GetPromptResult getPrompt(McpSchema.GetPromptRequest request);

  McpSchema.CompleteResult complete(McpSchema.CompleteRequest request);

  void close();

  /**
   * A server of the session-based revisions. The SDK's asynchronous client, awaited here, rather
   * than its synchronous one: that one hands each progress notification to a thread of its own, so
   * that notifications overtake each other and the call's answer, and a client is sent its last
   * progress after its result (or never). Built with a progress consumer that runs in line, this
   * client hands them on in the order the server sent them, before the answer that follows.
   */
  record Sessions(McpAsyncClient client, Cancelling transport) implements Connection {
    @Override
    public List<McpSchema.Tool> listTools() {
      return client.listTools().block().tools();
    }

    @Override
    public java.util.concurrent.CompletableFuture<McpSchema.CallToolResult> callTool(
        McpSchema.CallToolRequest request) {
      transport.follow(request);
      java.util.concurrent.CompletableFuture<McpSchema.CallToolResult> answer =
          client
              .callTool(request)
              .doFinally(
                  signal -> {
                    if (signal != reactor.core.publisher.SignalType.CANCEL) {
                      transport.forget(request);
                    }
                  })
              .toFuture();
      answer.whenComplete(
          (result, failure) -> {
            if (failure instanceof java.util.concurrent.CancellationException) {
              transport.cancel(request, "the gateway no longer waits for this call");
            }
          });
      return answer;
    }

    @Override
    public McpSchema.ServerCapabilities capabilities() {
      return client.getServerCapabilities();
    }

    @Override
    public McpSchema.ListResourcesResult listResources(String cursor) {
      return client.listResources(cursor).block();
    }

    @Override
    public McpSchema.ListResourceTemplatesResult listResourceTemplates(String cursor) {
      return client.listResourceTemplates(cursor).block();
    }

    @Override
    public McpSchema.ListPromptsResult listPrompts(String cursor) {
      return client.listPrompts(cursor).block();
    }

    @Override
    public McpSchema.ReadResourceResult readResource(McpSchema.ReadResourceRequest request) {
      return client.readResource(request).block();
    }

    @Override
    public McpSchema.GetPromptResult getPrompt(McpSchema.GetPromptRequest request) {
      return client.getPrompt(request).block();
    }

    @Override
    public McpSchema.CompleteResult complete(McpSchema.CompleteRequest request) {
      return client.completeCompletion(request).block();
    }

    @Override
    public void close() {
      client.closeGracefully().block(java.time.Duration.ofSeconds(10));
    }
  }

  /**
   * A server of the stateless revision only: no handshake, each request carrying the protocol
   * version in its {@code _meta}; what it offers is what its {@code server/discover} said ({@code
   * capabilities}). Its completions are not passed on.
   */
  record Stateless(
      io.modelcontextprotocol.modern.client.McpAsyncClient client,
      io.modelcontextprotocol.modern.client.transport.McpClientTransport transport,
      McpJsonMapper json,
      McpSchema.ServerCapabilities capabilities,
      java.util.function.Consumer<McpSchema.ProgressNotification> progress)
      implements Connection {
    @Override
    public List<McpSchema.Tool> listTools() {
      List<McpSchema.Tool> out = new ArrayList<>();
      for (io.modelcontextprotocol.modern.McpSchema.Tool t :
          client.listTools().list().block().tools()) {
        out.add(json.convertValue(json.convertValue(t, Map.class), McpSchema.Tool.class));
      }
      return out;
    }

    @Override
    public java.util.concurrent.CompletableFuture<McpSchema.CallToolResult> callTool(
        McpSchema.CallToolRequest request) {
      var spec = client.tool(request.name());
      if (request.arguments() != null) {
        spec = spec.arguments(request.arguments());
      }
      Object token = request.progressToken();
      if (request.meta() != null) {
        spec = spec.meta(ours(request.meta()));
      }
      if (token != null) {
        // the progress of this call, under the token the gateway sent it with, handed on in line
        // (see Sessions): in the order it came and before the answer
        spec =
            spec.progress(
                p ->
                    reactor.core.publisher.Mono.fromRunnable(
                        () ->
                            progress.accept(
                                new McpSchema.ProgressNotification(
                                    token, p.progress(), p.total(), p.message(), p.meta()))));
      }
      // the SDK's client sends the server notifications/cancelled itself when the call's
      // subscription is cancelled (on stdio; over HTTP it closes the request)
      return spec.call().map(r -> convert(r, McpSchema.CallToolResult.class)).toFuture();
    }

    @Override
    public McpSchema.ListResourcesResult listResources(String cursor) {
      var page = client.resources();
      return convert(
          (cursor == null ? page : page.cursor(cursor)).list().block(),
          McpSchema.ListResourcesResult.class);
    }

    @Override
    public McpSchema.ListResourceTemplatesResult listResourceTemplates(String cursor) {
      var page = client.resourceTemplates();
      return convert(
          (cursor == null ? page : page.cursor(cursor)).list().block(),
          McpSchema.ListResourceTemplatesResult.class);
    }

    @Override
    public McpSchema.ListPromptsResult listPrompts(String cursor) {
      var page = client.prompts();
      return convert(
          (cursor == null ? page : page.cursor(cursor)).list().block(),
          McpSchema.ListPromptsResult.class);
    }

    @Override
    public McpSchema.ReadResourceResult readResource(McpSchema.ReadResourceRequest request) {
      var spec = client.resource(request.uri());
      if (request.meta() != null) {
        spec = spec.meta(ours(request.meta()));
      }
      return convert(spec.read().block(), McpSchema.ReadResourceResult.class);
    }

    @Override
    public McpSchema.GetPromptResult getPrompt(McpSchema.GetPromptRequest request) {
      var spec = client.prompt(request.name());
      if (request.arguments() != null) {
        Map<String, String> arguments = new java.util.LinkedHashMap<>();
        request.arguments().forEach((k, v) -> arguments.put(k, v == null ? null : v.toString()));
        spec = spec.arguments(arguments);
      }
      if (request.meta() != null) {
        spec = spec.meta(ours(request.meta()));
      }
      return convert(spec.get().block(), McpSchema.GetPromptResult.class);
    }

    @Override
    public McpSchema.CompleteResult complete(McpSchema.CompleteRequest request) {
      throw new UnsupportedOperationException(
          "completions are not passed on from a server of the stateless revision");
    }

    /**
     * A client's {@code _meta} as the gateway sends it on: without what the SDK's client sets
     * itself (the protocol's own keys, which a client of the 2026 revision sent the gateway, and
     * the progress token) and refuses to be given.
     */
    private static Map<String, Object> ours(Map<String, Object> meta) {
      Map<String, Object> sent = new java.util.HashMap<>(meta);
      sent.remove("progressToken");
      sent.keySet().removeIf(k -> k.startsWith("io.modelcontextprotocol/"));
      return sent;
    }

    /** The same JSON read as the session-based revisions' type. */
    private <T> T convert(Object modern, Class<T> type) {
      return json.convertValue(json.convertValue(modern, Map.class), type);
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
