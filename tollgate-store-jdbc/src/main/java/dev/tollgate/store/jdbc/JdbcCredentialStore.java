package dev.tollgate.store.jdbc;

import dev.tollgate.api.store.CredentialStore;
import dev.tollgate.store.jdbc.audit.AuditChain;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.Optional;

/**
 * Token hashes per agent. Adding a hash that is already known changes nothing (a revoked token
 * stays revoked).
 */
final class JdbcCredentialStore implements CredentialStore {

  private final Db db;

  JdbcCredentialStore(Db db) {
    this.db = db;
  }

  @Override
  public void add(String agent, String tokenHash, Instant created) {
    db.write(
        c -> {
          try (PreparedStatement p =
              c.prepareStatement(
                  "INSERT INTO credential (token_hash, agent, created) VALUES (?, ?, ?)"
                      + " ON CONFLICT (token_hash) DO NOTHING")) {
            p.setString(1, tokenHash);
            p.setString(2, agent);
            p.setString(3, AuditChain.time(created));
            return p.executeUpdate();
          }
        });
  }

  @Override
  public Optional<String> agentFor(String tokenHash) {
    // every request authenticates: a query, so that SQLite's statement is prepared once
    return db
        .query(
            "SELECT agent FROM credential WHERE token_hash = ? AND revoked IS NULL",
            rs -> rs.getString(1),
            tokenHash)
        .stream()
        .findFirst();
  }

  @Override
  public int revoke(String agent) {
    String now = AuditChain.time(Instant.now());
    return db.write(
        c -> {
          try (PreparedStatement p =
              c.prepareStatement(
                  "UPDATE credential SET revoked = ? WHERE agent = ? AND revoked IS NULL")) {
            p.setString(1, now);
            p.setString(2, agent);
            return p.executeUpdate();
          }
        });
  }
}
