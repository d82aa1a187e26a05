package dev.tollgate.engine.internal.bundle;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Finds the policies that can apply to one (agent, tool) pair without looking at the others.
 *
 * <p>Policies naming exact tools are indexed by tool name; policies with tool patterns (or none)
 * are kept apart and matched against the tool. The answer for a pair is cached: the number of
 * distinct (agent, tool) pairs in a deployment is small, so after the first decision for a pair
 * finding its candidates costs two hash lookups, however many policies the bundle holds. The cache
 * is bounded; past the bound, answers are computed each time (correct, only slower).
 *
 * <p>INVARIANT: {@link #candidates} returns exactly the policies whose tool and agent matches
 * accept the pair, in {@link CompiledPolicy#order()} order.
 */
public final class PolicyIndex {
  private static final int CACHE_LIMIT = 20_000;
  private static final CompiledPolicy[] NONE = new CompiledPolicy[0];

  private final Map<String, List<CompiledPolicy>> byTool;
  private final List<CompiledPolicy> byPattern;
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, CompiledPolicy[]>> cache =
      new ConcurrentHashMap<>();
  private final AtomicInteger cached = new AtomicInteger();

  public PolicyIndex(List<CompiledPolicy> policies) {
    Map<String, List<CompiledPolicy>> exact = new HashMap<>();
    List<CompiledPolicy> patterns = new ArrayList<>();
    for (CompiledPolicy p : policies) {
      if (p.tools() != null && p.tools().stream().allMatch(Glob::exact)) {
        for (Glob g : p.tools()) {
          List<CompiledPolicy> list = exact.computeIfAbsent(g.pattern(), k -> new ArrayList<>());
          if (!list.contains(p)) {
            list.add(p);
          }
        }
      } else {
        patterns.add(p);
      }
    }
    this.byTool = Map.copyOf(exact);
    this.byPattern = List.copyOf(patterns);
  }

  public CompiledPolicy[] candidates(String agent, String tool) {
    ConcurrentHashMap<String, CompiledPolicy[]> forTool = cache.get(tool);
    if (forTool != null) {
      CompiledPolicy[] hit = forTool.get(agent);
      if (hit != null) {
        return hit;
      }
    }
    CompiledPolicy[] computed = compute(agent, tool);
    if (cached.get() < CACHE_LIMIT) {
      if (forTool == null) {
        forTool = cache.computeIfAbsent(tool, k -> new ConcurrentHashMap<>());
      }
      if (forTool.putIfAbsent(agent, computed) == null) {
        cached.incrementAndGet();
      }
    }
    return computed;
  }

  private CompiledPolicy[] compute(String agent, String tool) {
    List<CompiledPolicy> out = new ArrayList<>();
    for (CompiledPolicy p : byTool.getOrDefault(tool, List.of())) {
      if (p.appliesToAgent(agent)) {
        out.add(p);
      }
    }
    for (CompiledPolicy p : byPattern) {
      if (p.appliesToTool(tool) && p.appliesToAgent(agent)) {
        out.add(p);
      }
    }
    if (out.isEmpty()) {
      return NONE;
    }
    out.sort(Comparator.comparingInt(CompiledPolicy::order));
    return out.toArray(NONE);
  }
}
