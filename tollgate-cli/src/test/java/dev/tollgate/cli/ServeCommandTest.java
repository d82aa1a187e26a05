package dev.tollgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.server.People;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tollgate serve} started in-process on a free port, as far as its first start goes. */
class ServeCommandTest {
  private static final Pattern ADMIN =
      Pattern.compile("console person `admin` \\(role admin\\), password \\(shown once\\): (\\S+)");

  @TempDir Path data;
  @TempDir Path elsewhere;
  private final HttpClient http = HttpClient.newHttpClient();

  /** The system's time plus what the test passed. */
  private static final class PassingClock implements java.time.InstantSource {
    private volatile java.time.Duration passed = java.time.Duration.ZERO;

    void pass(java.time.Duration d) {
      passed = passed.plus(d);
    }

    @Override
    public java.time.Instant instant() {
      return java.time.Instant.now().plus(passed);
    }
  }

  private Served start(String... more) throws Exception {
    return Served.start(data, more);
  }

  private Served tryStart(String... more) throws Exception {
    return Served.tryStart(data, more);
  }

  private HttpResponse<String> decide(URI base, String token) throws Exception {
    return http.send(
        HttpRequest.newBuilder(base.resolve("/v1/decide"))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"tool\":\"invoices.search\",\"args\":{}}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static Properties read(Path file) throws Exception {
    Properties p = new Properties();
    try (var in = Files.newBufferedReader(file)) {
      p.load(in);
    }
    return p;
  }

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void withACredentialsFileTheFirstSecretsGoThereOwnerOnlyAndStdoutOnlySaysWhere()
      throws Exception {
    Path creds = elsewhere.resolve("tollgate.env");
    Served first = start("--credentials-file", creds.toString());
    Properties secrets = read(creds);
    try (ServeCommand.Running running = first.running()) {
      assertEquals("rw-------", mode(creds));
      assertTrue(
          first.out().contains("are in " + creds.toAbsolutePath() + " (owner-only"), first.out());
      String admin = secrets.getProperty("TOLLGATE_ADMIN_TOKEN");
      String agent = secrets.getProperty("TOLLGATE_AGENT_TOKEN");
      String password = secrets.getProperty("TOLLGATE_ADMIN_PASSWORD");
      assertEquals("invoice-bot", secrets.getProperty("TOLLGATE_AGENT"));
      for (String secret : List.of(admin, agent, password)) {
        assertTrue(secret != null && secret.length() >= 20, secrets.toString());
        assertFalse(first.out().contains(secret), "no secret on stdout: " + first.out());
      }
      assertFalse(first.out().contains("tg_"), first.out());
      URI base = running.server.uri();
      assertEquals(303, signIn(base, password).statusCode());
      assertEquals(200, Served.get(base, "/v1/approvals", admin).statusCode());
      assertEquals(200, decide(base, agent).statusCode());
    }
    // A restart with the same options (a container's) sets nothing up again and leaves the file.
    Served again = start("--credentials-file", creds.toString());
    again.running().close();
    assertEquals(secrets, read(creds));
    assertFalse(again.out().contains("are in"), again.out());
  }

  @Test
  void anExistingCredentialsFileIsNeverWrittenOverUnlessAsked() throws Exception {
    Path creds = elsewhere.resolve("tollgate.env");
    Files.writeString(creds, "someone else's file\n");
    Files.setPosixFilePermissions(creds, PosixFilePermissions.fromString("rw-r--r--"));
    Served refused = tryStart("--credentials-file", creds.toString());
    assertEquals(null, refused.running());
    assertTrue(
        refused.err().contains("the credentials file `" + creds + "` exists"), refused.err());
    assertEquals("someone else's file\n", Files.readString(creds));

    // Nothing was set up: the store is still new, and the next start may replace the file.
    Served replaced = start("--credentials-file", creds.toString(), "--replace-credentials-file");
    replaced.running().close();
    assertEquals("rw-------", mode(creds));
    assertTrue(read(creds).getProperty("TOLLGATE_ADMIN_TOKEN").startsWith("tg_"));
  }

  @Test
  void theFirstAdminsPasswordMayComeFromTheEnvironmentAndIsThenShownNowhere() throws Exception {
    // Any variable of this JVM's environment will do: PATH is long enough to be a password.
    String password = System.getenv("PATH");
    Served first = start("--admin-password-env", "PATH");
    try (ServeCommand.Running running = first.running()) {
      assertFalse(first.out().contains(password), first.out());
      assertTrue(first.out().contains("password: the one in PATH"), first.out());
      assertEquals(303, signIn(running.server.uri(), password).statusCode());
    }
  }

  @Test
  void adminTokenMintsAnAuditedTokenForTheAdminApiAndRevokeEndsIt() throws Exception {
    PassingClock clock = new PassingClock();
    Served first = Served.start(data, clock);
    try (ServeCommand.Running running = first.running()) {
      URI base = running.server.uri();
      CliTest.Run minted =
          CliTest.run("admin", "token", "--name", "ops", "--data", data.toString());
      assertEquals(0, minted.code(), minted.err());
      String token = minted.out().strip();
      assertTrue(token.startsWith("tg_"), token);
      assertTrue(minted.err().contains("`@admin-ops` added"), minted.err());
      assertEquals(200, Served.get(base, "/v1/approvals", token).statusCode());
      assertEquals(403, decide(base, token).statusCode(), "an admin token is not an agent's");
      assertEquals(
          3, CliTest.run("admin", "token", "--name", "@root", "--data", data.toString()).code());

      CliTest.Run revoked =
          CliTest.run("admin", "revoke", "--name", "ops", "--data", data.toString());
      assertEquals(0, revoked.code(), revoked.err());
      // The server trusts a token it looked up for a second: refused once that second passed.
      clock.pass(java.time.Duration.ofSeconds(1));
      assertEquals(401, Served.get(base, "/v1/approvals", token).statusCode());
    }
    try (var store = JdbcStore.open(StoreConfig.sqlite(data))) {
      assertEquals(
          List.of(
              "credential.added @admin serve",
              "credential.added invoice-bot serve",
              "credential.added @admin-ops cli",
              "credential.revoked @admin-ops cli"),
          store
              .audit()
              .search(
                  new AuditQuery(
                      null, null, null, null, Credentials.AUDIT_KIND, null, null, null, 0, 100))
              .stream()
              .map(r -> r.entry().detail())
              .map(d -> d.get("event") + " " + d.get("credential") + " " + d.get("by"))
              .toList());
      String all = store.audit().search(AuditQuery.after(0, 1000)).toString();
      assertFalse(all.contains("tg_"), "no token in the audit");
    }
  }

  private HttpResponse<String> signIn(URI base, String password) throws Exception {
    String form =
        "name=admin&password=" + java.net.URLEncoder.encode(password, StandardCharsets.UTF_8);
    return http.send(
        HttpRequest.newBuilder(base.resolve("/console/login"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theFirstStartCreatesTheFirstAdminWhoSignsInAndLaterStartsDoNot() throws Exception {
    String password;
    Served first = start();
    try (ServeCommand.Running running = first.running()) {
      Matcher m = ADMIN.matcher(first.out());
      assertTrue(m.find(), first.out());
      password = m.group(1);
      assertTrue(password.matches("[A-Za-z0-9]{20}"), password);
      URI base = running.server.uri();
      HttpResponse<String> in = signIn(base, password);
      assertEquals(303, in.statusCode(), in.body());
      String setCookie = in.headers().firstValue("Set-Cookie").orElseThrow();
      HttpResponse<String> people =
          http.send(
              HttpRequest.newBuilder(base.resolve("/console/people"))
                  .header("Cookie", setCookie.substring(0, setCookie.indexOf(';')))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, people.statusCode(), "the first person is an admin");
      assertEquals(401, signIn(base, password + "x").statusCode());
    }

    Served second = start();
    try (ServeCommand.Running running = second.running()) {
      assertFalse(second.out().contains("password (shown once)"), second.out());
      assertEquals(303, signIn(running.server.uri(), password).statusCode());
    }

    List<Path> files;
    try (var list = Files.list(data)) {
      files = list.toList();
    }
    for (Path f : files) {
      if (Files.isRegularFile(f)) {
        String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        assertFalse(bytes.contains(password), "the password is never stored in clear (" + f + ")");
      }
    }
    try (var store = JdbcStore.open(StoreConfig.sqlite(data))) {
      assertEquals(1, store.people().list().size());
      assertEquals(
          List.of("person.added admin serve"),
          store
              .audit()
              .search(
                  new AuditQuery(
                      null, null, null, null, People.AUDIT_KIND, null, null, null, 0, 100))
              .stream()
              .map(r -> r.entry().detail())
              .filter(d -> d.get("event").toString().startsWith("person."))
              .map(d -> d.get("event") + " " + d.get("person") + " " + d.get("by"))
              .toList());
    }
  }
}
