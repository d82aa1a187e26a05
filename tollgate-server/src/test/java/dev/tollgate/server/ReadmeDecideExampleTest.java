package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.engine.Bundle;
import dev.tollgate.json.ApiJson;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's curl example, sent to a real server on the example policies as {@code ./tollgate
 * serve} runs them: the effect and the policies, in order, are those its comment says.
 */
class ReadmeDecideExampleTest {
  private static final Path README = Path.of("..", "README.md");

  @TempDir Path data;

  @Test
  void theReadmeSaysWhatTheServerAnswers() throws Exception {
    String readme = Files.readString(README);
    int at = readme.indexOf("http://127.0.0.1:8181/v1/decide");
    assertThat(at).as("the README's decide example").isPositive();
    String block = readme.substring(readme.lastIndexOf("```sh", at), readme.indexOf("```", at));
    Matcher body = Pattern.compile("-d '([^']*)'").matcher(block);
    assertThat(body.find()).as(block).isTrue();
    StringBuilder comment = new StringBuilder();
    for (String line : block.substring(at - readme.lastIndexOf("```sh", at)).lines().toList()) {
      if (line.startsWith("#")) {
        comment.append(line.substring(1).strip());
      }
    }
    Matcher effect = Pattern.compile("\"effect\":\"(\\w+)\"").matcher(comment);
    assertThat(effect.find()).as(comment.toString()).isTrue();
    List<String> policies = new ArrayList<>();
    Matcher policy = Pattern.compile("\"policy\":\"([\\w-]+)\"").matcher(comment);
    while (policy.find()) {
      policies.add(policy.group(1));
    }

    try (JdbcStore store = JdbcStore.open(StoreConfig.sqlite(data))) {
      String token = Tokens.newToken();
      store.credentials().add("invoice-bot", Tokens.hash(token), Instant.now());
      try (TollgateServer server =
          TollgateServer.builder()
              .port(0)
              .store(store)
              .bundle(Bundle.load(Path.of("..", "examples", "invoice-vendor-mail")))
              .start()) {
        HttpResponse<String> r =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(server.uri().resolve("/v1/decide"))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body.group(1)))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode answer = ApiJson.readTree(r.body());
        assertThat(answer.path("effect").asText()).isEqualTo(effect.group(1));
        List<String> answered = new ArrayList<>();
        answer.path("reasons").forEach(reason -> answered.add(reason.path("policy").asText()));
        assertThat(answered).as("the policies, in order").isEqualTo(policies);
      }
    }
  }
}
