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

  /** Calls being sent or in flight, by their request. */
  private final Map<Object, Call> calls = Collections.synchronizedMap(new IdentityHashMap<>());

  /** Where the transport hands the server's messages to the SDK's client. */
  private volatile Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> inbound;

  /**
   * One call: its id once the SDK's client sends it, whether the send is done, and a cancellation
   * that came while it was being sent (it goes out after the call, never before it: over HTTP the
   * two are separate requests, and a server ignores a cancellation of a call it has not seen).
   */
  private static final class Call {
    Object id;
    boolean sent;
    String cancelled;
  }

  Cancelling(McpClientTransport transport) {
    this.transport = transport;
  }

  /** Starts following {@code request}, before it is sent. */
  void follow(McpSchema.CallToolRequest request) {
    calls.put(request, new Call());
  }

  /** Stops following {@code request}: it was answered, or failed. */
  void forget(McpSchema.CallToolRequest request) {
    calls.remove(request);
  }

  /**
   * Tells the server that the gateway no longer wants {@code request}'s answer ({@code
   * notifications/cancelled}, with {@code reason}), once the call is sent; nothing when it never
   * was.
   */
  void cancel(McpSchema.CallToolRequest request, String reason) {
    Call call = calls.remove(request);
    if (call == null) {
      return;
    }
    synchronized (call) {
      if (call.id == null || !call.sent) {
        call.cancelled = reason; // sent when the call's own send is done
        return;
      }
    }
    cancelled(call.id, reason);
  }

  private void cancelled(Object id, String reason) {
    // a failure to send is the server's problem, for its next call to report, not this call's
    transport
        .sendMessage(
            new McpSchema.JSONRPCNotification(
                McpSchema.JSONRPC_VERSION,
                "notifications/cancelled",
                Map.of("requestId", id, "reason", reason)))
        .onErrorComplete()
        .subscribe();
    // a server that was told sends no answer: the SDK's client would keep waiting for one, its
    // entry for the call (with the call's arguments) held until the connection closes; an answer
    // of the gateway's own releases it
    var handler = inbound;
    if (handler != null) {
      handler
          .apply(
              Mono.just(
                  new McpSchema.JSONRPCResponse(
                      McpSchema.JSONRPC_VERSION,
                      id,
                      null,
                      new McpSchema.JSONRPCResponse.JSONRPCError(
                          McpSchema.ErrorCodes.INTERNAL_ERROR, "cancelled: " + reason, null))))
          .onErrorComplete()
          .subscribe();
    }
  }

  @Override
  public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
    Call call =
        message instanceof McpSchema.JSONRPCRequest r && r.params() != null
            ? calls.get(r.params())
            : null;
    if (call == null) {
      return transport.sendMessage(message);
    }
    synchronized (call) {
      call.id = ((McpSchema.JSONRPCRequest) message).id();
    }
    return transport
        .sendMessage(message)
        .doFinally(
            signal -> {
              String reason;
              synchronized (call) {
                call.sent = true;
                reason = call.cancelled;
              }
              if (reason != null) {
                cancelled(call.id, reason);
              }
            });
  }

  @Override
  public Mono<Void> connect(
      Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
    this.inbound = handler;
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
