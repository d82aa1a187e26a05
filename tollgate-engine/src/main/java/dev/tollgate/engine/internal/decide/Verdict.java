package dev.tollgate.engine.internal.decide;

import dev.tollgate.engine.internal.bundle.Redaction;
import dev.tollgate.engine.internal.bundle.ToolSpec;
import java.util.Map;

/**
 * What the policies decided about one action, before grants and approvals are consulted.
 *
 * @param redactedArgs the arguments as an allow's redaction changed them, or {@code null}
 * @param redaction the redaction that made {@code redactedArgs}, or {@code null}
 * @param tool the action's tool, as the catalog describes it
 */
public record Verdict(
    Evaluation evaluation,
    Inspection inspection,
    Map<String, Object> redactedArgs,
    Redaction redaction,
    ToolSpec tool) {}
