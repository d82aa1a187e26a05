package dev.tollgate.mcp;

import dev.tollgate.api.store.CredentialStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The tokens of one agent in a credential store, kept there as {@code sha256:<hex>} as the sidecar
 * keeps them. Every request presents its token, and a store lookup each time would cost more than
 * the decision: an answer is kept for a second, so a revoked token is refused within a second.
 */
final class StoreTokens implements ClientTokens {
  private static final long FRESH = TimeUnit.SECONDS.toNanos(1);
  private static final int MAX_CACHED = 4096;

  private final CredentialStore credentials;
  private final String agent;
  private final Map<String, Answer> recent = new ConcurrentHashMap<>();

  private record Answer(Optional<String> client, long at) {}

  StoreTokens(CredentialStore credentials, String agent) {
    this.credentials = credentials;
    this.agent = agent;
  }

  @Override
  public Optional<String> client(String token) {
    String hash = hash(token);
    long now = System.nanoTime();
    Answer known = recent.get(hash);
    if (known != null && now - known.at() < FRESH) {
      return known.client();
    }
    // a client is named by its agent and the start of its token's hash, never by the token
    Optional<String> client =
        credentials
            .agentFor(hash)
            .filter(agent::equals)
            .map(a -> a + "/" + hash.substring("sha256:".length(), "sha256:".length() + 12));
    if (recent.size() >= MAX_CACHED) {
      recent.clear();
    }
    recent.put(hash, new Answer(client, now));
    return client;
  }

  private static String hash(String token) {
    try {
      return "sha256:"
          + HexFormat.of()
              .formatHex(
                  MessageDigest.getInstance("SHA-256")
                      .digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
