package dev.switchboard.webhook;

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

  private WebhookSignature() {
  }

  /** The {@code webhook-signature} header's value for one secret. */
  public static String sign(String secret, String id, long timestampSeconds, String body) {
    byte[] key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] signature = mac.doFinal((id + "." + timestampSeconds + "." + body).getBytes(StandardCharsets.UTF_8));
      return "v1," + Base64.getEncoder().encodeToString(signature);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }
}
