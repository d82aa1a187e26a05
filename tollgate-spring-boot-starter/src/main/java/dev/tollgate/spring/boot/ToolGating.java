package dev.tollgate.spring.boot;

import dev.tollgate.springai.TollgateTools;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.ToolCallbackProvider;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Replaces each tool bean by its gated form once it is initialised, and gives each {@code
 * ChatClient.Builder} bean the advisor that tells tools their conversation. A bean is wrapped after
 * its own initialisation, so that whatever it injects is in place; wrapping is idempotent.
 */
final class ToolGating implements BeanPostProcessor {
  private final ObjectProvider<TollgateTools> tools;

  ToolGating(ObjectProvider<TollgateTools> tools) {
    this.tools = tools;
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    if (bean instanceof ToolCallback tool) {
      return tools.getObject().wrap(tool);
    }
    if (bean instanceof ToolCallbackProvider provider) {
      return tools.getObject().wrap(provider);
    }
    if (bean instanceof ChatClient.Builder builder) {
      return builder.defaultAdvisors(tools.getObject().advisor());
    }
    return bean;
  }
}
