package dev.tollgate.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/** Agent tokens: 256 random bits, shown once, stored only as a SHA-256 hash. */
public final class Tokens {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Tokens() {}

  /** A new token, {@code tg_} followed by 43 URL-safe characters. */
  public static String newToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return "tg_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Cloned for each hash: every request hashes its token, and a clone is cheaper than a lookup. */
  private static final MessageDigest SHA256;

  static {
    try {
      SHA256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** {@code sha256:<hex>} of the token: what the credential store keeps. */
  public static String hash(String token) {
    MessageDigest sha;
    try {
      sha = (MessageDigest) SHA256.clone();
    } catch (CloneNotSupportedException e) {
      try {
        sha = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException none) {
        throw new IllegalStateException("SHA-256 is part of every JDK", none);
      }
    }
    return "sha256:" + HexFormat.of().formatHex(sha.digest(token.getBytes(StandardCharsets.UTF_8)));
  }
}
