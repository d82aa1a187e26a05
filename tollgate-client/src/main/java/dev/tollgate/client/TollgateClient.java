package dev.tollgate.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tollgate.api.Action;
import dev.tollgate.api.ApprovalRef;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Finding;
import dev.tollgate.api.Gate;
import dev.tollgate.api.Observation;
import dev.tollgate.api.ObservationResult;
import dev.tollgate.api.Reason;
import dev.tollgate.api.SessionSpec;
import dev.tollgate.api.ShadowOutcome;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link Gate} that calls a Tollgate server: an application moves from the in-process engine to
 * the sidecar by swapping one object.
 *
 * <p>Thread-safe. {@link #decide} fails closed: when the server cannot be reached, times out or
 * answers with a 5xx, the decision is a deny whose reason says so. An unknown or invalid session is
 * a deny from {@code tollgate}, as the in-process engine answers it. Any other 4xx (a malformed
 * action, a request id reused) is the caller's mistake and is thrown as {@link
 * IllegalArgumentException} with the server's message.
 */
public final class TollgateClient implements Gate {
  private static final ObjectMapper MAPPER = JsonMapper.builder().build();

  private final URI base;
  private final String token;
  private final String agent;
  private final HttpClient http;
  private final Duration timeout;
  private static final Duration RETRY_PAUSE = Duration.ofMillis(250);

  private TollgateClient(URI base, String agent, String token, Duration timeout) {
    this.base = Objects.requireNonNull(base, "base");
    this.agent = Objects.requireNonNull(agent, "agent");
    this.token = Objects.requireNonNull(token, "token");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .build();
  }

  /**
   * A client for the server at {@code base} (for example {@code http://127.0.0.1:8181}).
   *
   * @param agent the agent's name, for {@link #agent()}; the server takes the agent from the token
   * @param token the agent's token from {@code tollgate agents add}
   */
  public static TollgateClient connect(URI base, String agent, String token) {
    return new TollgateClient(base, agent, token, Duration.ofSeconds(5));
  }

  /** The same client with another deadline per call (default 5 s). */
  public TollgateClient withTimeout(Duration timeout) {
    return new TollgateClient(base, agent, token, timeout);
  }

  @Override
  public String agent() {
    return agent;
  }

  @Override
  public String openSession(SessionSpec spec) {
    Map<String, Object> body = new LinkedHashMap<>();
    if (spec.id() != null) {
      body.put("id", spec.id());
    }
    body.put("user", spec.user());
    body.put("request", spec.request());
    if (!spec.task().isEmpty()) {
      body.put("task", spec.task());
    }
    JsonNode answer = call("/v1/sessions", body);
    return answer.path("id").asText();
  }

  @Override
  public Decision decide(Action action) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("session", action.session());
    body.put("user", action.user());
    body.put("tool", action.tool());
    body.put("args", action.args());
    body.put("reason", action.reason());
    body.put("requestId", action.requestId());
    body.values().removeIf(Objects::isNull);
    try {
      return toDecision(call("/v1/decide", body));
    } catch (Unreachable e) {
      // INVARIANT: never allows on error.
      return Decision.deny(
          "dec_unreachable",
          "tollgate",
          "tollgate server unreachable (" + e.getMessage() + "); denied to fail closed");
    } catch (Rejected e) {
      // An unknown or invalid session is a deny from Tollgate, as the in-process engine answers
      // it, so that swapping the engine for this client changes no decision.
      if (e.code.equals("unknown_session") || e.code.equals("invalid_session_id")) {
        return Decision.deny("dec_refused", "tollgate", e.said);
      }
      throw e;
    }
  }

  @Override
  public ObservationResult observe(Observation observation) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("session", observation.session());
    body.put("tool", observation.tool());
    if (observation.decision() != null) {
      body.put("decision", observation.decision());
    }
    body.put("result", observation.result());
    JsonNode answer = call("/v1/observe", body);
    List<String> labels = new ArrayList<>();
    answer.path("labels").forEach(l -> labels.add(l.asText()));
    return new ObservationResult(labels, findings(answer.path("findings")));
  }

  /**
   * A decision this agent was given earlier, read back from the server's audit (any server that
   * shares the store answers).
   *
   * @return the decision, or empty when there is none with this id for this agent
   * @throws IllegalStateException when the server cannot be reached or cannot read its audit
   */
  public Optional<Decision> decision(String id) {
    try {
      return Optional.of(
          toDecision(call("/v1/decisions/" + URLEncoder.encode(id, StandardCharsets.UTF_8), null)));
    } catch (NotFound e) {
      return Optional.empty();
    } catch (Unreachable e) {
      throw new IllegalStateException("cannot read decision " + id + ": " + e.getMessage(), e);
    }
  }

  /** A 4xx: the caller's mistake, with the server's error code and message. */
  static class Rejected extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    final String code;
    final String said;

    Rejected(String code, String said, String message) {
      super(message);
      this.code = code;
      this.said = said;
    }
  }

  /** A 404: the thing asked for does not exist (for this agent). */
  static final class NotFound extends Rejected {
    private static final long serialVersionUID = 1L;

    NotFound(String code, String said, String message) {
      super(code, said, message);
    }
  }

  /** A call that got no usable answer: the server is down, slow or broken. */
  static final class Unreachable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unreachable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private JsonNode call(String path, Object body) {
    HttpResponse<String> response;
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(base.resolve(path))
              .timeout(timeout)
              .header("Authorization", "Bearer " + token);
      if (body != null) {
        request
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(MAPPER.writeValueAsString(body)));
      }
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      // Refused for too many connections: the request was not looked at, so it is safe to send
      // again after the pause the server asks for, within this call's timeout.
      while (response.statusCode() == 503
          && response.body().contains("\"overloaded\"")
          && System.nanoTime() + RETRY_PAUSE.toNanos() < deadline) {
        Thread.sleep(RETRY_PAUSE);
        response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unreachable("interrupted", e);
    } catch (IOException e) {
      throw new Unreachable(
          e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
    }
    JsonNode answer;
    try {
      answer = MAPPER.readTree(response.body());
    } catch (JsonProcessingException e) {
      throw new Unreachable("unreadable answer with status " + response.statusCode(), e);
    }
    int status = response.statusCode();
    if (status >= 500) {
      throw new Unreachable(
          "status " + status + ": " + answer.path("error").path("message").asText(""), null);
    }
    if (status >= 400) {
      JsonNode error = answer.path("error");
      String message =
          error.path("message").asText("status " + status)
              + (error.has("field") ? " (at `" + error.path("field").asText() + "`)" : "");
      String code = error.path("code").asText("");
      String said = error.path("message").asText(message);
      throw status == 404 ? new NotFound(code, said, message) : new Rejected(code, said, message);
    }
    return answer;
  }

  private static Decision toDecision(JsonNode d) {
    List<Reason> reasons = new ArrayList<>();
    d.path("reasons")
        .forEach(
            r -> reasons.add(new Reason(r.path("policy").asText(), r.path("message").asText())));
    List<ShadowOutcome> shadow = new ArrayList<>();
    d.path("shadow")
        .forEach(
            s ->
                shadow.add(
                    new ShadowOutcome(
                        s.path("policy").asText(),
                        Effect.parse(s.path("effect").asText()),
                        s.path("message").asText())));
    @SuppressWarnings("unchecked")
    Map<String, Object> args =
        d.hasNonNull("args") ? MAPPER.convertValue(d.get("args"), Map.class) : null;
    return new Decision(
        d.path("id").asText(),
        Effect.parse(d.path("effect").asText()),
        args,
        reasons,
        findings(d.path("findings")),
        d.hasNonNull("approval")
            ? new ApprovalRef(
                d.get("approval").path("id").asText(),
                d.get("approval").path("status").asText(),
                java.time.Instant.parse(d.get("approval").path("expiresAt").asText()))
            : null,
        d.hasNonNull("grant") ? d.get("grant").asText() : null,
        shadow);
  }

  private static List<Finding> findings(JsonNode list) {
    List<Finding> out = new ArrayList<>();
    list.forEach(
        f ->
            out.add(
                new Finding(
                    f.path("detector").asText(),
                    f.path("label").asText(),
                    f.path("path").asText(),
                    f.path("excerpt").asText())));
    return out;
  }
}
