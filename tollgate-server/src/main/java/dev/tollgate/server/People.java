package dev.tollgate.server;

import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.api.store.PeopleStore;
import dev.tollgate.api.store.PeopleStore.Person;
import dev.tollgate.api.store.Store;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;

/**
 * The people who use the console, with their rules in one place for the console and the CLI: valid
 * names, roles and passwords, sign-in with {@link Backoff}, and what a person may do to others.
 *
 * <p>Every sign-in, successful or not, and every change is one audit record of kind {@code person}
 * with {@code detail.event} ({@code signin.succeeded}, {@code signin.failed}, {@code signout},
 * {@code person.added}, {@code person.disabled}, {@code person.enabled}, {@code person.removed},
 * {@code password.changed}, {@code password.change_failed}, {@code password.reset}). A record never
 * holds a password, and a failed sign-in under a name that matches no one does not record the name
 * either: people type passwords into the name field.
 *
 * <p>Thread-safe. Store failures surface as {@link
 * dev.tollgate.api.store.StoreUnavailableException}: a change is audited once made, so a store that
 * takes the change but not its record fails the call. A sign-in is audited before it returns, so
 * that no unrecorded sign-in gets a session.
 */
public final class People {
  /** Audit kind of every record written here. */
  public static final AuditEntry.Kind AUDIT_KIND = AuditEntry.Kind.PERSON;

  public static final int MIN_PASSWORD_CHARS = 12;
  public static final int MAX_PASSWORD_CHARS = 1024;

  /** Failures per client address before the first wait (people behind one proxy share one). */
  static final int FREE_FAILURES_PER_ADDRESS = 20;

  /**
   * Failed sign-ins under unknown names the whole server takes at once, from any number of
   * addresses, before it refuses them: far above what a real team mistypes in a morning.
   */
  static final int UNKNOWN_NAMES_BURST = 100;

  /**
   * After the burst, one more failed sign-in under an unknown name every this long (10 a minute).
   */
  static final Duration UNKNOWN_NAMES_REFILL = Duration.ofSeconds(6);

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}");

  private final Store store;
  private final InstantSource clock;
  private final Backoff backoff = new Backoff();

  /**
   * Failures per client address: many names tried from one place are slowed down like one name
   * tried many times, after more free tries (people behind one proxy share an address).
   */
  private final Backoff byAddress = new Backoff(FREE_FAILURES_PER_ADDRESS);

  private final UnknownNames unknownNames =
      new UnknownNames(UNKNOWN_NAMES_BURST, UNKNOWN_NAMES_REFILL, Duration.ofMinutes(1));

  private final LongAdder limited = new LongAdder();

  public People(Store store, InstantSource clock) {
    this.store = store;
    this.clock = clock;
  }

  /** A refusal, with the HTTP status it stands for and a message to show the person as is. */
  public static final class PeopleException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String code;
    private final Duration retryAfter;

    PeopleException(int status, String code, String message) {
      this(status, code, message, Duration.ZERO);
    }

    PeopleException(int status, String code, String message, Duration retryAfter) {
      super(message);
      this.status = status;
      this.code = code;
      this.retryAfter = retryAfter;
    }

    public int status() {
      return status;
    }

    /**
     * {@code invalid}, {@code wrong_password}, {@code throttled}, {@code busy}, {@code not_found},
     * {@code taken} or {@code yourself}.
     */
    public String code() {
      return code;
    }

    /** For {@code throttled}: how long to wait; zero otherwise. */
    public Duration retryAfter() {
      return retryAfter;
    }
  }

  /** Whether {@code name} is a valid person name (letters, digits, {@code . _ @ + -}). */
  public static boolean validName(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  /** Everyone, by name. */
  public List<Person> list() {
    return store.people().list();
  }

  /**
   * Checks a sign-in; only an existing, enabled person with the right password gets through.
   *
   * <p>Tries are throttled per name and per client address ({@link Backoff}, checked and counted in
   * one step), so that neither guessing one name nor trying many names from one place gets far. A
   * name that matches nobody costs no hashing: its answer waits as long as a hash would, so that
   * timing does not tell names apart, while floods of made-up names cannot take the CPU that
   * decisions need. Hashing itself runs on a small pool of its own ({@link Hashing}).
   *
   * <p>Failures under unknown names also draw on one server-wide budget ({@link
   * #UNKNOWN_NAMES_BURST}, then one every {@link #UNKNOWN_NAMES_REFILL}), against many addresses
   * spraying names at once. While it is spent, every failed sign-in, under a real name too, is
   * answered with the same {@code throttled} refusal after the same wait: the refusal must not tell
   * which names exist. The right password still signs its person in. Such refusals are counted
   * ({@link #limitedSignIns}) and audited at most once a minute, with how many there were.
   *
   * @param address where the request came from, for the audit and the per-address throttle (or
   *     {@code null})
   * @throws PeopleException {@code throttled} (429) while the name or address must wait after
   *     repeated failures or the server-wide budget of unknown names is spent, {@code busy} (503)
   *     when too many sign-ins are being checked at once, {@code wrong_password} (401) for any
   *     other failure, without saying which
   */
  public Person signIn(String name, char[] password, String address) throws PeopleException {
    Instant now = clock.instant();
    Duration wait = backoff.begin(name, now);
    if (!wait.isZero()) {
      audit(now, "signin.failed", known(name), null, address, "throttled");
      throw throttled("Too many failed sign-ins for this name", wait);
    }
    String from = address == null ? null : "address:" + address;
    if (from != null) {
      Duration waitFrom = byAddress.begin(from, now);
      if (!waitFrom.isZero()) {
        backoff.abandoned(name);
        audit(now, "signin.failed", known(name), null, address, "throttled (address)");
        throw throttled("Too many failed sign-ins from this address", waitFrom);
      }
    }
    boolean done = false;
    try {
      Optional<Person> person = store.people().get(name);
      boolean matches;
      if (person.isEmpty()) {
        Hashing.waitLikeAHash();
        matches = false;
      } else {
        String stored = person.get().passwordHash();
        matches = Hashing.run(() -> Passwords.matches(password, stored));
      }
      String failure =
          person.isEmpty()
              ? "unknown name"
              : !matches ? "wrong password" : person.get().disabled() ? "disabled" : null;
      if (failure != null) {
        // Counted from the end of the hashing, so that the wait starts when the answer goes out.
        Instant end = clock.instant();
        backoff.failed(name, end);
        if (from != null) {
          byAddress.failed(from, end);
        }
        done = true;
        Duration spent = person.isEmpty() ? unknownNames.take(end) : unknownNames.waitAt(end);
        if (!spent.isZero()) {
          limited.increment();
          if (person.isPresent()) {
            audit(now, "signin.failed", person.get().name(), null, address, failure);
          }
          long refused = unknownNames.refused(end);
          if (refused > 0) {
            audit(
                now,
                "signin.failed",
                null,
                null,
                address,
                "throttled (unknown names, server-wide)",
                Map.of("refused", refused));
          }
          throw throttled("Too many failed sign-ins on this server", spent);
        }
        audit(now, "signin.failed", person.map(Person::name).orElse(null), null, address, failure);
        throw new PeopleException(401, "wrong_password", "Wrong name or password.");
      }
      backoff.succeeded(name);
      if (from != null) {
        byAddress.succeeded(from);
      }
      done = true;
      upgradeHash(person.get(), password);
      audit(now, "signin.succeeded", person.get().name(), null, address, null);
      return person.get();
    } catch (Hashing.Busy e) {
      throw new PeopleException(
          503,
          "busy",
          "Too many sign-ins are being checked at once: try again in a moment.",
          Duration.ofSeconds(1));
    } finally {
      if (!done) {
        backoff.abandoned(name);
        if (from != null) {
          byAddress.abandoned(from);
        }
      }
    }
  }

  /** Failed sign-ins refused because the server-wide budget of unknown names was spent. */
  long limitedSignIns() {
    return limited.sum();
  }

  /** The name as recorded in the audit: only a person's, never what someone typed. */
  private String known(String name) {
    return store.people().get(name).map(Person::name).orElse(null);
  }

  /**
   * Re-hashes a password stored with fewer iterations than new hashes get, now that the password is
   * at hand; best effort (the person is signed in either way, and the next sign-in retries).
   */
  private void upgradeHash(Person person, char[] password) {
    if (!Passwords.outdated(person.passwordHash())) {
      return;
    }
    try {
      String fresh = Hashing.run(() -> Passwords.hash(password));
      store.people().replaceHash(person.name(), person.passwordHash(), fresh);
    } catch (Hashing.Busy | RuntimeException e) {
      // Next time: an outdated hash still verifies.
    }
  }

  /** Records that a person signed out. */
  public void signedOut(String name, String address) {
    audit(clock.instant(), "signout", name, null, address, null);
  }

  /**
   * Adds a person.
   *
   * @param by who adds them (a person's name, or {@code cli})
   * @throws PeopleException {@code invalid} (400) for a bad name, role or password, {@code taken}
   *     (409) when the name exists
   */
  public Person add(String by, String name, Set<String> roles, char[] password)
      throws PeopleException {
    if (!validName(name)) {
      throw new PeopleException(
          400,
          "invalid",
          "invalid name `" + name + "`: use letters, digits, `.`, `_`, `@`, `+` and `-`");
    }
    validRoles(roles);
    validPassword(password);
    Instant now = clock.instant();
    Person person = new Person(name, Passwords.hash(password), roles, now, false);
    if (!store.people().add(person)) {
      throw taken(name);
    }
    audit(now, "person.added", name, by, null, null, Map.of("roles", sorted(roles)));
    return person;
  }

  /** Disables a person and ends their sessions; an admin cannot disable themselves. */
  public void disable(String by, String name) throws PeopleException {
    notYourself(by, name, "disable");
    if (!store.people().setDisabled(name, true)) {
      throw notFound(name);
    }
    audit(clock.instant(), "person.disabled", name, by, null, null);
  }

  /** Lets a disabled person sign in again. */
  public void enable(String by, String name) throws PeopleException {
    if (!store.people().setDisabled(name, false)) {
      throw notFound(name);
    }
    audit(clock.instant(), "person.enabled", name, by, null, null);
  }

  /**
   * Removes a person and ends their sessions; what they decided stays recorded under their name. An
   * admin cannot remove themselves, so that some admin always remains.
   */
  public void remove(String by, String name) throws PeopleException {
    notYourself(by, name, "remove");
    if (!store.people().remove(name)) {
      throw notFound(name);
    }
    audit(clock.instant(), "person.removed", name, by, null, null);
  }

  /**
   * An admin sets another person's password; the person's sessions end. For one's own password,
   * {@link #changePassword} asks for the current one.
   */
  public void resetPassword(String by, String name, char[] password) throws PeopleException {
    if (by.equalsIgnoreCase(name)) {
      throw new PeopleException(
          400,
          "yourself",
          "to change your own password, use Password, which asks for the current one");
    }
    validPassword(password);
    if (!store.people().setPassword(name, Passwords.hash(password))) {
      throw notFound(name);
    }
    audit(clock.instant(), "password.reset", name, by, null, null);
  }

  /**
   * A person changes their own password; every session of theirs ends (the caller opens a new one
   * for the person who changed it). A wrong current password counts against the name's {@link
   * Backoff} like a failed sign-in.
   *
   * @throws PeopleException {@code throttled} (429), {@code wrong_password} (403) when the current
   *     password is wrong, {@code invalid} (400) when the new one is too short, too long or the
   *     same
   */
  public void changePassword(String name, char[] current, char[] next, String address)
      throws PeopleException {
    Instant now = clock.instant();
    Duration wait = backoff.begin(name, now);
    if (!wait.isZero()) {
      audit(now, "password.change_failed", name, null, address, "throttled");
      throw throttled("Too many wrong passwords for this name", wait);
    }
    boolean done = false;
    try {
      Person person = existing(name);
      String stored = person.passwordHash();
      if (!Hashing.run(() -> Passwords.matches(current, stored))) {
        backoff.failed(name, clock.instant());
        done = true;
        audit(now, "password.change_failed", name, null, address, "wrong current password");
        throw new PeopleException(403, "wrong_password", "The current password is wrong.");
      }
      backoff.succeeded(name);
      done = true;
      validPassword(next);
      if (Arrays.equals(current, next)) {
        throw new PeopleException(
            400, "invalid", "the new password is the current one: choose another");
      }
      store.people().setPassword(name, Hashing.run(() -> Passwords.hash(next)));
      audit(now, "password.changed", name, null, address, null);
    } catch (Hashing.Busy e) {
      throw new PeopleException(
          503,
          "busy",
          "Too many passwords are being checked at once: try again in a moment.",
          Duration.ofSeconds(1));
    } finally {
      if (!done) {
        backoff.abandoned(name);
      }
    }
  }

  private Person existing(String name) throws PeopleException {
    return store.people().get(name).orElseThrow(() -> notFound(name));
  }

  private static PeopleException notFound(String name) {
    return new PeopleException(404, "not_found", "there is no person `" + name + "`");
  }

  private static PeopleException taken(String name) {
    return new PeopleException(409, "taken", "`" + name + "` already exists");
  }

  private static PeopleException throttled(String what, Duration wait) {
    return new PeopleException(
        429, "throttled", what + ": try again in " + Math.max(1, wait.toSeconds()) + " s.", wait);
  }

  private static void notYourself(String by, String name, String verb) throws PeopleException {
    if (by.equalsIgnoreCase(name)) {
      throw new PeopleException(
          400, "yourself", "you cannot " + verb + " yourself: ask another admin");
    }
  }

  private static void validRoles(Set<String> roles) throws PeopleException {
    if (roles.isEmpty()) {
      throw new PeopleException(
          400, "invalid", "give at least one role: approver, admin or auditor");
    }
    for (String role : roles) {
      if (!PeopleStore.ROLES.contains(role)) {
        throw new PeopleException(
            400, "invalid", "invalid role `" + role + "`: use approver, admin or auditor");
      }
    }
  }

  private static void validPassword(char[] password) throws PeopleException {
    if (password.length < MIN_PASSWORD_CHARS) {
      throw new PeopleException(
          400, "invalid", "the password must have at least " + MIN_PASSWORD_CHARS + " characters");
    }
    if (password.length > MAX_PASSWORD_CHARS) {
      throw new PeopleException(
          400, "invalid", "the password must have at most " + MAX_PASSWORD_CHARS + " characters");
    }
  }

  private static List<String> sorted(Set<String> roles) {
    return List.copyOf(new TreeSet<>(roles));
  }

  private void audit(
      Instant now, String event, String person, String by, String address, String reason) {
    audit(now, event, person, by, address, reason, Map.of());
  }

  private void audit(
      Instant now,
      String event,
      String person,
      String by,
      String address,
      String reason,
      Map<String, Object> more) {
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("event", event);
    if (person != null) {
      detail.put("person", person);
    }
    if (by != null) {
      detail.put("by", by);
    }
    if (address != null) {
      detail.put("address", address);
    }
    if (reason != null) {
      detail.put("reason", reason);
    }
    detail.putAll(more);
    store
        .audit()
        .append(List.of(AuditEntry.event(now, AUDIT_KIND, null, null, null, null, detail)));
  }
}
