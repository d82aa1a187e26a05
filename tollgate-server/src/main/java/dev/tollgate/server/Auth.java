package dev.tollgate.server;

import static dev.tollgate.server.TollgateServer.ADMIN_PREFIX;

import dev.tollgate.api.store.Store;
import dev.tollgate.server.http.Exchange;

/**
 * Who is calling: the name behind a request's bearer token, looked up by the token's hash in the
 * store's credentials. Agents and people's admin credentials ({@link TollgateServer#ADMIN_PREFIX})
 * are told apart here, so that neither can act as the other.
 */
final class Auth {
  private final Store store;

  Auth(Store store) {
    this.store = store;
  }

  /** The name behind the request's bearer token: an agent, or an admin credential. */
  String credential(Exchange exchange) throws ApiError {
    String header = exchange.header("Authorization");
    if (header == null || !header.startsWith("Bearer ") || header.length() <= 7) {
      throw new ApiError(
          401,
          "unauthorized",
          "missing token: send `Authorization: Bearer"
              + " <token>` with a token from `tollgate agents add NAME`",
          null);
    }
    return store
        .credentials()
        .agentFor(Tokens.hash(header.substring(7).strip()))
        .orElseThrow(
            () ->
                new ApiError(
                    401,
                    "unauthorized",
                    "unknown or revoked token: ask an"
                        + " admin for a new one (`tollgate agents add NAME`)",
                    null));
  }

  /** The agent calling: an admin credential is refused (403). */
  String authenticate(Exchange exchange) throws ApiError {
    String agent = credential(exchange);
    if (agent.startsWith(ADMIN_PREFIX)) {
      throw new ApiError(
          403,
          "forbidden",
          "an admin credential cannot act as an agent: use the agent's own token",
          null);
    }
    return agent;
  }

  /** The person calling with an admin credential: an agent's token is refused (403). */
  String authenticateAdmin(Exchange exchange) throws ApiError {
    String who = credential(exchange);
    if (!who.startsWith(ADMIN_PREFIX)) {
      throw new ApiError(
          403, "forbidden", "this call needs an admin credential, not an agent's", null);
    }
    return who;
  }
}
