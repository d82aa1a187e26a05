package dev.tollgate.engine.internal.scan;

/** The input is larger than the scan's bound on total work: callers deny rather than pass it. */
public final class ScanLimitException extends Exception {
  private static final long serialVersionUID = 1L;

  public ScanLimitException(String message) {
    super(message);
  }
}
