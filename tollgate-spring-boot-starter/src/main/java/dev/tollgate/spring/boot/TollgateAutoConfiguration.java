package dev.tollgate.spring.boot;

import dev.tollgate.api.Gate;
import dev.tollgate.client.TollgateClient;
import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.BundleException;
import dev.tollgate.engine.Tollgate;
import dev.tollgate.springai.ApprovalWait;
import dev.tollgate.springai.TollgateTools;
import java.nio.file.Files;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Gates every Spring AI tool of the application: each {@code ToolCallback} and {@code
 * ToolCallbackProvider} bean is replaced by its gated form, and each {@code ChatClient.Builder}
 * bean gets the {@link dev.tollgate.springai.TollgateAdvisor}. The gate is the engine in process
 * ({@code tollgate.policies}) or the sidecar ({@code tollgate.url}), from {@link
 * TollgateProperties}; an application that defines its own {@link Gate} bean (and optionally an
 * {@link ApprovalWait} bean) uses that instead.
 *
 * <p>Fails closed: a configuration that names no gate, or a policy directory that does not load,
 * stops the application from starting rather than leaving a tool ungated.
 */
@AutoConfiguration
@EnableConfigurationProperties(TollgateProperties.class)
public class TollgateAutoConfiguration {

  /** The gated tools' configuration: the gate, the default user, how an ask waits. */
  @Bean
  @ConditionalOnMissingBean
  public TollgateTools tollgateTools(
      TollgateProperties properties,
      ObjectProvider<Gate> gates,
      ObjectProvider<ApprovalWait> waits) {
    Gate own = gates.getIfUnique();
    Connection connection =
        own != null
            ? new Connection(own, waits.getIfUnique(() -> ApprovalWait.NONE))
            : connect(properties);
    return TollgateTools.builder(connection.gate())
        .user(properties.user())
        .approvals(connection.approvals(), properties.approvalWait())
        .build();
  }

  /**
   * Wraps the tool beans. Static, as a post-processor must be, and given the tools lazily, so that
   * it does not pull the gate's configuration in before the context is ready for it.
   */
  @Bean
  static BeanPostProcessor tollgateToolGating(ObjectProvider<TollgateTools> tools) {
    return new ToolGating(tools);
  }

  /** A gate and the way to wait on its approvals. */
  record Connection(Gate gate, ApprovalWait approvals) {}

  static Connection connect(TollgateProperties p) {
    String problem = p.problem();
    if (problem != null) {
      throw new IllegalStateException("tollgate: " + problem + "; no tool runs ungated");
    }
    if (p.url() != null) {
      TollgateClient client = TollgateClient.connect(p.url(), p.agent(), p.token());
      return new Connection(client, client::awaitApproval);
    }
    if (!Files.isDirectory(p.policies())) {
      throw new IllegalStateException(
          "tollgate: `tollgate.policies` is "
              + p.policies().toAbsolutePath()
              + ", which is not a directory; point it at a policy bundle");
    }
    Tollgate engine;
    try {
      engine = Tollgate.builder().bundle(Bundle.load(p.policies())).build();
    } catch (BundleException e) {
      throw new IllegalStateException(
          "tollgate: the policy bundle in " + p.policies() + " does not load\n" + e.render(), e);
    }
    return new Connection(engine.gate(p.agent()), engine.approvals()::await);
  }
}
