package dev.tollgate.server.console;

import dev.tollgate.api.store.PeopleStore;
import dev.tollgate.api.store.Store;
import dev.tollgate.api.store.StoreUnavailableException;
import dev.tollgate.engine.Tollgate;
import dev.tollgate.server.People;
import dev.tollgate.server.Tokens;
import dev.tollgate.server.http.Exchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The web console for people, under {@code /console}: sign-in, the approvals inbox, grants, the
 * kill switch, the MCP tool definitions waiting for a person, the audit, an overview, the people
 * page for admins and a password page for everyone. Server-rendered HTML with a little script from
 * {@code /console/static}; every answer carries a strict Content-Security-Policy, and every form
 * post needs the session's CSRF token and must not come from another site.
 */
public final class Console implements AutoCloseable {
  static final String COOKIE = "tollgate_console";
  static final Duration SESSION_TTL = Duration.ofHours(8);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Store store;
  private final InstantSource clock;
  private final People people;
  private final Events events = new Events();
  private final Pages pages;
  private final GrantPages grantPages;
  private final PeoplePages peoplePages;
  private final Insight insight;
  private final byte[] css = resource("console.css");
  private final byte[] js = resource("console.js");

  public Console(Tollgate engine, Store store, InstantSource clock) {
    this(engine, store, clock, new People(store, clock), null);
  }

  /**
   * @param people who may sign in, with the sign-in throttles (the server reads their counts)
   * @param auditVerifier verifies the audit chain and says how it went in one line, or {@code null}
   *     when this server holds no public key (the audit page then says how to verify)
   */
  public Console(
      Tollgate engine,
      Store store,
      InstantSource clock,
      People people,
      Supplier<String> auditVerifier) {
    this.store = store;
    this.clock = clock;
    this.pages = new Pages(engine.approvals(), clock);
    this.grantPages = new GrantPages(engine.approvals(), clock);
    this.pausePages = new PausePages(engine.pauses());
    this.toolPages = new ToolPages(engine.toolPins());
    this.people = people;
    this.peoplePages = new PeoplePages(people, clock);
    this.insight = new Insight(store.audit(), clock, auditVerifier);
    this.engine = engine;
    engine.approvals().subscribe(events::publish);
  }

  private final Tollgate engine;
  private final PausePages pausePages;
  private final ToolPages toolPages;
  private volatile Supplier<String> lastReload = () -> null;

  /**
   * How the server describes its latest policy reload (outcome, time, detail), for the overview;
   * the supplier answers {@code null} before the first reload.
   */
  public void lastReload(Supplier<String> describe) {
    this.lastReload = describe;
  }

  /** The bundle in use, as the overview shows it: digest, age and the latest reload. */
  private String bundleSection() {
    java.time.Instant loaded = engine.bundleLoadedAt();
    long age = Math.max(0, java.time.Duration.between(loaded, clock.instant()).toSeconds());
    String reload = lastReload.get();
    return "<h2>Policy bundle</h2><dl><dt>Digest</dt><dd><code>"
        + Html.esc(engine.bundle().digest())
        + "</code></dd><dt>Loaded</dt><dd>"
        + Html.esc(loaded)
        + " ("
        + age
        + " s ago)</dd><dt>Last reload</dt><dd>"
        + Html.esc(reload == null ? "none since start" : reload)
        + "</dd></dl>";
  }

  /** Ends open event streams, so that the server can stop. */
  @Override
  public void close() {
    events.close();
  }

  /**
   * Answers an internal error with a page that says so (and nothing of the error itself), when the
   * answer has not begun.
   */
  public void internalError(Exchange ex) {
    if (ex.answered()) {
      return;
    }
    try {
      Web.html(
          ex,
          500,
          Html.page(
              "Internal error",
              null,
              null,
              "<h1>Internal error</h1><p class=\"error\">Tollgate failed to carry out this"
                  + " request; nothing was changed. The audit log has a record of it.</p>"
                  + "<p><a href=\"/console\">Back to the console</a></p>"));
    } catch (IOException | RuntimeException e) {
      // The connection is gone too; the caller has counted the failure.
    }
  }

  /** Answers a request whose path is {@code /console} or under it. */
  public void handle(Exchange ex) throws IOException {
    Viewer viewer = null;
    try {
      try {
        viewer = route(ex);
      } catch (StoreUnavailableException e) {
        throw new Web.Refusal(
            503, "Store unavailable", "The store cannot be reached; try again in a moment.");
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
    } catch (Web.Refusal r) {
      Web.html(
          ex,
          r.status,
          Html.page(
              r.title,
              viewer,
              null,
              "<h1>"
                  + Html.esc(r.title)
                  + "</h1><p class=\"error\">"
                  + Html.esc(r.getMessage())
                  + "</p><p><a href=\"/console\">Back to the console</a></p>"));
    }
  }

  private Viewer route(Exchange ex) throws IOException, Web.Refusal {
    String path = ex.path();
    String method = ex.method();
    boolean post = method.equals("POST");
    if (!post && !method.equals("GET")) {
      throw new Web.Refusal(405, "Method not allowed", "the console answers GET and POST only");
    }
    if (path.startsWith("/console/static/")) {
      switch (path) {
        case "/console/static/console.css" -> Web.send(ex, 200, "text/css; charset=utf-8", css);
        case "/console/static/console.js" ->
            Web.send(ex, 200, "text/javascript; charset=utf-8", js);
        default -> throw new Web.Refusal(404, "Not found", "no such file");
      }
      return null;
    }
    if (post) {
      refuseCrossSite(ex);
    }
    if (path.equals("/console/login")) {
      if (post) {
        signIn(ex);
      } else {
        Web.html(ex, 200, loginPage(null, ""));
      }
      return null;
    }
    Viewer viewer = viewer(ex).orElse(null);
    if (viewer == null) {
      if (post) {
        throw new Web.Refusal(
            403, "Signed out", "Your session has ended: sign in again and repeat the action.");
      }
      Web.redirect(ex, "/console/login");
      return null;
    }
    Map<String, String> form = Map.of();
    if (post) {
      form = Web.form(ex);
      String token = form.getOrDefault("csrf", "");
      if (!MessageDigest.isEqual(
          token.getBytes(StandardCharsets.UTF_8), viewer.csrf().getBytes(StandardCharsets.UTF_8))) {
        throw new Web.Refusal(
            403,
            "Request refused",
            "This form did not carry this session's security token (CSRF protection). Reload"
                + " the page and try again.");
      }
    }
    if (path.equals("/console/logout") && post) {
      store.people().closeSession(viewer.sessionHash());
      people.signedOut(viewer.name(), address(ex));
      ex.addHeader("Set-Cookie", cookie(ex, "", 0));
      Web.redirect(ex, "/console/login");
      return null;
    }
    if (path.equals("/console") || path.equals("/console/")) {
      if (viewer.can(Viewer.Right.OVERVIEW)) {
        Web.html(ex, 200, insight.overview(viewer, bundleSection()));
      } else {
        Web.redirect(ex, "/console/approvals");
      }
      return viewer;
    }
    if (path.equals("/console/audit") && !post) {
      require(viewer, Viewer.Right.AUDIT);
      insight.audit(ex, viewer);
      return viewer;
    }
    if (path.equals("/console/events") && !post) {
      require(viewer, Viewer.Right.APPROVE);
      events.stream(ex);
      return viewer;
    }
    if (path.equals("/console/approvals") && !post) {
      require(viewer, Viewer.Right.APPROVE);
      Web.html(ex, 200, pages.inbox(viewer));
      return viewer;
    }
    if (path.equals("/console/approvals/rows") && !post) {
      require(viewer, Viewer.Right.APPROVE);
      Web.html(ex, 200, pages.inboxRows());
      return viewer;
    }
    if (path.startsWith("/console/approvals/")) {
      require(viewer, Viewer.Right.APPROVE);
      String[] parts = path.substring("/console/approvals/".length()).split("/", -1);
      if (parts.length == 1 && !post) {
        pages.approval(ex, viewer, parts[0]);
        return viewer;
      }
      if (parts.length == 2 && post && parts[1].equals("approve")) {
        pages.approve(ex, viewer, parts[0], form);
        return viewer;
      }
      if (parts.length == 2 && post && parts[1].equals("deny")) {
        pages.deny(ex, viewer, parts[0], form);
        return viewer;
      }
    }
    if (path.equals("/console/grants") && !post) {
      require(viewer, Viewer.Right.GRANTS);
      grantPages.grants(ex, viewer, null, 200);
      return viewer;
    }
    String revoked = between(path, "/console/grants/", "/revoke");
    if (revoked != null && post) {
      require(viewer, Viewer.Right.REVOKE);
      grantPages.revoke(ex, viewer, revoked);
      return viewer;
    }
    if (path.equals("/console/pauses") && !post) {
      require(viewer, Viewer.Right.PAUSES);
      pausePages.list(ex, viewer, null, 200);
      return viewer;
    }
    if (path.startsWith("/console/pauses") && post) {
      require(viewer, Viewer.Right.PAUSE);
      switch (path) {
        case "/console/pauses" -> pausePages.pause(ex, viewer, form);
        case "/console/pauses/resume" -> pausePages.resume(ex, viewer, form);
        case "/console/pauses/end" -> pausePages.end(ex, viewer, form);
        default ->
            throw new Web.Refusal(404, "Not found", "There is no console page at this address.");
      }
      return viewer;
    }
    if (path.equals("/console/tools") && !post) {
      require(viewer, Viewer.Right.TOOLS);
      toolPages.list(ex, viewer, null, 200);
      return viewer;
    }
    if (path.equals("/console/tools/accept") && post) {
      require(viewer, Viewer.Right.ACCEPT_TOOLS);
      toolPages.accept(ex, viewer, form);
      return viewer;
    }
    if (path.equals("/console/password")) {
      if (!post) {
        peoplePages.passwordPage(ex, viewer, 200, null, null);
      } else if (peoplePages.changePassword(ex, viewer, form, address(ex))) {
        // Every session of the person has ended; this browser gets a new one.
        Viewer renewed = openSession(ex, viewer.name(), viewer.roles());
        peoplePages.passwordPage(
            ex, renewed, 200, "Password changed. Your other sessions have ended.", null);
        return renewed;
      }
      return viewer;
    }
    if (path.equals("/console/people") && !post) {
      require(viewer, Viewer.Right.PEOPLE);
      peoplePages.list(ex, viewer);
      return viewer;
    }
    if (path.startsWith("/console/people/") && post) {
      require(viewer, Viewer.Right.PEOPLE);
      peoplePages.act(ex, viewer, path.substring("/console/people/".length()), form);
      return viewer;
    }
    throw new Web.Refusal(404, "Not found", "There is no console page at this address.");
  }

  private static void require(Viewer viewer, Viewer.Right right) throws Web.Refusal {
    if (!viewer.can(right)) {
      throw new Web.Refusal(
          403,
          "Not allowed",
          "Your role ("
              + String.join(", ", viewer.roles().stream().sorted().toList())
              + ") does not allow this page or action.");
    }
  }

  /**
   * Refuses posts that a browser says come from another site. {@code Origin: null} is let through
   * (browsers send it for same-origin posts under {@code Referrer-Policy: no-referrer} when they
   * send no {@code Sec-Fetch-Site}); the CSRF token still has to match.
   */
  private static void refuseCrossSite(Exchange ex) throws Web.Refusal {
    String site = ex.header("Sec-Fetch-Site");
    if (site != null && !site.equals("same-origin") && !site.equals("none")) {
      throw crossSite();
    }
    String origin = ex.header("Origin");
    if (origin != null && !origin.equals("null")) {
      String host = ex.header("Host");
      String scheme = ex.secure() ? "https://" : "http://";
      if (host == null || !origin.equalsIgnoreCase(scheme + host)) {
        throw crossSite();
      }
    }
  }

  private static Web.Refusal crossSite() {
    return new Web.Refusal(
        403,
        "Request refused",
        "This form was sent from another site (cross-site request); the console only accepts"
            + " its own forms.");
  }

  private Optional<Viewer> viewer(Exchange ex) {
    String id = Web.cookie(ex, COOKIE);
    if (id == null || id.isEmpty() || id.length() > 100) {
      return Optional.empty();
    }
    String hash = Tokens.hash(id);
    Instant now = clock.instant();
    return store
        .people()
        .session(hash, now)
        .flatMap(
            s ->
                store
                    .people()
                    .get(s.person())
                    .filter(p -> !p.disabled())
                    .map(p -> new Viewer(p.name(), p.roles(), s.csrf(), hash)));
  }

  private void signIn(Exchange ex) throws IOException, Web.Refusal {
    Map<String, String> form = Web.form(ex);
    String name = form.getOrDefault("name", "").strip();
    char[] password = form.getOrDefault("password", "").toCharArray();
    PeopleStore.Person person;
    try {
      person = people.signIn(name, password, address(ex));
    } catch (People.PeopleException e) {
      Web.retryAfter(ex, e);
      Web.html(ex, e.status(), loginPage(e.getMessage(), name));
      return;
    }
    openSession(ex, person.name(), person.roles());
    Web.redirect(ex, "/console");
  }

  /** Opens a console session for the person and sets its cookie on the answer. */
  private Viewer openSession(Exchange ex, String name, Set<String> roles) {
    Instant now = clock.instant();
    String id = random();
    String csrf = random();
    String hash = Tokens.hash(id);
    store
        .people()
        .openSession(new PeopleStore.Session(hash, name, csrf, now, now.plus(SESSION_TTL)));
    ex.addHeader("Set-Cookie", cookie(ex, id, SESSION_TTL.toSeconds()));
    return new Viewer(name, roles, csrf, hash);
  }

  /** The client's address, for the audit of sign-ins. */
  private static String address(Exchange ex) {
    return ex.remoteAddress();
  }

  private static String cookie(Exchange ex, String value, long maxAge) {
    return COOKIE
        + "="
        + value
        + "; Path=/console; Max-Age="
        + maxAge
        + "; HttpOnly; SameSite=Strict"
        + (ex.secure() ? "; Secure" : "");
  }

  private static String loginPage(String error, String name) {
    return Html.page(
        "Sign in",
        null,
        null,
        "<h1>Sign in</h1>"
            + (error == null ? "" : "<p class=\"error\" id=\"error\">" + Html.esc(error) + "</p>")
            + "<form class=\"login\" method=\"post\" action=\"/console/login\">"
            + "<label>Name <input name=\"name\" id=\"name\" autocomplete=\"username\" required"
            + " value=\""
            + Html.esc(name)
            + "\"></label><label>Password <input type=\"password\" name=\"password\""
            + " id=\"password\" autocomplete=\"current-password\" required></label>"
            + "<button type=\"submit\" id=\"sign-in\">Sign in</button></form>");
  }

  private static String random() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static byte[] resource(String name) {
    try (InputStream in = Console.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing console resource " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The one non-empty path segment between {@code prefix} and {@code suffix}, or {@code null} when
   * the path has another shape ({@code /console/grants/revoke} has no id: it is no page).
   */
  static String between(String path, String prefix, String suffix) {
    if (!path.startsWith(prefix)
        || !path.endsWith(suffix)
        || path.length() <= prefix.length() + suffix.length()) {
      return null;
    }
    String middle = path.substring(prefix.length(), path.length() - suffix.length());
    return middle.contains("/") ? null : middle;
  }
}
