package dev.tollgate.server;

import dev.tollgate.api.store.ApprovalRecord;
import dev.tollgate.engine.Approvals;
import dev.tollgate.json.ApiJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Tells people about new approvals with a Slack-compatible webhook ({@code {"text": ...}}). The
 * decision never waits for it: events are handed to a scheduler, each post is retried with
 * exponential backoff (0.5, 1, 2, 4 s), and past {@value #MAX_IN_FLIGHT} notifications in flight
 * new ones are dropped and counted rather than queued without bound.
 */
final class Notifier implements AutoCloseable {
  static final int MAX_ATTEMPTS = 5;
  static final int MAX_IN_FLIGHT = 1000;

  private final URI url;
  private final java.util.function.Supplier<URI> console;
  private final Metrics metrics;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("tollgate-webhook").daemon().factory());
  private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);

  Notifier(URI url, java.util.function.Supplier<URI> console, Metrics metrics) {
    this.url = url;
    this.console = console;
    this.metrics = metrics;
  }

  void on(Approvals.Event event) {
    if (event.type() != Approvals.Event.Type.APPROVAL_OPENED || event.approval() == null) {
      return;
    }
    if (!inFlight.tryAcquire()) {
      metrics.rejected(503, "webhook_dropped");
      return;
    }
    String body = ApiJson.write(Map.of("text", text(event.approval())));
    scheduler.execute(() -> post(body, 1));
  }

  private String text(ApprovalRecord a) {
    String why = a.reasons().isEmpty() ? "" : a.reasons().getFirst().message();
    return "Approval needed: "
        + a.agent()
        + " wants "
        + a.tool()
        + (a.user() == null ? "" : " for " + a.user())
        + (why.isBlank() ? "" : " (" + why + ")")
        + ". Expires "
        + a.expiresAt()
        + ". "
        + console.get().resolve("/console/approvals/" + a.id());
  }

  private void post(String body, int attempt) {
    HttpRequest request =
        HttpRequest.newBuilder(url)
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .whenComplete(
            (response, error) -> {
              if (error == null && response.statusCode() / 100 == 2) {
                inFlight.release();
                return;
              }
              if (attempt >= MAX_ATTEMPTS) {
                metrics.rejected(502, "webhook_failed");
                inFlight.release();
                return;
              }
              long delay = 500L << (attempt - 1);
              try {
                scheduler.schedule(() -> post(body, attempt + 1), delay, TimeUnit.MILLISECONDS);
              } catch (java.util.concurrent.RejectedExecutionException closed) {
                inFlight.release();
              }
            });
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
