package dev.tollgate.api.store;

/**
 * The store cannot be reached, or did not answer within its deadline. Callers fail closed: a
 * decision that needs the store is a deny with the reason "store unavailable".
 */
public class StoreUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
