package dev.tollgate.engine.internal.judge;

import java.io.IOException;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body read into bytes, up to a bound: past it the exchange is cancelled and the body
 * fails, so that an endpoint that streams without end costs no more than the bound.
 */
final class LimitedBody implements BodySubscriber<byte[]> {
  private final BodySubscriber<byte[]> bytes = BodySubscribers.ofByteArray();
  private final long max;
  private long seen;
  private boolean done;
  private Flow.Subscription subscription;

  LimitedBody(long max) {
    this.max = max;
  }

  @Override
  public CompletionStage<byte[]> getBody() {
    return bytes.getBody();
  }

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    this.subscription = subscription;
    bytes.onSubscribe(subscription);
  }

  @Override
  public void onNext(List<ByteBuffer> items) {
    if (done) {
      return;
    }
    for (ByteBuffer b : items) {
      seen += b.remaining();
    }
    if (seen > max) {
      done = true;
      subscription.cancel();
      bytes.onError(new IOException("the answer is longer than " + max + " bytes"));
      return;
    }
    bytes.onNext(items);
  }

  @Override
  public void onError(Throwable error) {
    if (!done) {
      done = true;
      bytes.onError(error);
    }
  }

  @Override
  public void onComplete() {
    if (!done) {
      done = true;
      bytes.onComplete();
    }
  }
}
