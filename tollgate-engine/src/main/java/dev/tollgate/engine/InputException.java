package dev.tollgate.engine;

/**
 * Input that cannot be read as what it should be: malformed JSON, a wrong type, an unknown field.
 * The message says what is wrong and how to fix it; {@link #field()} points at the place.
 *
 * @deprecated the codec moved to tollgate-json: catch {@link dev.tollgate.json.InputException},
 *     which this extends. Kept for one release so that callers of {@link Json} compile unchanged.
 */
@Deprecated
public final class InputException extends dev.tollgate.json.InputException {
  private static final long serialVersionUID = 1L;

  public InputException(String code, String message, String field) {
    super(code, message, field);
  }

  /** The same problem, as the type {@link Json}'s callers catch. */
  static InputException of(dev.tollgate.json.InputException e) {
    InputException out = new InputException(e.code(), e.getMessage(), e.field());
    out.setStackTrace(e.getStackTrace());
    return out;
  }
}
