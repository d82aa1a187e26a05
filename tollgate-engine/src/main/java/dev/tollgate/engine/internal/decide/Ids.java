package dev.tollgate.engine.internal.decide;

import java.security.SecureRandom;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Time-ordered ids in the ULID layout (48 bits of milliseconds, 80 random bits, Crockford base32),
 * with a type prefix such as {@code dec_}. Decision ids only need to be unique; {@link
 * #unguessable} is for ids that grant something (approvals, grants, sessions).
 */
public final class Ids {
  private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
  private static final SecureRandom SECURE = new SecureRandom();

  private Ids() {}

  public static String next(String prefix, long epochMillis) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return format(prefix, epochMillis, r.nextLong(), r.nextInt());
  }

  public static String unguessable(String prefix, long epochMillis) {
    return format(prefix, epochMillis, SECURE.nextLong(), SECURE.nextInt());
  }

  private static String format(String prefix, long millis, long random64, int random16) {
    char[] out = new char[26];
    long time = millis;
    for (int i = 9; i >= 0; i--) {
      out[i] = ALPHABET[(int) (time & 31)];
      time >>>= 5;
    }
    long hi = random16 & 0xFFFF;
    long lo = random64;
    // 80 random bits: 16 from hi, 64 from lo; 16 characters of 5 bits
    for (int i = 25; i >= 10; i--) {
      out[i] = ALPHABET[(int) (lo & 31)];
      lo = (lo >>> 5) | ((hi & 31) << 59);
      hi >>>= 5;
    }
    return prefix + new String(out);
  }
}
