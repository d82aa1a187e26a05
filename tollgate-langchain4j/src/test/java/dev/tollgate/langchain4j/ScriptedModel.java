package dev.tollgate.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The one test double: a chat model that answers with scripted messages, in order, and keeps every
 * request it was sent, so that a test reads what the model would have read (the tool results).
 */
final class ScriptedModel implements ChatModel {
  private final Deque<AiMessage> script = new ArrayDeque<>();
  final List<ChatRequest> requests = new ArrayList<>();
  private int calls;

  /** Next, the model asks for this tool call. */
  ScriptedModel call(String tool, String argumentsJson) {
    script.add(
        AiMessage.from(
            ToolExecutionRequest.builder()
                .id("call-" + ++calls)
                .name(tool)
                .arguments(argumentsJson)
                .build()));
    return this;
  }

  /** Next, the model answers in text. */
  ScriptedModel answer(String text) {
    script.add(AiMessage.from(text));
    return this;
  }

  @Override
  public synchronized ChatResponse doChat(ChatRequest request) {
    requests.add(request);
    AiMessage next = script.poll();
    if (next == null) {
      throw new IllegalStateException("the script has no more answers");
    }
    return ChatResponse.builder().aiMessage(next).build();
  }

  /** Every tool result the model was sent, oldest first (a result is sent again with each turn). */
  synchronized List<ToolExecutionResultMessage> toolResults() {
    List<ToolExecutionResultMessage> out = new ArrayList<>();
    for (ChatRequest r : requests) {
      for (ChatMessage m : r.messages()) {
        if (m instanceof ToolExecutionResultMessage t && !out.contains(t)) {
          out.add(t);
        }
      }
    }
    return out;
  }

  /** The result the model read for the call {@code id} ({@code call-1}, ...). */
  ToolExecutionResultMessage result(String id) {
    return toolResults().stream()
        .filter(t -> t.id().equals(id))
        .findFirst()
        .orElseThrow(() -> new AssertionError("the model never read a result for " + id));
  }
}
