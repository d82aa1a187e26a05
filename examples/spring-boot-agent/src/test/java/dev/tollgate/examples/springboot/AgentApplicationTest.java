package dev.tollgate.examples.springboot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts the example application as {@code spring-boot:run} does (its application.properties, its
 * policies directory) and checks that the allowed call ran and the refused one did not, with the
 * reason the model was told; and that the README's Spring AI snippet is that configuration.
 */
class AgentApplicationTest {

  @Test
  void theAllowedCallRanAndTheDeniedOneWasRefusedWithItsReason() {
    try (ConfigurableApplicationContext context = SpringApplication.run(AgentApplication.class)) {
      String answer =
          context
              .getBean(ChatClient.class)
              .prompt()
              .user("Please refund my order A-88231 in full.")
              .call()
              .content();

      assertThat(answer)
          .contains("Order A-88231 for Globex: 4120.55 EUR")
          .contains("refunds.issue: Tollgate denied this call to refunds.issue: ")
          .contains("refunds over 100 EUR are for the finance team (refunds-over-limit)")
          .containsPattern("\\(decision dec_[0-9A-Z]{26}\\)");
      // the runner's conversation and this one: the order read twice, no refund ever
      assertThat(context.getBean(ShopTools.class).ran())
          .containsExactly("orders.get", "orders.get");
    }
  }

  @Test
  void theReadmeSnippetIsTheExamplesConfiguration() throws Exception {
    String readme = Files.readString(Path.of("..", "..", "README.md"), StandardCharsets.UTF_8);
    String section = readme.substring(readme.indexOf("## With Spring AI"));
    String snippet =
        section.substring(
            section.indexOf("```properties\n") + "```properties\n".length(),
            section.indexOf("```", section.indexOf("```properties\n") + 3));
    String properties =
        Files.readString(Path.of("src", "main", "resources", "application.properties"));
    assertThat(properties).isEqualTo(snippet);
    assertThat(snippet.lines()).hasSize(5);
  }
}
