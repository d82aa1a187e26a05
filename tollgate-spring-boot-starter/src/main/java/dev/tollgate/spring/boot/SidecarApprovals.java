package dev.tollgate.spring.boot;

import dev.tollgate.api.ApprovalStatus;
import dev.tollgate.json.ApiJson;
import dev.tollgate.json.InputException;
import dev.tollgate.springai.ApprovalWait;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * Waits on the sidecar's long poll, {@code GET /v1/approvals/{id}?wait=...}, with the agent's token
 * (an agent may read its own approvals). The server holds one poll at most 60 s, so a longer wait
 * is several polls.
 */
final class SidecarApprovals implements ApprovalWait {
  private static final long MAX_POLL_SECONDS = 30;

  private final URI base;
  private final String token;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  SidecarApprovals(URI base, String token) {
    this.base = base;
    this.token = token;
  }

  @Override
  public ApprovalStatus await(String id, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = Math.max(0, (end - System.nanoTime()) / 1_000_000_000L);
      ApprovalStatus status = poll(id, Math.min(left, MAX_POLL_SECONDS));
      if (status != ApprovalStatus.PENDING || System.nanoTime() >= end || left == 0) {
        return status;
      }
    }
  }

  private ApprovalStatus poll(String id, long seconds) throws InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(
                base.resolve(
                    "/v1/approvals/"
                        + URLEncoder.encode(id, StandardCharsets.UTF_8)
                        + "?wait="
                        + Math.max(1, seconds)
                        + "s"))
            .timeout(Duration.ofSeconds(seconds + 10))
            .header("Authorization", "Bearer " + token)
            .GET()
            .build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException("the Tollgate sidecar did not answer about " + id, e);
    }
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "the Tollgate sidecar answered " + response.statusCode() + " about approval " + id);
    }
    try {
      if (ApiJson.toJava(ApiJson.readTree(response.body())) instanceof Map<?, ?> m
          && m.get("status") instanceof String status) {
        return ApprovalStatus.parse(status);
      }
    } catch (InputException e) {
      throw new IllegalStateException("an unreadable answer about approval " + id, e);
    }
    throw new IllegalStateException("an answer about approval " + id + " without a status");
  }
}
