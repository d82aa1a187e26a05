package dev.tollgate.engine;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * The optional judge: a language model behind an OpenAI-compatible chat endpoint, asked whether an
 * action fits the user's request when a policy reads {@code judge} (see docs/policies.md). Its
 * answer is one more fact for policies, never a gate by itself; a timeout or any failure is "no
 * opinion". Off unless given to {@link Tollgate.Builder#judge}.
 *
 * <p>{@link #toString} never shows the API key.
 *
 * @param endpoint the API's base URI, {@code http} or {@code https} ({@code
 *     https://api.openai.com/v1}, {@code http://localhost:11434/v1}); {@code /chat/completions} is
 *     appended
 * @param model the model name sent with each question
 * @param timeout the most one question may take, connection included (default {@link
 *     #DEFAULT_TIMEOUT}); past it the answer is no opinion
 * @param apiKey sent as {@code Authorization: Bearer <key>}, or {@code null} for none
 * @param cacheSize answers kept, least recently used dropped first (default {@link
 *     #DEFAULT_CACHE_SIZE}); 0 keeps none
 */
public record JudgeConfig(
    URI endpoint, String model, Duration timeout, String apiKey, int cacheSize) {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
  public static final int DEFAULT_CACHE_SIZE = 1_000;

  /**
   * @throws IllegalArgumentException when the endpoint is not an absolute http(s) URI, the model is
   *     blank, the timeout is not positive or the cache size is negative
   */
  public JudgeConfig {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(timeout, "timeout");
    String scheme = endpoint.getScheme();
    if (!("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))
        || endpoint.getHost() == null) {
      throw new IllegalArgumentException(
          "the judge endpoint must be an absolute http or https URI, for example"
              + " http://localhost:11434/v1");
    }
    if (model.isBlank()) {
      throw new IllegalArgumentException("the judge model must not be blank");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("the judge timeout must be positive");
    }
    if (cacheSize < 0) {
      throw new IllegalArgumentException("the judge cache size must not be negative");
    }
    if (apiKey != null && apiKey.isBlank()) {
      apiKey = null;
    }
  }

  /** A judge at {@code endpoint} asking {@code model}, with the default timeout and cache. */
  public static JudgeConfig of(URI endpoint, String model) {
    return new JudgeConfig(endpoint, model, DEFAULT_TIMEOUT, null, DEFAULT_CACHE_SIZE);
  }

  public JudgeConfig withTimeout(Duration timeout) {
    return new JudgeConfig(endpoint, model, timeout, apiKey, cacheSize);
  }

  public JudgeConfig withApiKey(String apiKey) {
    return new JudgeConfig(endpoint, model, timeout, apiKey, cacheSize);
  }

  public JudgeConfig withCacheSize(int cacheSize) {
    return new JudgeConfig(endpoint, model, timeout, apiKey, cacheSize);
  }

  @Override
  public String toString() {
    return "JudgeConfig[endpoint="
        + endpoint
        + ", model="
        + model
        + ", timeout="
        + timeout
        + ", apiKey="
        + (apiKey == null ? "none" : "(set)")
        + ", cacheSize="
        + cacheSize
        + "]";
  }
}
