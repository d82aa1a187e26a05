package dev.tollgate.api.store;

import java.time.Instant;
import java.util.Optional;

/**
 * Agent credentials, stored only as hashes of the tokens: a stolen store yields no token.
 *
 * <p>Any failure to reach the store is a {@link StoreUnavailableException}.
 */
public interface CredentialStore {

  /**
   * Registers a token hash for an agent.
   *
   * @param tokenHash {@code sha256:<hex>} of the token
   */
  void add(String agent, String tokenHash, Instant created);

  /** The agent a token hash belongs to, if it is known and not revoked. */
  Optional<String> agentFor(String tokenHash);

  /** Revokes every token of an agent; returns how many. */
  int revoke(String agent);
}
