package dev.tollgate.cli;

import dev.tollgate.api.Effect;

/** Exit codes shared by the commands. */
final class Exit {
  static final int OK = 0;
  /** {@code check}: denied; {@code test}, {@code replay}, {@code validate}: something failed. */
  static final int FAILED = 1;
  /** {@code check}: a human must approve. */
  static final int ASK = 2;
  /** Bad usage, an unreadable file or a bundle that does not load. */
  static final int ERROR = 3;

  private Exit() {}

  static int of(Effect effect) {
    return switch (effect) {
      case ALLOW -> OK;
      case DENY -> FAILED;
      case ASK -> ASK;
    };
  }
}
