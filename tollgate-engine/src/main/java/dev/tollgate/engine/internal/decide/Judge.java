package dev.tollgate.engine.internal.decide;

import dev.tollgate.engine.internal.cel.PolicyEnv;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * An outside opinion on whether an action fits the user's request: what policies read as {@code
 * judge}. Asked only when a policy reads {@code judge}, at most once per decision (see {@link
 * Facts}); the only part of a decision that may do I/O, which is why it is an interface the shell
 * hands in, never something decide makes.
 *
 * <p>An implementation must never throw and never block past its own deadline: any failure is an
 * {@link Opinion} of {@link Fit#NONE} whose reason says why, without quoting the arguments. It must
 * be thread-safe: decisions of many threads share it.
 */
@FunctionalInterface
public interface Judge {

  /** The judge of an engine configured without one: no opinion, no call. */
  Judge NONE = question -> Opinion.NOT_CONFIGURED;

  /** Asks for an opinion on {@code question}. */
  Opinion judge(Question question);

  /** What a judge may be told. */
  enum Fit {
    FITS("fits"),
    DOES_NOT_FIT("does-not-fit"),
    NONE("none");

    private final String wireName;

    Fit(String wireName) {
      this.wireName = wireName;
    }

    /** The word policies compare {@code judge.opinion} with. */
    public String wireName() {
      return wireName;
    }
  }

  /**
   * A judge's answer.
   *
   * @param reason why, in a few words: the judge's own, or why there is no opinion
   */
  record Opinion(Fit fit, String reason) {
    public static final Opinion NOT_CONFIGURED = new Opinion(Fit.NONE, "no judge is configured");

    public static Opinion none(String why) {
      return new Opinion(Fit.NONE, why);
    }

    /** The opinion as policies see it ({@code judge.opinion}, {@code judge.reason}). */
    Map<String, Object> facts() {
      Map<String, Object> facts = new LinkedHashMap<>(4);
      facts.put("opinion", fit.wireName());
      facts.put("reason", reason == null ? "" : reason);
      return PolicyEnv.celValue(facts);
    }
  }

  /**
   * What the judge is asked about, with every value a detector flagged already masked: in the
   * arguments by the masking an allow's redaction does, in the user's words by the session's
   * tokens.
   *
   * @param request the user's request (masked)
   * @param task the declared task (its strings masked), empty when none
   * @param does what the catalog says the tool does, or {@code null}
   * @param args the action's arguments, flagged values replaced by their masked excerpts
   * @param mask masks the text an implementation sends, as a last pass: a flagged value that the
   *     structure could not hold masked (a number) is masked in the text
   */
  record Question(
      String request,
      Map<String, Object> task,
      String tool,
      String does,
      Map<String, Object> args,
      UnaryOperator<String> mask) {}
}
