package dev.tollgate.store.jdbc;

import dev.tollgate.api.store.PeopleStore;
import dev.tollgate.store.jdbc.audit.AuditChain;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** People and console sessions in the {@code person} and {@code console_session} tables. */
final class JdbcPeopleStore implements PeopleStore {

  private final Db db;

  JdbcPeopleStore(Db db) {
    this.db = db;
  }

  @Override
  public boolean add(Person person) {
    return db.write(
            c -> {
              try (PreparedStatement p =
                  c.prepareStatement(
                      "INSERT INTO person (name, password_hash, roles, created, disabled)"
                          + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING")) {
                p.setString(1, person.name());
                p.setString(2, person.passwordHash());
                p.setString(3, String.join(",", new TreeSet<>(person.roles())));
                p.setString(4, AuditChain.time(person.created()));
                p.setInt(5, person.disabled() ? 1 : 0);
                return p.executeUpdate();
              }
            })
        == 1;
  }

  @Override
  public Optional<Person> get(String name) {
    return db.read(
        c -> {
          try (PreparedStatement p =
              c.prepareStatement(
                  "SELECT name, password_hash, roles, created, disabled FROM person"
                      + " WHERE name = ?")) {
            p.setString(1, name);
            try (ResultSet rs = p.executeQuery()) {
              return rs.next() ? Optional.of(person(rs)) : Optional.empty();
            }
          }
        });
  }

  @Override
  public List<Person> list() {
    return db.read(
        c -> {
          try (PreparedStatement p =
                  c.prepareStatement(
                      "SELECT name, password_hash, roles, created, disabled FROM person"
                          + " ORDER BY name");
              ResultSet rs = p.executeQuery()) {
            List<Person> out = new ArrayList<>();
            while (rs.next()) {
              out.add(person(rs));
            }
            return out;
          }
        });
  }

  private static Person person(ResultSet rs) throws SQLException {
    Set<String> roles = Set.copyOf(Arrays.asList(rs.getString(3).split(",")));
    return new Person(
        rs.getString(1),
        rs.getString(2),
        roles,
        AuditChain.parseTime(rs.getString(4)),
        rs.getInt(5) != 0);
  }

  @Override
  public boolean setPassword(String name, String passwordHash) {
    return db.write(
            c -> {
              int n;
              try (PreparedStatement p =
                  c.prepareStatement("UPDATE person SET password_hash = ? WHERE name = ?")) {
                p.setString(1, passwordHash);
                p.setString(2, name);
                n = p.executeUpdate();
              }
              deleteSessions(c, name);
              return n;
            })
        == 1;
  }

  @Override
  public boolean replaceHash(String name, String expected, String passwordHash) {
    return db.write(
            c -> {
              try (PreparedStatement p =
                  c.prepareStatement(
                      "UPDATE person SET password_hash = ? WHERE name = ? AND password_hash = ?")) {
                p.setString(1, passwordHash);
                p.setString(2, name);
                p.setString(3, expected);
                return p.executeUpdate();
              }
            })
        == 1;
  }

  @Override
  public boolean setDisabled(String name, boolean disabled) {
    return db.write(
            c -> {
              int n;
              try (PreparedStatement p =
                  c.prepareStatement("UPDATE person SET disabled = ? WHERE name = ?")) {
                p.setInt(1, disabled ? 1 : 0);
                p.setString(2, name);
                n = p.executeUpdate();
              }
              if (disabled) {
                deleteSessions(c, name);
              }
              return n;
            })
        == 1;
  }

  @Override
  public boolean remove(String name) {
    return db.write(
            c -> {
              int n;
              try (PreparedStatement p = c.prepareStatement("DELETE FROM person WHERE name = ?")) {
                p.setString(1, name);
                n = p.executeUpdate();
              }
              deleteSessions(c, name);
              return n;
            })
        == 1;
  }

  @Override
  public int closeSessions(String person) {
    return db.write(c -> deleteSessions(c, person));
  }

  /** Ends every console session of {@code person}, in the caller's transaction. */
  private static int deleteSessions(java.sql.Connection c, String person)
      throws java.sql.SQLException {
    try (PreparedStatement p = c.prepareStatement("DELETE FROM console_session WHERE person = ?")) {
      p.setString(1, person);
      return p.executeUpdate();
    }
  }

  @Override
  public void openSession(Session s) {
    db.write(
        c -> {
          try (PreparedStatement p =
              c.prepareStatement(
                  "INSERT INTO console_session (id_hash, person, csrf, created, expires)"
                      + " VALUES (?, ?, ?, ?, ?)")) {
            p.setString(1, s.idHash());
            p.setString(2, s.person());
            p.setString(3, s.csrf());
            p.setString(4, AuditChain.time(s.created()));
            p.setString(5, AuditChain.time(s.expires()));
            return p.executeUpdate();
          }
        });
  }

  @Override
  public Optional<Session> session(String idHash, Instant now) {
    return db.read(
        c -> {
          try (PreparedStatement p =
              c.prepareStatement(
                  "SELECT id_hash, person, csrf, created, expires FROM console_session"
                      + " WHERE id_hash = ? AND expires > ?")) {
            p.setString(1, idHash);
            p.setString(2, AuditChain.time(now));
            try (ResultSet rs = p.executeQuery()) {
              return rs.next()
                  ? Optional.of(
                      new Session(
                          rs.getString(1),
                          rs.getString(2),
                          rs.getString(3),
                          AuditChain.parseTime(rs.getString(4)),
                          AuditChain.parseTime(rs.getString(5))))
                  : Optional.empty();
            }
          }
        });
  }

  @Override
  public void closeSession(String idHash) {
    db.write(
        c -> {
          try (PreparedStatement p =
              c.prepareStatement("DELETE FROM console_session WHERE id_hash = ?")) {
            p.setString(1, idHash);
            return p.executeUpdate();
          }
        });
  }

  @Override
  public int purgeSessions(Instant now) {
    return db.write(
        c -> {
          try (PreparedStatement p =
              c.prepareStatement("DELETE FROM console_session WHERE expires <= ?")) {
            p.setString(1, AuditChain.time(now));
            return p.executeUpdate();
          }
        });
  }
}
