package dev.switchboard.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A request the API refuses, with the status, a short machine-readable {@code error} code, a
 * sentence for people, and optionally one entry per problem. Fail the routing context with it;
 * {@link ApiErrors} writes the JSON body.
 */
public final class ApiException extends RuntimeException {

  private final int status;
  private final String error;
  private final JsonArray problems;
  private final String retryAfter;

  /** An error without itemized problems. */
  public ApiException(int status, String error, String message) {
    this(status, error, message, null, null);
  }

  /**
   * @param problems one object per problem (e.g. {@code {"field": "class", "message": "class is missing"}}), or {@code null}
   * @param retryAfter the {@code Retry-After} header's value, or {@code null}
   */
  public ApiException(int status, String error, String message, JsonArray problems, String retryAfter) {
    super(message, null, false, false);
    this.status = status;
    this.error = error;
    this.problems = problems;
    this.retryAfter = retryAfter;
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }

  /** The JSON body. */
  public JsonObject body() {
    JsonObject body = new JsonObject().put("error", error).put("message", getMessage());
    if (problems != null) {
      body.put("problems", problems);
    }
    return body;
  }

  /** The {@code Retry-After} value, or {@code null}. */
  public String retryAfter() {
    return retryAfter;
  }
}
