package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.api.store.ApprovalStore;
import dev.tollgate.api.store.CredentialStore;
import dev.tollgate.api.store.PeopleStore;
import dev.tollgate.api.store.RequestStore;
import dev.tollgate.api.store.SessionStore;
import dev.tollgate.api.store.Store;
import dev.tollgate.json.ApiJson;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An internal error on every route answers: a JSON 500 on the API (a deny for decide), an HTML 500
 * page on the console; never an empty reply or a hang; and each leaves an audit record. The faults
 * come from the real SQLite store behind a decorator that throws on demand from the credential,
 * session, approval (and grant), people, request, pause and tool pin stores, never from the audit.
 */
class InternalErrorsTest {
  @TempDir Path dir;

  private final AtomicBoolean faults = new AtomicBoolean();

  /** Whether authentication's own stores fail too (credentials and people), or only the rest. */
  private final AtomicBoolean authFaults = new AtomicBoolean();

  private ServerFixture fixture;
  private JdbcStore real;
  private String agent;
  private String admin;

  @BeforeEach
  void start() throws Exception {
    fixture =
        ServerFixture.on(StoreConfig.sqlite(dir))
            .seenByServer(this::faulty)
            .options(b -> b.metricsOpen(true))
            .start();
    real = fixture.store;
    agent = fixture.token;
    admin = fixture.addAdmin("ops");
    new People(real, InstantSource.system())
        .add(
            "test",
            "admin-1",
            Set.of("admin", "approver", "auditor"),
            "pw-pw-pw-pw-1".toCharArray());
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  /** The real store, whose parts (all but the audit) throw while {@link #faults} is set. */
  private Store faulty(Store store) {
    return (Store)
        Proxy.newProxyInstance(
            Store.class.getClassLoader(),
            new Class<?>[] {Store.class},
            (proxy, method, args) -> {
              Object part = invoke(store, method, args);
              boolean auth =
                  method.getName().equals("credentials") || method.getName().equals("people");
              return switch (method.getName()) {
                case "sessions" -> failing(SessionStore.class, part, false);
                case "credentials" -> failing(CredentialStore.class, part, auth);
                case "approvals" -> failing(ApprovalStore.class, part, false);
                case "people" -> failing(PeopleStore.class, part, auth);
                case "requests" -> failing(RequestStore.class, part, false);
                case "pauses" -> failing(dev.tollgate.api.store.PauseStore.class, part, false);
                case "toolPins" -> failing(dev.tollgate.api.store.ToolPinStore.class, part, false);
                default -> part;
              };
            });
  }

  @SuppressWarnings("unchecked")
  private <T> T failing(Class<T> type, Object delegate, boolean auth) {
    return (T)
        Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (proxy, method, args) -> {
              if (method.getName().equals("grants")) {
                return failing(
                    dev.tollgate.api.store.GrantStore.class, invoke(delegate, method, args), false);
              }
              if (faults.get() && (!auth || authFaults.get()) && !method.isDefault()) {
                throw new IllegalStateException("injected fault in " + method.getName());
              }
              return invoke(delegate, method, args);
            });
  }

  private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args)
      throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private record Route(String method, String path, String body) {}

  /** Every API route: the OpenAPI document's, and those it does not list yet. */
  private List<Route> apiRoutes() throws Exception {
    JsonNode doc = ApiJson.readTree(fixture.get("/v1/openapi.json").body());
    Set<String> seen = new LinkedHashSet<>();
    List<Route> routes = new ArrayList<>();
    Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").properties().iterator();
    while (paths.hasNext()) {
      Map.Entry<String, JsonNode> p = paths.next();
      for (String m : List.of("get", "post", "put", "delete")) {
        if (p.getValue().has(m)) {
          String path = p.getKey().replaceAll("\\{[^}]+}", "x1");
          seen.add(m.toUpperCase(java.util.Locale.ROOT) + " " + path);
          routes.add(new Route(m.toUpperCase(java.util.Locale.ROOT), path, body(path)));
        }
      }
    }
    assertThat(routes).as("the OpenAPI document lists routes").hasSizeGreaterThan(5);
    for (String extra :
        List.of(
            "GET /v1/grants",
            "POST /v1/grants/requests",
            "POST /v1/grants/x1/revoke",
            "POST /v1/admin/reload",
            "POST /v1/noop")) {
      if (seen.add(extra)) {
        String[] mp = extra.split(" ");
        routes.add(new Route(mp[0], mp[1], body(mp[1])));
      }
    }
    return routes;
  }

  private static String body(String path) {
    return switch (path) {
      case "/v1/sessions" -> "{\"user\":\"alice\",\"request\":\"invoices\"}";
      case "/v1/decide" -> "{\"session\":\"s1\",\"user\":\"alice\",\"tool\":\"invoices.search\"}";
      case "/v1/observe" -> "{\"session\":\"s1\",\"tool\":\"web.fetch\",\"result\":\"x\"}";
      case "/v1/grants/requests" -> "{\"tool\":\"invoices.pay\",\"reason\":\"month end\"}";
      case "/v1/pauses" -> "{\"scope\":\"all\",\"reason\":\"drill\"}";
      case "/v1/pauses/resume" -> "{\"scope\":\"all\"}";
      case "/v1/pauses/end" -> "{\"agent\":\"invoice-bot\",\"session\":\"s1\"}";
      case "/v1/tools/accept" ->
          "{\"agent\":\"invoice-bot\",\"server\":\"fs\",\"tool\":\"read_file\","
              + "\"fingerprint\":\"sha256:00\"}";
      default -> "{}";
    };
  }

  private static boolean forPeople(String path) {
    return path.startsWith("/v1/approvals")
        || path.equals("/v1/grants")
        || path.contains("/revoke")
        || path.startsWith("/v1/pauses")
        || path.startsWith("/v1/tools")
        || path.startsWith("/v1/admin");
  }

  /** Routes that use no store at all: they answer as usual under faults. */
  private static final Set<String> STORELESS =
      Set.of("/health", "/ready", "/metrics", "/v1/openapi.json");

  /**
   * Routes that, once the caller is authenticated, use no faulty store (only the audit, or the
   * bundle): they answer as usual unless authentication itself fails.
   */
  private static final Set<String> AUDIT_ONLY =
      Set.of("/v1/admin/reload", "/v1/noop", "/v1/decisions/x1");

  /** Sends the request while the store's parts throw; they work again once it is answered. */
  private HttpResponse<String> underFaults(HttpRequest.Builder request) throws Exception {
    faults.set(true);
    try {
      return fixture.send(request);
    } finally {
      faults.set(false);
    }
  }

  private long rejectedRecords() {
    return fixture.audit().stream()
        .filter(r -> r.entry().kind().wireName().equals("rejected"))
        .count();
  }

  @Test
  void everyApiRouteAnswersAnInternalErrorAsJsonAndAuditsIt() throws Exception {
    real.sessions()
        .create(
            new dev.tollgate.api.store.SessionRecord(
                "invoice-bot/s1",
                "invoice-bot",
                "alice",
                "",
                Map.of(),
                List.of(),
                List.of(),
                Instant.now()));
    List<Route> routes = apiRoutes();
    // Authentication faults first: a token the store confirmed less than a second ago is trusted
    // without asking it again (Auth), so once a request has authenticated, a faulty credential
    // lookup is no longer reached for that token.
    for (boolean withAuth : new boolean[] {true, false}) {
      authFaults.set(withAuth);
      for (Route route : routes) {
        long before = rejectedRecords();
        HttpRequest.Builder b =
            fixture
                .request(route.path())
                .header("Authorization", "Bearer " + (forPeople(route.path()) ? admin : agent))
                .header("Content-Type", "application/json");
        HttpResponse<String> r =
            underFaults(
                route.method().equals("GET")
                    ? b.GET()
                    : b.method(route.method(), HttpRequest.BodyPublishers.ofString(route.body())));
        String what = route + " (auth faults " + withAuth + "): " + r.statusCode() + " " + r.body();
        assertThat(r.body()).as(what).isNotEmpty();
        if (STORELESS.contains(route.path()) || (!withAuth && AUDIT_ONLY.contains(route.path()))) {
          assertThat(r.statusCode()).as(what).isLessThan(500);
          continue;
        }
        if (route.path().equals("/v1/decide")) {
          assertThat(r.statusCode()).as(what).isEqualTo(200);
          JsonNode d = ApiJson.readTree(r.body());
          assertThat(d.path("effect").asText()).as(what).isEqualTo("deny");
          assertThat(d.path("reasons").get(0).path("message").asText())
              .as(what)
              .contains("internal error");
          continue;
        }
        assertThat(r.statusCode()).as(what).isEqualTo(500);
        assertThat(ApiJson.readTree(r.body()).path("error").path("code").asText())
            .as(what)
            .isEqualTo("internal");
        assertThat(rejectedRecords()).as("an audit record for " + what).isGreaterThan(before);
      }
    }
  }

  private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

  @Test
  void everyConsoleRouteAnswersAnInternalErrorAsAPage() throws Exception {
    HttpResponse<String> login =
        fixture.send(
            fixture
                .request("/console/login")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("name=admin-1&password=pw-pw-pw-pw-1")));
    assertThat(login.statusCode()).as(login.body()).isEqualTo(303);
    String set = login.headers().firstValue("Set-Cookie").orElseThrow();
    String cookie = set.substring(0, set.indexOf(';'));
    HttpResponse<String> page =
        fixture.send(fixture.request("/console/grants").header("Cookie", cookie));
    Matcher m = CSRF.matcher(page.body());
    assertThat(m.find()).as(page.body()).isTrue();
    String csrf = URLEncoder.encode(m.group(1), StandardCharsets.UTF_8);
    List<Route> routes =
        List.of(
            new Route("GET", "/console/approvals", null),
            new Route("GET", "/console/approvals/rows", null),
            new Route("GET", "/console/approvals/apr_x1", null),
            new Route("POST", "/console/approvals/apr_x1/approve", "csrf=" + csrf),
            new Route("POST", "/console/approvals/apr_x1/deny", "csrf=" + csrf),
            new Route("GET", "/console/grants", null),
            new Route("POST", "/console/grants/grt_x1/revoke", "csrf=" + csrf),
            new Route("GET", "/console/people", null),
            new Route("POST", "/console/people/add", "csrf=" + csrf + "&name=bo&role-approver=on"),
            new Route("GET", "/console/password", null),
            new Route("GET", "/console/pauses", null),
            new Route("POST", "/console/pauses", "csrf=" + csrf + "&scope=all&reason=drill"),
            new Route("GET", "/console/tools", null),
            new Route(
                "POST",
                "/console/tools/accept",
                "csrf=" + csrf + "&agent=invoice-bot&server=fs&tool=read_file&fingerprint=x"),
            new Route(
                "POST",
                "/console/password",
                "csrf="
                    + csrf
                    + "&current=pw-pw-pw-pw-1&password=pw-pw-pw-pw-2&again=pw-pw-pw-pw-2"));
    for (boolean withAuth : new boolean[] {false, true}) {
      authFaults.set(withAuth);
      for (Route route : routes) {
        long before = rejectedRecords();
        HttpRequest.Builder b = fixture.request(route.path()).header("Cookie", cookie);
        HttpResponse<String> r =
            underFaults(
                route.method().equals("GET")
                    ? b.GET()
                    : b.header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(route.body())));
        String what = route + " (auth faults " + withAuth + "): " + r.statusCode();
        if (!withAuth
            && (route.path().startsWith("/console/people")
                || route.path().equals("/console/password"))) {
          // the people store works in this round: these pages answer as usual
          assertThat(r.statusCode()).as(what + " " + r.body()).isLessThan(500);
          continue;
        }
        assertThat(r.statusCode()).as(what + " " + r.body()).isEqualTo(500);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).as(what).contains("html");
        assertThat(r.body()).as(what).contains("<html");
        assertThat(rejectedRecords()).as("an audit record for " + what).isGreaterThan(before);
      }
    }
  }
}
