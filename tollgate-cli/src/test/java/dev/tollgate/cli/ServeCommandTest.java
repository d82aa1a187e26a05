package dev.tollgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.server.People;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code tollgate serve} started in-process on a free port, as far as its first start goes. */
class ServeCommandTest {
  private static final Pattern ADMIN =
      Pattern.compile("console person `admin` \\(role admin\\), password \\(shown once\\): (\\S+)");

  @TempDir Path data;
  private final HttpClient http = HttpClient.newHttpClient();

  private record Started(ServeCommand.Running running, String out) {}

  private Started start() throws Exception {
    ServeCommand serve = new ServeCommand();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(serve);
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    cli.parseArgs(
        "--port",
        "0",
        "--data",
        data.toString(),
        "--policies",
        Path.of("..", "examples", "invoice-vendor-mail").toString(),
        "--checkpoint-every",
        "PT1H");
    ServeCommand.Running running = serve.start();
    assertTrue(running != null, err.toString());
    return new Started(running, out.toString());
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
    Started first = start();
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

    Started second = start();
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
