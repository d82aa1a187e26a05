package dev.tollgate.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.service.AiServices;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Gate;
import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.Tollgate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's LangChain4j example, run here; the README's snippet must be this test's code (spaces
 * aside), so that the README cannot drift from the API.
 */
class ReadmeExampleTest {
  static final Path README = Path.of("..", "README.md");
  static final Path SOURCE =
      Path.of("src", "test", "java", "dev", "tollgate", "langchain4j", "ReadmeExampleTest.java");

  @Test
  void theReadmeExampleRuns() throws Exception {
    Gate gate =
        new RecordingGate(
            Tollgate.builder()
                .bundle(Bundle.load(Path.of("..", "examples", "invoice-vendor-mail")))
                .build()
                .gate("invoice-bot"));
    ScriptedModel model =
        new ScriptedModel()
            .call("invoices_search", "{\"vendor\":\"Globex\"}")
            .call("email_send", AiServicesGateTest.FINANCIAL_MAIL)
            .answer("The mail waits for a person's approval.");
    // --- README: "With LangChain4j" ---
    TollgateTools gated =
        TollgateTools.builder(gate)
            .user("alice@acme.example")
            .toolNames(n -> n.replaceFirst("_", "."))
            .build();
    Assistant assistant =
        AiServices.builder(Assistant.class)
            .chatModel(model)
            .chatMemoryProvider(id -> MessageWindowChatMemory.withMaxMessages(20))
            .tools(gated.tools(new InvoiceTools()))
            .build();
    String answer = assistant.chat("conversation-1", "Tell Globex we need the W-9");
    // --- end ---
    assertThat(answer).isEqualTo("The mail waits for a person's approval.");
    RecordingGate recorded = (RecordingGate) gate;
    assertThat(recorded.decisions)
        .extracting(d -> d.effect())
        .containsExactly(Effect.ALLOW, Effect.ASK);
    assertThat(model.result("call-2").text()).startsWith("Tollgate holds this call to email_send");
  }

  @Test
  void theReadmeShowsThisCode() throws Exception {
    String source = Files.readString(SOURCE, StandardCharsets.UTF_8);
    String tested =
        source.substring(
            source.indexOf("// --- README: \"With LangChain4j\" ---") + 37,
            source.indexOf("// --- end ---"));
    String readme = Files.readString(README, StandardCharsets.UTF_8);
    Matcher m =
        Pattern.compile("## With LangChain4j\\n.*?```java\\n(.*?)```", Pattern.DOTALL)
            .matcher(readme);
    assertThat(m.find()).as("README has a java block under ## With LangChain4j").isTrue();
    assertThat(spaceless(m.group(1))).isEqualTo(spaceless(tested));
  }

  private static String spaceless(String code) {
    return code.replaceAll("\\s+", "");
  }
}
