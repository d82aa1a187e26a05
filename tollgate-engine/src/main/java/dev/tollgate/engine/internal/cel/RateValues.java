package dev.tollgate.engine.internal.cel;

/**
 * The values of a decision's rate calls ({@link RateCall}), tallied by the decide shell before the
 * policies run. The CEL functions find them here by the call's {@link RateCall#key() key}: CEL's
 * function bindings are fixed when the runtime is built, so the decision's values reach them
 * through the thread that evaluates (set by {@link PolicyEnv#eval} for the facts that carry them).
 */
public interface RateValues {

  /**
   * The value of the call written as {@code key}: a {@code Long} (count, distinct), a {@code
   * Double} (sum) or a {@code Boolean} (novelty).
   *
   * @throws Unavailable when it cannot be given (an amount that is not a number, a call the shell
   *     did not tally), in words for the policy's failure reason
   */
  Object value(String key);

  /** Why a rate value cannot be given; its message becomes the policy's failure reason. */
  final class Unavailable extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public Unavailable(String message) {
      super(message);
    }
  }

  /** Facts that carry the rate values of their decision. */
  interface Source {
    RateValues rates();
  }

  /** No rate values: every rate function fails, naming where it was used. */
  RateValues NONE =
      key -> {
        throw new Unavailable(
            "rate functions (count, sum, distinct, novel) are available in policy conditions and"
                + " messages only");
      };
}
