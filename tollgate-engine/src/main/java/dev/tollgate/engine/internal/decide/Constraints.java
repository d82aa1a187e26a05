package dev.tollgate.engine.internal.decide;

import dev.cel.runtime.CelRuntime;
import dev.tollgate.engine.internal.bundle.Glob;
import dev.tollgate.engine.internal.cel.PolicyEnv;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Grants' CEL constraints and tool patterns, compiled once and kept (bounded). */
public final class Constraints {
  private static final int MAX = 1024;
  private final Map<String, CelRuntime.Program> programs = new ConcurrentHashMap<>();
  private final Map<String, Glob> globs = new ConcurrentHashMap<>();

  /**
   * Compiles a constraint (a bool condition over the policy facts).
   *
   * @throws IllegalArgumentException with the first compile error
   */
  public void compile(String constraint) {
    program(constraint);
  }

  /** Whether the constraint holds; one that cannot be evaluated does not hold (fail closed). */
  public boolean holds(String constraint, Map<String, Object> facts) {
    try {
      return Boolean.TRUE.equals(PolicyEnv.eval(program(constraint), facts));
    } catch (PolicyEnv.EvaluationException | RuntimeException e) {
      return false;
    }
  }

  /**
   * The compiled tool pattern.
   *
   * @throws IllegalArgumentException when the pattern is invalid
   */
  public Glob glob(String pattern) {
    Glob g = globs.get(pattern);
    if (g == null) {
      g = Glob.of(pattern);
      if (globs.size() >= MAX) {
        globs.clear();
      }
      globs.put(pattern, g);
    }
    return g;
  }

  private CelRuntime.Program program(String constraint) {
    CelRuntime.Program p = programs.get(constraint);
    if (p != null) {
      return p;
    }
    PolicyEnv.Compiled c = PolicyEnv.condition(constraint);
    if (c instanceof PolicyEnv.Failed f) {
      PolicyEnv.Issue first = f.issues().getFirst();
      throw new IllegalArgumentException(
          first.message() + " (line " + first.line() + ", column " + (first.column() + 1) + ")");
    }
    if (!((PolicyEnv.Ok) c).rates().isEmpty()) {
      throw new IllegalArgumentException(
          "a grant's constraint cannot call rate functions (count, sum, distinct, novel): they"
              + " belong in policies, which are judged before a grant is used");
    }
    CelRuntime.Program program = ((PolicyEnv.Ok) c).program();
    if (programs.size() >= MAX) {
      programs.clear();
    }
    programs.put(constraint, program);
    return program;
  }
}
