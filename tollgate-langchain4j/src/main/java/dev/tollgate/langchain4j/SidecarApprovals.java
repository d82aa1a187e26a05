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
 * then refuses the call, which is the closed side. A refusal (a wrong token, an unknown approval)
 * ends the wait; a server error or a broken connection is asked again after a pause.
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

  /** After a server error or a broken connection, the pause before asking again. */
  private static final Duration BACKOFF = Duration.ofSeconds(1);

  /**
   * One poll's answer: the status, whether asking again can change it, and whether the poll failed
   * (then the next waits a moment).
   */
  private record Poll(ApprovalStatus status, boolean again, boolean failed) {}

  /** No answer (a 5xx, a broken connection): still pending, worth asking again after a pause. */
  private static final Poll FAILED = new Poll(ApprovalStatus.PENDING, true, true);

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
      if (poll.failed()) {
        // a server that fails at once must not be asked again at once, for minutes on end
        Thread.sleep(
            Math.min(BACKOFF.toMillis(), Math.max(0, (end - System.nanoTime()) / 1_000_000)));
      }
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
      int code = response.statusCode();
      if (code >= 400 && code < 500) {
        // a wrong token or an unknown approval: no later poll answers otherwise
        return new Poll(ApprovalStatus.PENDING, false, false);
      }
      if (code != 200) {
        return FAILED;
      }
      JsonNode status = JSON.readTree(response.body()).path("status");
      return status.isTextual()
          ? new Poll(ApprovalStatus.parse(status.asText()), true, false)
          : new Poll(ApprovalStatus.PENDING, false, false);
    } catch (IOException | IllegalArgumentException e) {
      return FAILED;
    }
  }
}
