package dev.tollgate.server;

import static dev.tollgate.server.TollgateServer.ADMIN_PREFIX;

import dev.tollgate.api.store.Store;
import dev.tollgate.server.http.Exchange;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Who is calling: the name behind a request's bearer token, looked up by the token's hash in the
 * store's credentials. Agents and people's admin credentials ({@link TollgateServer#ADMIN_PREFIX})
 * are told apart here, so that neither can act as the other.
 *
 * <p>Every request authenticates, and a store lookup per request was a tenth of a decision's cost
 * under load (half of the no-op endpoint's): a token found in the store is trusted again, without
 * asking the store, for {@link #FRESH} after it was looked up. The cache is keyed by the token's
 * SHA-256 (the token itself is never kept), holds only tokens the store knew, and at most {@link
 * #MAX_CACHED} of them (it is emptied when full, so that a flood of valid tokens cannot grow it). A
 * revoked token ({@code tollgate agents revoke}, from another process or another instance) is
 * therefore refused within {@link #FRESH} on every instance, as a pause is; an unknown token always
 * asks the store.
 */
final class Auth {
  /** How long a token found in the store is trusted without asking it again. */
  static final long FRESH = TimeUnit.SECONDS.toNanos(1);

  /** The most tokens trusted at once. */
  static final int MAX_CACHED = 4096;

  private final Store store;
  private final LongSupplier ticker;
  private final int maxCached;
  private final Map<String, Verified> verified = new ConcurrentHashMap<>();

  /** A name the store gave for a token hash, and when ({@link #ticker}). */
  private record Verified(String name, long at) {}

  /** On the server's clock, so that a test that moves the clock moves the trust window too. */
  Auth(Store store, InstantSource clock) {
    this(store, () -> TimeUnit.MILLISECONDS.toNanos(clock.millis()), MAX_CACHED);
  }

  /** With a ticker in nanoseconds that tests move. */
  Auth(Store store, LongSupplier ticker, int maxCached) {
    this.store = store;
    this.ticker = ticker;
    this.maxCached = maxCached;
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
    String name = nameFor(header.substring(7).strip());
    if (name == null) {
      throw new ApiError(
          401,
          "unauthorized",
          "unknown or revoked token: ask an admin for a new one (`tollgate agents add NAME`)",
          null);
    }
    return name;
  }

  /** The name behind a token, or {@code null} when the store does not know it (or revoked it). */
  String nameFor(String token) {
    String hash = Tokens.hash(token);
    long now = ticker.getAsLong();
    Verified v = verified.get(hash);
    // A clock set back makes every entry stale (asked again), never trusted longer.
    if (v != null && now >= v.at() && now - v.at() < FRESH) {
      return v.name();
    }
    String name = store.credentials().agentFor(hash).orElse(null);
    if (name == null) {
      verified.remove(hash);
      return null;
    }
    if (verified.size() >= maxCached) {
      verified.clear();
    }
    verified.put(hash, new Verified(name, now));
    return name;
  }

  /** Tokens trusted now, by hash: for tests, which check that no token is kept in clear. */
  java.util.Set<String> cachedKeys() {
    return java.util.Set.copyOf(verified.keySet());
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
