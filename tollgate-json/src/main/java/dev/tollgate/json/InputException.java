package dev.tollgate.json;

/**
 * Input that cannot be read as what it should be: malformed JSON, a wrong type, an unknown field.
 * The message says what is wrong and how to fix it; {@link #field()} points at the place.
 */
public class InputException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String code;
  private final String field;

  public InputException(String code, String message, String field) {
    super(message);
    this.code = code;
    this.field = field;
  }

  /** A stable machine-readable code, such as {@code bad_request} or {@code too_large}. */
  public String code() {
    return code;
  }

  /** A JSON pointer to the offending field, such as {@code /args/to}, or {@code null}. */
  public String field() {
    return field;
  }
}
