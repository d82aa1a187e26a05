package dev.tollgate.mcp;

import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * The transport of the gateway's client of a session-based server, which remembers the JSON-RPC id
 * the SDK's client gave each tools/call in flight, so that a call the gateway's own client cancels
 * can be cancelled at the server too: the SDK's client only stops waiting for the answer, and sends
 * the server nothing, so that a server over stdio would go on (and over HTTP the spec reads a
 * dropped request as no cancellation at all). A call is known by its request object, which the
 * SDK's client sends as the message's params.
 */
final class Cancelling implements McpClientTransport {
  private final McpClientTransport transport;

  /** Calls being sent or in flight: the request, and its id once sent ({@code this} before). */
  private final Map<Object, Object> ids = Collections.synchronizedMap(new IdentityHashMap<>());

  Cancelling(McpClientTransport transport) {
    this.transport = transport;
  }

  /** Starts following {@code request}, before it is sent. */
  void follow(McpSchema.CallToolRequest request) {
    ids.put(request, this);
  }

  /** Stops following {@code request}: it was answered, or failed. */
  void forget(McpSchema.CallToolRequest request) {
    ids.remove(request);
  }

  /**
   * Tells the server that the gateway no longer wants {@code request}'s answer ({@code
   * notifications/cancelled}, with {@code reason}); nothing when it was never sent. A failure to
   * send is the server's problem to report at its next call, not this call's.
   */
  void cancel(McpSchema.CallToolRequest request, String reason) {
    Object id = ids.remove(request);
    if (id == null || id == this) {
      return;
    }
    transport
        .sendMessage(
            new McpSchema.JSONRPCNotification(
                McpSchema.JSONRPC_VERSION,
                "notifications/cancelled",
                Map.of("requestId", id, "reason", reason)))
        .onErrorComplete()
        .subscribe();
  }

  @Override
  public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
    if (message instanceof McpSchema.JSONRPCRequest r
        && r.params() != null
        && ids.containsKey(r.params())) {
      ids.replace(r.params(), this, r.id());
    }
    return transport.sendMessage(message);
  }

  @Override
  public Mono<Void> connect(
      Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
    return transport.connect(handler);
  }

  @Override
  public void setExceptionHandler(Consumer<Throwable> handler) {
    transport.setExceptionHandler(handler);
  }

  @Override
  public Mono<Void> closeGracefully() {
    return transport.closeGracefully();
  }

  @Override
  public void close() {
    transport.close();
  }

  @Override
  public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
    return transport.unmarshalFrom(data, typeRef);
  }

  @Override
  public List<String> protocolVersions() {
    return transport.protocolVersions();
  }
}
