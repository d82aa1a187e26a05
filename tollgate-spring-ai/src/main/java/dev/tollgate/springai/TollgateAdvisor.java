package dev.tollgate.springai;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.client.advisor.ToolCallingAdvisor;
import org.springframework.ai.chat.client.advisor.api.CallAdvisor;
import org.springframework.ai.chat.client.advisor.api.CallAdvisorChain;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisor;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisorChain;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import reactor.core.publisher.Flux;

/**
 * A {@code ChatClient} advisor that tells gated tools which conversation a call belongs to and what
 * the user asked: Spring AI 2.0.1 passes a tool only the chat options' tool context, so this
 * advisor copies the conversation id (the advisor parameter {@link ChatMemory#CONVERSATION_ID}) and
 * the text of the prompt's last user message into it, under {@link TollgateTools#CONVERSATION} and
 * {@link TollgateTools#REQUEST}. Values the application put in the tool context itself win. A call
 * without a conversation id is a conversation of its own: one run of the agent on one request.
 *
 * <p>It runs before Spring AI's {@link ToolCallingAdvisor}, which executes the tools. Thread-safe.
 */
public final class TollgateAdvisor implements CallAdvisor, StreamAdvisor {

  /** Before {@link ToolCallingAdvisor#DEFAULT_ORDER}, so that its tool calls see the context. */
  public static final int ORDER = ToolCallingAdvisor.DEFAULT_ORDER - 100;

  TollgateAdvisor() {}

  @Override
  public String getName() {
    return "tollgate";
  }

  @Override
  public int getOrder() {
    return ORDER;
  }

  @Override
  public ChatClientResponse adviseCall(ChatClientRequest request, CallAdvisorChain chain) {
    return chain.nextCall(withContext(request));
  }

  @Override
  public Flux<ChatClientResponse> adviseStream(
      ChatClientRequest request, StreamAdvisorChain chain) {
    return chain.nextStream(withContext(request));
  }

  static ChatClientRequest withContext(ChatClientRequest request) {
    Prompt prompt = request.prompt();
    if (!(prompt.getOptions() instanceof ToolCallingChatOptions options)) {
      return request;
    }
    Map<String, Object> context =
        options.getToolContext() == null
            ? new HashMap<>()
            : new HashMap<>(options.getToolContext());
    Object conversation = request.context().get(ChatMemory.CONVERSATION_ID);
    context.putIfAbsent(
        TollgateTools.CONVERSATION,
        conversation != null ? conversation.toString() : "call-" + UUID.randomUUID());
    String asked = lastUserText(prompt.getInstructions());
    if (asked != null) {
      context.putIfAbsent(TollgateTools.REQUEST, asked);
    }
    ToolCallingChatOptions withContext = options.mutate().toolContext(context).build();
    return request.mutate().prompt(prompt.mutate().chatOptions(withContext).build()).build();
  }

  private static String lastUserText(List<Message> messages) {
    for (Message m : messages.reversed()) {
      if (m instanceof UserMessage user) {
        return user.getText();
      }
    }
    return null;
  }
}
