package dev.tollgate.examples.springboot;

import java.util.ArrayList;
import java.util.List;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;

/**
 * A stand-in for an LLM, so that the example runs without a key: it reads the order, then asks for
 * a refund too large for the agent, then reports what each tool call answered.
 */
final class ScriptedModel implements ChatModel {
  private static final List<AssistantMessage.ToolCall> SCRIPT =
      List.of(
          new AssistantMessage.ToolCall("1", "function", "orders.get", "{\"order\":\"A-88231\"}"),
          new AssistantMessage.ToolCall(
              "2", "function", "refunds.issue", "{\"order\":\"A-88231\",\"amount\":4120.55}"));

  @Override
  public ChatOptions getOptions() {
    return ToolCallingChatOptions.builder().build();
  }

  @Override
  public ChatResponse call(Prompt prompt) {
    List<String> told = new ArrayList<>();
    for (Message m : prompt.getInstructions()) {
      if (m instanceof ToolResponseMessage r) {
        r.getResponses().forEach(t -> told.add(t.name() + ": " + t.responseData()));
      }
    }
    AssistantMessage next =
        told.size() < SCRIPT.size()
            ? AssistantMessage.builder().toolCalls(List.of(SCRIPT.get(told.size()))).build()
            : AssistantMessage.builder().content(String.join("\n", told)).build();
    return new ChatResponse(List.of(new Generation(next)));
  }
}
