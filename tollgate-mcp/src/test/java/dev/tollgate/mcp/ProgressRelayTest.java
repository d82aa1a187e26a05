package dev.tollgate.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.spec.McpSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A server's progress goes back under the client's own token, only while the call runs, only to the
 * call it reports on, and only ever increasing.
 */
class ProgressRelayTest {
  private final ProgressRelay relay = new ProgressRelay();

  @Test
  void progressGoesToTheCallItReportsOnUnderTheClientsTokenAndOnlyIncreasing() {
    List<McpSchema.ProgressNotification> first = new ArrayList<>();
    List<McpSchema.ProgressNotification> second = new ArrayList<>();
    // two clients that chose the same token
    Map<String, Object> a = relay.open(Map.of("progressToken", "1"), first::add);
    Map<String, Object> b = relay.open(Map.of("progressToken", "1"), second::add);
    assertThat(a.get("progressToken")).isNotEqualTo("1").isNotEqualTo(b.get("progressToken"));

    relay.deliver(progress(a, 1));
    relay.deliver(progress(a, 3));
    relay.deliver(progress(a, 2)); // late: dropped
    relay.deliver(progress(b, 5));
    relay.deliver(new McpSchema.ProgressNotification("unknown", 9.0, null, null)); // nowhere

    // answering a call lets its progress go out first
    relay.close(a);
    relay.close(b);
    assertThat(first)
        .extracting(McpSchema.ProgressNotification::progress)
        .containsExactly(1.0, 3.0);
    assertThat(first).extracting(McpSchema.ProgressNotification::progressToken).containsOnly("1");
    assertThat(second).extracting(McpSchema.ProgressNotification::progress).containsExactly(5.0);

    relay.deliver(progress(a, 4)); // after the answer: nowhere
    assertThat(first).hasSize(2);
  }

  @Test
  void aClientThatDoesNotReadHoldsUpNoOtherCallAndItsAnswerWaitsOnlySoLong() throws Exception {
    java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
    List<McpSchema.ProgressNotification> other = new java.util.concurrent.CopyOnWriteArrayList<>();
    Map<String, Object> stuck =
        relay.open(
            Map.of("progressToken", "s"),
            n -> {
              try {
                never.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    Map<String, Object> reading = relay.open(Map.of("progressToken", "r"), other::add);

    long start = System.nanoTime();
    relay.deliver(progress(stuck, 1));
    relay.deliver(progress(stuck, 2));
    relay.deliver(progress(reading, 1));
    relay.close(reading);
    assertThat(other).extracting(McpSchema.ProgressNotification::progress).containsExactly(1.0);
    relay.close(stuck);
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertThat(millis)
        .as("the stuck call's answer waited its drain, and no longer")
        .isBetween(ProgressRelay.DRAIN_MILLIS - 100, ProgressRelay.DRAIN_MILLIS + 3_000);
    never.countDown();
  }

  @Test
  void aCallWithoutAProgressTokenIsSentAsItCame() {
    Map<String, Object> meta = Map.of("dev.example/x", 1);
    assertThat(relay.open(meta, n -> {})).isSameAs(meta);
    assertThat(relay.open(null, n -> {})).isNull();
  }

  private static McpSchema.ProgressNotification progress(Map<String, Object> sent, double value) {
    return new McpSchema.ProgressNotification(sent.get("progressToken"), value, 10.0, null);
  }
}
