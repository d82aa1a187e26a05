package dev.tollgate.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Reader;
import java.io.StringReader;
import org.junit.jupiter.api.Test;

/** The gateway's reading of a client's lines: bounded, whatever the client sends. */
class LineGuardTest {
  @Test
  void aLineOverTheLimitIsDroppedAsItComesAndTheNextIsRead() throws Exception {
    LineGuard.BoundedLines in =
        new LineGuard.BoundedLines(
            new StringReader("short\r\n" + "x".repeat(50) + "\nnext\n\nlast"), 10);
    assertThat(in.next()).isEqualTo(new LineGuard.Line("short", false));
    assertThat(in.next()).isEqualTo(new LineGuard.Line("", true));
    assertThat(in.next()).isEqualTo(new LineGuard.Line("next", false));
    assertThat(in.next()).isEqualTo(new LineGuard.Line("", false));
    assertThat(in.next()).isEqualTo(new LineGuard.Line("last", false));
    assertThat(in.next()).isNull();
  }

  @Test
  void anEndlessLineIsReadToItsEndAndDropped() throws Exception {
    // 64 MiB of one line, generated as it is read: only the limit is ever kept
    Reader endless =
        new Reader() {
          long left = 64L << 20;

          @Override
          public int read(char[] buf, int off, int len) {
            if (left == 0) {
              return -1;
            }
            int n = (int) Math.min(len, left);
            java.util.Arrays.fill(buf, off, off + n, 'a');
            left -= n;
            return n;
          }

          @Override
          public void close() {}
        };
    LineGuard.BoundedLines in = new LineGuard.BoundedLines(endless, 1024);
    assertThat(in.next()).isEqualTo(new LineGuard.Line("", true));
    assertThat(in.next()).isNull();
  }
}
