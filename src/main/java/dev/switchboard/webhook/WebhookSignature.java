package dev.switchboard.webhook;

import dev.switchboard.auth.Secrets;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks signatures: {@code v1,} and the base64 HMAC-SHA256 of
 * {@code id.timestamp.body}, keyed with the base64 part of a {@code whsec_} secret.
 */
public final class WebhookSignature {

  /** Looking up a {@code Mac} walks the security providers; each thread keeps one and re-keys it. */
  private static final ThreadLocal<Mac> MACS = ThreadLocal.withInitial(() -> {
    try {
      return Mac.getInstance("HmacSHA256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  });

  private WebhookSignature() {
  }

  /** The prefix of every webhook secret; standard base64 of the key bytes follows. */
  public static final String PREFIX = "whsec_";

  /** A new secret: {@code whsec_} and 32 random bytes in standard base64. */
  public static String newSecret() {
    return PREFIX + Base64.getEncoder().encodeToString(Secrets.randomBytes(32));
  }

  /**
   * The key bytes of a secret.
   *
   * @throws IllegalArgumentException when it is not {@code whsec_} and standard base64
   */
  public static byte[] key(String secret) {
    if (secret == null || !secret.startsWith(PREFIX)) {
      throw new IllegalArgumentException("a webhook secret starts with " + PREFIX);
    }
    return Base64.getDecoder().decode(secret.substring(PREFIX.length()));
  }

  /** The {@code webhook-signature} header's value for one secret. */
  public static String sign(String secret, String id, long timestampSeconds, String body) {
    return "v1," + Base64.getEncoder().encodeToString(hmac(key(secret), id + "." + timestampSeconds + "." + body));
  }

  /** HMAC-SHA256 of the text's UTF-8 bytes. */
  public static byte[] hmac(byte[] key, String text) {
    try {
      Mac mac = MACS.get();
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }
}
