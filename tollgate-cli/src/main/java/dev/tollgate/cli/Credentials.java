package dev.tollgate.cli;

import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.api.store.Store;
import dev.tollgate.server.Tokens;
import dev.tollgate.server.TollgateServer;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Bearer tokens, for agents and for the admin API: each is shown once, stored only as a hash, and
 * every token added or revoked is one audit record of kind {@code credential} ({@code detail.event}
 * {@code credential.added} or {@code credential.revoked}, {@code detail.credential} the name,
 * {@code detail.by} who did it; for an agent's token, {@code agent} is the agent). A record never
 * holds a token or its hash.
 */
final class Credentials {
  static final AuditEntry.Kind AUDIT_KIND = AuditEntry.Kind.CREDENTIAL;

  /** What an agent or admin token name may be made of (no {@code @}: that marks admin names). */
  static final String NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0,127}";

  private Credentials() {}

  /** The credential name of an admin token: {@code @admin}, or {@code @admin-NAME}. */
  static String admin(String name) {
    return name == null ? TollgateServer.ADMIN_PREFIX : TollgateServer.ADMIN_PREFIX + "-" + name;
  }

  /** Adds a new token for {@code name}, audits it, and returns the token (to show once). */
  static String add(Store store, String name, String by) {
    String token = Tokens.newToken();
    Instant now = Instant.now();
    store.credentials().add(name, Tokens.hash(token), now);
    audit(store, now, "credential.added", name, by, Map.of());
    return token;
  }

  /** Revokes every token of {@code name}, audits it, and returns how many were live. */
  static int revoke(Store store, String name, String by) {
    int n = store.credentials().revoke(name);
    audit(store, Instant.now(), "credential.revoked", name, by, Map.of("tokens", n));
    return n;
  }

  private static void audit(
      Store store, Instant now, String event, String name, String by, Map<String, Object> more) {
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("event", event);
    detail.put("credential", name);
    detail.put("by", by);
    detail.putAll(more);
    boolean admin = name.startsWith(TollgateServer.ADMIN_PREFIX);
    store
        .audit()
        .append(
            List.of(
                AuditEntry.event(now, AUDIT_KIND, admin ? null : name, null, null, null, detail)));
  }
}
