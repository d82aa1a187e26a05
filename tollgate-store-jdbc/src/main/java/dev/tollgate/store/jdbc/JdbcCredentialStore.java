package dev.tollgate.store.jdbc;

import dev.tollgate.api.store.CredentialStore;
import dev.tollgate.store.jdbc.audit.AuditChain;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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
    return db.read(
        c -> {
          try (PreparedStatement p =
              c.prepareStatement(
                  "SELECT agent FROM credential WHERE token_hash = ? AND revoked IS NULL")) {
            p.setString(1, tokenHash);
            try (ResultSet rs = p.executeQuery()) {
              return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
          }
        });
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
