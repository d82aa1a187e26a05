package dev.tollgate.store.jdbc.audit;

import dev.tollgate.api.store.Checkpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;

/**
 * The server's Ed25519 checkpoint key: created at first start, kept as two files in a directory,
 * both created owner read/write only where the file system allows it ({@value #PRIVATE_FILE},
 * PKCS#8 DER; and {@value #PUBLIC_FILE}, X.509 DER, which {@code tollgate audit verify} needs and
 * nothing else: not a secret, but it lives among secrets, in a directory kept owner-only).
 */
public final class AuditSigner {

  public static final String PRIVATE_FILE = "audit-key.pk8";
  public static final String PUBLIC_FILE = "audit-key.pub";

  private final PrivateKey privateKey;
  private final PublicKey publicKey;
  private final String keyId;

  private AuditSigner(PrivateKey privateKey, PublicKey publicKey) {
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    this.keyId = keyId(publicKey);
  }

  /** A fresh key pair, kept in memory only (for tests and tools). */
  public static AuditSigner generate() {
    try {
      KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      return new AuditSigner(pair.getPrivate(), pair.getPublic());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no Ed25519", e);
    }
  }

  /** Loads the key pair from {@code dir}, creating and saving a new one if there is none. */
  public static AuditSigner loadOrCreate(Path dir) {
    Path priv = dir.resolve(PRIVATE_FILE);
    Path pub = dir.resolve(PUBLIC_FILE);
    try {
      Files.createDirectories(dir);
      if (!Files.exists(priv)) {
        AuditSigner created = generate();
        try {
          writeOwnerOnly(priv, created.privateKey.getEncoded());
        } catch (FileAlreadyExistsException raced) {
          return load(priv, pub);
        }
        Files.deleteIfExists(pub);
        writeOwnerOnly(pub, created.publicKey.getEncoded());
        return created;
      }
      return load(priv, pub);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the audit key in " + dir, e);
    }
  }

  private static AuditSigner load(Path priv, Path pub) throws IOException {
    try {
      KeyFactory kf = KeyFactory.getInstance("Ed25519");
      PrivateKey privateKey = kf.generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(priv)));
      PublicKey publicKey;
      if (Files.exists(pub)) {
        publicKey = readPublicKey(pub);
      } else {
        throw new IOException(pub + " is missing (restore it from a backup: verify needs it)");
      }
      AuditSigner signer = new AuditSigner(privateKey, publicKey);
      Checkpoint probe = signer.sign(0, AuditChain.GENESIS, Instant.EPOCH);
      if (!verify(probe, publicKey)) {
        throw new IOException(pub + " does not belong to " + priv);
      }
      return signer;
    } catch (GeneralSecurityException e) {
      throw new IOException("not an Ed25519 key: " + priv, e);
    }
  }

  private static void writeOwnerOnly(Path file, byte[] bytes) throws IOException {
    try {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException notPosix) {
      Files.createFile(file);
    }
    Files.write(file, bytes, StandardOpenOption.TRUNCATE_EXISTING);
  }

  /** Reads a public key written as {@value #PUBLIC_FILE}. */
  public static PublicKey readPublicKey(Path file) throws IOException {
    try {
      return KeyFactory.getInstance("Ed25519")
          .generatePublic(new X509EncodedKeySpec(Files.readAllBytes(file)));
    } catch (GeneralSecurityException e) {
      throw new IOException("not an Ed25519 public key: " + file, e);
    }
  }

  /** {@code sha256:<hex>} of the X.509 encoding of a public key. */
  public static String keyId(PublicKey publicKey) {
    return AuditChain.sha256(publicKey.getEncoded());
  }

  public PublicKey publicKey() {
    return publicKey;
  }

  public String keyId() {
    return keyId;
  }

  /** A checkpoint stating that the chain reached {@code seq} with {@code hash} at {@code time}. */
  public Checkpoint sign(long seq, String hash, Instant time) {
    Checkpoint unsigned = new Checkpoint(seq, hash, time, keyId, "");
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(privateKey);
      s.update(AuditChain.canonicalCheckpoint(unsigned).getBytes(StandardCharsets.UTF_8));
      return new Checkpoint(seq, hash, time, keyId, Base64.getEncoder().encodeToString(s.sign()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign a checkpoint", e);
    }
  }

  /** Whether a checkpoint was signed by the key matching {@code publicKey}. */
  public static boolean verify(Checkpoint checkpoint, PublicKey publicKey) {
    String time;
    try {
      time = AuditChain.time(checkpoint.time());
    } catch (IllegalArgumentException outOfRange) {
      return false;
    }
    return verify(
        checkpoint.seq(),
        checkpoint.hash(),
        time,
        checkpoint.keyId(),
        checkpoint.signature(),
        publicKey);
  }

  /**
   * Whether a checkpoint as stored, its time as text, was signed by the key matching {@code
   * publicKey}: the text itself is what must have been signed, not another spelling of its instant.
   */
  static boolean verify(
      long seq, String hash, String time, String keyId, String signature, PublicKey publicKey) {
    if (!keyId(publicKey).equals(keyId)) {
      return false;
    }
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(publicKey);
      s.update(AuditChain.canonicalCheckpoint(seq, hash, time).getBytes(StandardCharsets.UTF_8));
      return s.verify(Base64.getDecoder().decode(signature));
    } catch (IllegalArgumentException | SignatureException | InvalidKeyException e) {
      return false;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no Ed25519", e);
    }
  }
}
