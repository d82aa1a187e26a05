package dev.tollgate.langchain4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.api.ApprovalStatus;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * {@link ApprovalWait} over the sidecar's long poll. The server holds one poll up to 60 s, so a
 * longer wait is several polls. Any failure to read the status reads as {@code pending}: the caller
 * then refuses the call, which is the closed side, and ends the wait: a failing server is not asked
 * again and again.
 */
final class SidecarApprovals implements ApprovalWait {
  /** The longest wait the server holds one poll for. */
  private static final Duration MAX_POLL = Duration.ofSeconds(60);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI base;
  private final String token;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  SidecarApprovals(URI base, String token) {
    this.base = Objects.requireNonNull(base, "base");
    this.token = Objects.requireNonNull(token, "token");
  }

  /** One poll's answer: the status, and whether asking again can change it. */
  private record Poll(ApprovalStatus status, boolean again) {}

  /**
   * No answer (a refusal, a 5xx, a broken connection): the wait ends as pending, so the call is
   * refused with its approval's id, rather than asking a failing server again and again.
   */
  private static final Poll FAILED = new Poll(ApprovalStatus.PENDING, false);

  @Override
  public ApprovalStatus await(String approvalId, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    Poll poll = poll(approvalId, Duration.ZERO);
    while (poll.status() == ApprovalStatus.PENDING && poll.again()) {
      long left = end - System.nanoTime();
      if (left <= 0) {
        break;
      }
      Duration slice = Duration.ofNanos(Math.min(left, MAX_POLL.toNanos()));
      poll = poll(approvalId, slice);
    }
    return poll.status();
  }

  private Poll poll(String id, Duration wait) throws InterruptedException {
    // the server's `wait` takes whole seconds from 1 (a shorter one is a bad request)
    long seconds = (wait.toMillis() + 999) / 1000;
    URI uri =
        base.resolve(
            "/v1/approvals/"
                + URLEncoder.encode(id, StandardCharsets.UTF_8)
                + (seconds > 0 ? "?wait=" + seconds + "s" : ""));
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(wait.plusSeconds(30))
            .header("Authorization", "Bearer " + token)
            .GET()
            .build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return FAILED;
      }
      JsonNode status = JSON.readTree(response.body()).path("status");
      return status.isTextual() ? new Poll(ApprovalStatus.parse(status.asText()), true) : FAILED;
    } catch (IOException | IllegalArgumentException e) {
      return FAILED;
    }
  }
}
