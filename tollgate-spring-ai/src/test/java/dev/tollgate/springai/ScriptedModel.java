package dev.tollgate.springai;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.util.json.JsonParser;

/**
 * The one test double: a chat model that plays a script instead of running an LLM. Each turn it
 * either asks for the next tool call of its script or, once the script is done, answers with the
 * texts of the tool responses it received, so that a test reads what the model was told.
 */
final class ScriptedModel implements ChatModel {
  private final List<List<Object>> script = new ArrayList<>();
  private final List<ToolResponseMessage.ToolResponse> seen = new ArrayList<>();
  private final AtomicInteger ids = new AtomicInteger();
  private int next;

  /** The model will ask for {@code tool} with {@code args} on its next turn. */
  ScriptedModel then(String tool, Map<String, Object> args) {
    script.add(List.of(tool, args));
    return this;
  }

  /** Every tool response the model received, in order. */
  synchronized List<ToolResponseMessage.ToolResponse> seen() {
    return List.copyOf(seen);
  }

  /** What the model was told about the last tool call. */
  synchronized String lastToolResponse() {
    return seen.getLast().responseData();
  }

  @Override
  public ChatOptions getOptions() {
    return ToolCallingChatOptions.builder().build();
  }

  @Override
  public synchronized ChatResponse call(Prompt prompt) {
    List<Message> messages = prompt.getInstructions();
    if (!messages.isEmpty() && messages.getLast() instanceof ToolResponseMessage response) {
      seen.addAll(response.getResponses());
    }
    if (next < script.size()) {
      List<Object> step = script.get(next++);
      AssistantMessage.ToolCall call =
          new AssistantMessage.ToolCall(
              "call-" + ids.incrementAndGet(),
              "function",
              (String) step.get(0),
              JsonParser.toJson(step.get(1)));
      return new ChatResponse(
          List.of(new Generation(AssistantMessage.builder().toolCalls(List.of(call)).build())));
    }
    String told =
        String.join(
            "\n", seen.stream().map(ToolResponseMessage.ToolResponse::responseData).toList());
    return new ChatResponse(
        List.of(new Generation(AssistantMessage.builder().content(told).build())));
  }
}
