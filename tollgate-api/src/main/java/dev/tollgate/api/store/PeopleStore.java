package dev.tollgate.api.store;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * People who use the console, and their console sessions. Passwords and session ids are stored only
 * as hashes: a stolen store yields neither.
 *
 * <p>Any failure to reach the store is a {@link StoreUnavailableException}.
 */
public interface PeopleStore {

  /** The roles a person may hold. */
  Set<String> ROLES = Set.of("approver", "admin", "auditor");

  /**
   * A person.
   *
   * @param name the sign-in name (also the approver name recorded on decisions)
   * @param passwordHash {@code pbkdf2-sha256$iterations$salt$hash} (salt and hash in base64)
   * @param roles a non-empty subset of {@link #ROLES}
   * @param created when the person was added
   * @param disabled whether sign-in and existing sessions are refused
   */
  record Person(
      String name, String passwordHash, Set<String> roles, Instant created, boolean disabled) {
    public Person {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(passwordHash, "passwordHash");
      Objects.requireNonNull(created, "created");
      roles = Set.copyOf(roles);
      if (roles.isEmpty() || !ROLES.containsAll(roles)) {
        throw new IllegalArgumentException("roles must be some of " + ROLES + ", not " + roles);
      }
    }
  }

  /**
   * A signed-in console session.
   *
   * @param idHash {@code sha256:<hex>} of the session id held in the person's cookie
   * @param person the person's name
   * @param csrf the token every form of this session must carry
   * @param created when it was opened
   * @param expires when it ends
   */
  record Session(String idHash, String person, String csrf, Instant created, Instant expires) {
    public Session {
      Objects.requireNonNull(idHash, "idHash");
      Objects.requireNonNull(person, "person");
      Objects.requireNonNull(csrf, "csrf");
      Objects.requireNonNull(created, "created");
      Objects.requireNonNull(expires, "expires");
    }
  }

  /** Adds a person; returns false (and changes nothing) when the name is taken. */
  boolean add(Person person);

  Optional<Person> get(String name);

  /** Everyone, by name. */
  List<Person> list();

  /**
   * Replaces a person's password hash and ends their sessions, in one transaction (a session opened
   * with the old password must not outlive it); returns false when there is no such person.
   */
  boolean setPassword(String name, String passwordHash);

  /**
   * Replaces a person's password hash with another hash of the same password (stronger parameters),
   * only if the stored one is still {@code expected}; sessions stay open.
   *
   * @return false if the person is gone or their hash changed meanwhile (nothing is changed then)
   */
  boolean replaceHash(String name, String expected, String passwordHash);

  /** Disables or enables a person; disabling also ends their sessions. */
  boolean setDisabled(String name, boolean disabled);

  /**
   * Removes a person and ends their sessions, atomically; returns false (and changes nothing) when
   * there is no such person. What they decided stays recorded under their name.
   */
  boolean remove(String name);

  void openSession(Session session);

  /** The session with this id hash, if it exists and has not expired at {@code now}. */
  Optional<Session> session(String idHash, Instant now);

  void closeSession(String idHash);

  /** Ends every session of a person (after a password change or reset); returns how many. */
  int closeSessions(String person);

  /** Removes sessions expired at {@code now}; returns how many. */
  int purgeSessions(Instant now);
}
