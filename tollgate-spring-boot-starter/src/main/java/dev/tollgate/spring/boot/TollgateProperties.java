package dev.tollgate.spring.boot;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code tollgate.*} properties. Exactly one of {@code policies} (the engine in process) and
 * {@code url} (the sidecar) must be set; anything else stops the application from starting, so that
 * no tool ever runs ungated.
 *
 * @param agent the agent the application speaks for (its profile in {@code agents.yaml}); required
 * @param policies the policy bundle directory, for the engine in process
 * @param url the sidecar's base URL (for example {@code http://127.0.0.1:8181})
 * @param token the agent's token for the sidecar ({@code tollgate agents add}); required with url
 * @param user the user of calls whose tool context names none
 * @param approvalWait how long a tool call waits for a person to decide an {@code ask}; {@code 0s}
 *     (the default) answers the model at once with the approval's id
 */
@ConfigurationProperties("tollgate")
public record TollgateProperties(
    String agent,
    Path policies,
    URI url,
    String token,
    @DefaultValue("anonymous") String user,
    @DefaultValue("0s") Duration approvalWait) {

  /**
   * What is wrong with this configuration, worded for the person starting the application, or
   * {@code null} when nothing is.
   */
  String problem() {
    if (agent == null || agent.isBlank()) {
      return "set `tollgate.agent` to the agent this application speaks for";
    }
    if ((policies == null) == (url == null)) {
      return "set exactly one of `tollgate.policies` (a policy bundle directory, for the engine in"
          + " process) and `tollgate.url` (the Tollgate sidecar)";
    }
    if (url != null && (token == null || token.isBlank())) {
      return "set `tollgate.token` to the agent's token for the sidecar at " + url;
    }
    if (approvalWait.isNegative()) {
      return "`tollgate.approval-wait` must not be negative";
    }
    return null;
  }
}
