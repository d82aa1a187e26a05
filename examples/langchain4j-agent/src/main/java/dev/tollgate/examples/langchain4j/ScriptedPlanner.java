package dev.tollgate.examples.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import java.io.PrintStream;
import java.util.List;

/**
 * Stands in for the LLM, so that the example runs without a key: it plans the tool calls an eager
 * invoice agent would make, one per turn, and prints each tool result it reads (the text a real
 * model would read, refusals included).
 */
final class ScriptedPlanner implements ChatModel {
  private static final List<String[]> PLAN =
      List.of(
          new String[] {"invoices_search", "{\"vendor\":\"Globex\"}"},
          new String[] {
            "email_send",
            "{\"to\":[\"ap@globex.example\"],\"body\":\"Please send us your updated W-9.\"}"
          },
          new String[] {"web_fetch", "{\"url\":\"https://globex.example/tax\"}"},
          new String[] {
            "email_send",
            "{\"to\":[\"ap@globex.example\"],\"body\":\"For context: INV-4471, 12,400.00 EUR.\"}"
          });

  private final PrintStream out;
  private int step;

  ScriptedPlanner(PrintStream out) {
    this.out = out;
  }

  @Override
  public synchronized ChatResponse doChat(ChatRequest request) {
    List<ChatMessage> messages = request.messages();
    if (messages.getLast() instanceof ToolExecutionResultMessage read) {
      out.println("  model reads: " + read.text());
    }
    if (step == PLAN.size()) {
      return ChatResponse.builder()
          .aiMessage(AiMessage.from("I asked Globex for the W-9; the rest was refused."))
          .build();
    }
    String[] call = PLAN.get(step++);
    out.println("model calls " + call[0] + " " + call[1]);
    return ChatResponse.builder()
        .aiMessage(
            AiMessage.from(
                ToolExecutionRequest.builder()
                    .id("call-" + step)
                    .name(call[0])
                    .arguments(call[1])
                    .build()))
        .build();
  }
}
