package dev.tollgate.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tollgate.json.ClientText;
import org.junit.jupiter.api.Test;

/**
 * Ids a client sends (a grant to revoke, an approval to decide) come back in the engine's messages,
 * which the server answers and logs as they are: bounded and printable there, so that an id cannot
 * forge a log line or make a message megabytes long.
 */
class ClientIdsInMessagesTest {
  /** A line break to forge a log line, then far more text than a message should carry. */
  private static final String HOSTILE =
      "grt_x\nINFO grant grt_y revoked by admin\u0000" + "z".repeat(10_000);

  private final Approvals approvals =
      Tollgate.builder().bundle(Bundles.policies(FourEyesTest.POLICIES)).build().approvals();

  @Test
  void anUnknownGrantIdIsQuotedBoundedAndPrintable() {
    Approvals.ApprovalException e =
        catchThrowableOfType(
            Approvals.ApprovalException.class, () -> approvals.revoke(HOSTILE, "carol"));
    assertThat(e.status()).isEqualTo(404);
    assertQuoted(e.getMessage());
  }

  @Test
  void anUnknownApprovalIdIsQuotedBoundedAndPrintable() {
    Approvals.ApprovalException e =
        catchThrowableOfType(
            Approvals.ApprovalException.class,
            () -> approvals.approve(HOSTILE, "carol", null, null));
    assertThat(e.status()).isEqualTo(404);
    assertQuoted(e.getMessage());
  }

  private static void assertQuoted(String message) {
    assertThat(message)
        .contains("`grt_x\\u000aINFO grant grt_y revoked by admin\\u0000zz")
        .doesNotContain("\n", "\u0000")
        .hasSizeLessThan(ClientText.MAX_SHOWN + 100);
  }
}
