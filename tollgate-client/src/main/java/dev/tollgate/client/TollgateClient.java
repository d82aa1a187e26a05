package dev.tollgate.client;

import dev.tollgate.api.Action;
import dev.tollgate.api.ApprovalStatus;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Gate;
import dev.tollgate.api.Observation;
import dev.tollgate.api.ObservationResult;
import dev.tollgate.api.SessionSpec;
import dev.tollgate.json.ApiJson;
import dev.tollgate.json.ApiRecords;
import dev.tollgate.json.InputException;
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
    Object id = call("/v1/sessions", body).get("id");
    if (!(id instanceof String text)) {
      throw new Unreachable("an answer to open a session without a session id", null);
    }
    return text;
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
    Map<String, Object> answer = call("/v1/observe", body);
    try {
      List<String> labels = new ArrayList<>();
      if (answer.get("labels") instanceof List<?> list) {
        list.forEach(l -> labels.add(String.valueOf(l)));
      }
      return new ObservationResult(labels, ApiRecords.findings(answer.get("findings")));
    } catch (IllegalArgumentException e) {
      throw new Unreachable("unreadable answer to observe: " + e.getMessage(), e);
    }
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

  /**
   * Waits until a person decides one of this agent's approvals, or {@code timeout} passes, through
   * the server's long poll ({@code GET /v1/approvals/{id}?wait=}, at most 60 s a request, so a
   * longer wait is several). No usable answer (the server down, a refusal, an unreadable status)
   * ends the wait as {@link ApprovalStatus#PENDING}: the caller then does not run the call, which
   * is the closed side.
   *
   * @return the approval's status then
   * @throws InterruptedException when the waiting thread is interrupted
   */
  public ApprovalStatus awaitApproval(String id, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    String path = "/v1/approvals/" + URLEncoder.encode(id, StandardCharsets.UTF_8);
    while (true) {
      long seconds = Math.min(MAX_POLL.toSeconds(), (end - System.nanoTime()) / 1_000_000_000L);
      Object status;
      try {
        // the server takes whole seconds from 1; a wait with less left reads the status at once
        status =
            call(
                    seconds >= 1 ? path + "?wait=" + seconds + "s" : path,
                    null,
                    this.timeout.plus(Duration.ofSeconds(Math.max(0, seconds))))
                .get("status");
      } catch (Unreachable | Rejected e) {
        if (Thread.interrupted()) {
          // the call turns an interrupted send into no answer, its flag set again
          throw new InterruptedException();
        }
        return ApprovalStatus.PENDING;
      }
      if (!(status instanceof String text)) {
        return ApprovalStatus.PENDING;
      }
      ApprovalStatus s;
      try {
        s = ApprovalStatus.parse(text);
      } catch (IllegalArgumentException e) {
        return ApprovalStatus.PENDING;
      }
      if (s != ApprovalStatus.PENDING || seconds < 1) {
        return s;
      }
    }
  }

  /** The longest wait the server holds one long poll for. */
  private static final Duration MAX_POLL = Duration.ofSeconds(60);

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

  /** The answer's JSON object as plain values; throws for a 4xx, {@link Unreachable} else. */
  private Map<String, Object> call(String path, Object body) {
    return call(path, body, timeout);
  }

  /** As {@link #call(String, Object)}, with a deadline of its own (a long poll's). */
  @SuppressWarnings("unchecked")
  private Map<String, Object> call(String path, Object body, Duration timeout) {
    HttpResponse<String> response;
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(base.resolve(path))
              .timeout(timeout)
              .header("Authorization", "Bearer " + token);
      TraceContext.propagate(request);
      if (body != null) {
        request
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(ApiJson.write(body)));
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
    int status = response.statusCode();
    Map<String, Object> answer;
    try {
      if (!(ApiJson.toJava(ApiJson.readTree(response.body())) instanceof Map<?, ?> object)) {
        throw new Unreachable("an answer with status " + status + " that is not an object", null);
      }
      answer = (Map<String, Object>) object;
    } catch (InputException e) {
      throw new Unreachable("unreadable answer with status " + status, e);
    }
    Map<String, Object> error =
        answer.get("error") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    if (status >= 500) {
      throw new Unreachable("status " + status + ": " + text(error, "message", ""), null);
    }
    if (status >= 400) {
      String message =
          text(error, "message", "status " + status)
              + (error.containsKey("field") ? " (at `" + text(error, "field", "") + "`)" : "");
      String code = text(error, "code", "");
      String said = text(error, "message", message);
      throw status == 404 ? new NotFound(code, said, message) : new Rejected(code, said, message);
    }
    return answer;
  }

  private static String text(Map<String, Object> m, String key, String otherwise) {
    Object v = m.get(key);
    return v == null ? otherwise : String.valueOf(v);
  }

  /** A decision from the server; an answer that is not one fails closed as unreachable. */
  private static Decision toDecision(Map<String, Object> answer) {
    try {
      return ApiRecords.decision(answer);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new Unreachable("unreadable decision: " + e.getMessage(), e);
    }
  }
}
