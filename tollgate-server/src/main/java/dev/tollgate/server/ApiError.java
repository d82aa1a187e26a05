package dev.tollgate.server;

/**
 * A client's mistake, answered with a 4xx and a JSON body {@code {"error": {"code", "message",
 * "field"}}} that says what is wrong and how to fix it.
 */
final class ApiError extends Exception {
  private static final long serialVersionUID = 1L;

  final int status;
  final String code;
  final String field;

  /** Whether the engine has recorded it already (a refused decide): not audited again. */
  final boolean audited;

  ApiError(int status, String code, String message, String field) {
    this(status, code, message, field, false);
  }

  private ApiError(int status, String code, String message, String field, boolean audited) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
    this.audited = audited;
  }

  /** A client's mistake the engine refused and recorded in the audit itself. */
  static ApiError audited(int status, String code, String message, String field) {
    return new ApiError(status, code, message, field, true);
  }
}
