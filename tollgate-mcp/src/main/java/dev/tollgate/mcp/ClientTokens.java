package dev.tollgate.mcp;

import java.util.Optional;

/**
 * Who a client of the gateway's Streamable HTTP endpoint is, from the bearer token it presents: the
 * credentials of the agent the gateway acts as ({@code tollgate agents add}).
 */
@FunctionalInterface
public interface ClientTokens {

  /**
   * The client a token identifies (a name for logs and for its sessions, never the token), or empty
   * when the token is unknown, revoked, or another agent's.
   *
   * @throws RuntimeException when the credentials cannot be read: the request is refused
   */
  Optional<String> client(String token);

  /**
   * The tokens of {@code agent} in a credential store (kept there as {@code sha256:<hex>}, as the
   * sidecar keeps them): a client is named by its agent and the start of its token's hash.
   */
  static ClientTokens of(dev.tollgate.api.store.CredentialStore credentials, String agent) {
    return new StoreTokens(credentials, agent);
  }
}
