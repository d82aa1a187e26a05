package dev.tollgate.api;

import java.util.List;

/**
 * What Tollgate learnt from an observed result.
 *
 * @param labels the labels the result gives the session (catalog labels, trust, detectors)
 * @param findings sensitive data found in the result, masked
 */
public record ObservationResult(List<String> labels, List<Finding> findings) {
  public ObservationResult {
    labels = List.copyOf(labels);
    findings = List.copyOf(findings);
  }
}
