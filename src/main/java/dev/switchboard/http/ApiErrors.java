package dev.switchboard.http;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/**
 * Writes every error the HTTP servers return as JSON: {@code {"error": code, "message": text,
 * "problems": [...]}}. Installed as the routers' failure handler, so handlers just fail the
 * context with an {@link ApiException} (or a status code).
 */
public final class ApiErrors {

  private static final Logger LOG = System.getLogger(ApiErrors.class.getName());

  private ApiErrors() {
  }

  /** The failure handler for a router. */
  public static void handle(RoutingContext ctx) {
    HttpServerResponse response = ctx.response();
    if (response.ended() || response.closed()) {
      return;
    }
    Throwable failure = ctx.failure();
    ApiException error;
    if (failure instanceof ApiException api) {
      error = api;
    } else if (failure != null && ctx.statusCode() < 400) {
      LOG.log(Level.ERROR, "unexpected failure on " + ctx.request().method() + " " + ctx.request().path(), failure);
      error = new ApiException(500, "internal_error", "the gateway failed to handle this request; see its log");
    } else {
      error = forStatus(ctx.statusCode());
    }
    send(response, error);
  }

  /** Writes the error now. */
  public static void send(HttpServerResponse response, ApiException error) {
    if (error.retryAfter() != null) {
      response.putHeader("Retry-After", error.retryAfter());
    }
    response.setStatusCode(error.status())
        .putHeader("Content-Type", "application/json")
        .end(error.body().encode());
  }

  private static ApiException forStatus(int status) {
    switch (status) {
      case 400:
        return new ApiException(400, "bad_request", "the request is malformed");
      case 401:
        return new ApiException(401, "unauthorized", "a valid key is required");
      case 403:
        return new ApiException(403, "forbidden", "this key may not do that");
      case 404:
        return new ApiException(404, "not_found", "no such resource");
      case 405:
        return new ApiException(405, "method_not_allowed", "that method is not allowed here");
      case 413:
        return new ApiException(413, "payload_too_large", "the request body is larger than http.max_body_bytes");
      case 415:
        return new ApiException(415, "unsupported_media_type", "that content type is not accepted here");
      default:
        return new ApiException(status, status >= 500 ? "internal_error" : "error",
            "the request failed with status " + status);
    }
  }

  /** A small JSON body for success replies. */
  public static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }
}
