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

  ApiError(int status, String code, String message, String field) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}
