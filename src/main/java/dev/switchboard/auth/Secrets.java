package dev.switchboard.auth;

import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/** Small helpers for keys: generating them, comparing them without timing leaks, finding them in a request. */
public final class Secrets {

  private static final SecureRandom RANDOM = new SecureRandom();

  private Secrets() {
  }

  /** A new random key: 32 bytes, URL-safe base64 without padding, after the given prefix. */
  public static String newKey(String prefix) {
    return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(32));
  }

  /** Bytes from a cryptographically strong generator. */
  public static byte[] randomBytes(int count) {
    byte[] bytes = new byte[count];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  /** Compares in time independent of where the two differ; {@code false} when either is missing. */
  public static boolean matches(String given, String expected) {
    if (given == null || expected == null || expected.isEmpty()) {
      return false;
    }
    return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The key a request carries: {@code Authorization: Bearer KEY}, else the named query parameter.
   *
   * @return the key, or {@code null} when there is none
   */
  public static String presentedKey(HttpServerRequest request, String queryParameter) {
    String authorization = request.getHeader("Authorization");
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      String token = authorization.substring(7).trim();
      if (!token.isEmpty()) {
        return token;
      }
    }
    String fromQuery = request.getParam(queryParameter);
    return fromQuery == null || fromQuery.isEmpty() ? null : fromQuery;
  }
}
