package dev.tollgate.examples.springboot;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.tool.ToolCallbackProvider;
import org.springframework.ai.tool.method.MethodToolCallbackProvider;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A shop assistant on Spring AI. Tollgate gates its tools through the starter alone: the starter
 * wraps the {@link ToolCallbackProvider} bean and gives the {@link ChatClient.Builder} bean its
 * advisor, configured by {@code tollgate.*} in application.properties.
 */
@SpringBootApplication
public class AgentApplication {

  public static void main(String[] args) {
    SpringApplication.run(AgentApplication.class, args);
  }

  @Bean
  ShopTools shopTools() {
    return new ShopTools();
  }

  @Bean
  ToolCallbackProvider shopToolCallbacks(ShopTools tools) {
    return MethodToolCallbackProvider.builder().toolObjects(tools).build();
  }

  @Bean
  ChatModel chatModel() {
    return new ScriptedModel();
  }

  @Bean
  ChatClient.Builder chatClientBuilder(ChatModel model) {
    return ChatClient.builder(model);
  }

  @Bean
  ChatClient chatClient(ChatClient.Builder builder, ToolCallbackProvider tools) {
    return builder.defaultToolCallbacks(tools).build();
  }

  /** One conversation: the customer's request, and what the agent could and could not do. */
  @Bean
  ApplicationRunner conversation(ChatClient chat) {
    return args ->
        System.out.println(
            chat.prompt().user("Please refund my order A-88231 in full.").call().content());
  }
}
