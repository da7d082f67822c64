package dev.switchboard.fanout;

import dev.switchboard.auth.Principal;
import dev.switchboard.auth.Secrets;
import dev.switchboard.bus.Addresses;
import dev.switchboard.event.Timestamps;
import dev.switchboard.http.ApiErrors;
import dev.switchboard.http.ApiException;
import dev.switchboard.subscription.Subscription;
import dev.switchboard.subscription.SubscriptionIndex;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Set;

/**
 * The delivery log and replay over REST: {@code GET /v1/subscriptions/{id}/attempts} and
 * {@code POST /v1/subscriptions/{id}/replay}. Authorizes like the rest of {@code /v1} (a key sees
 * its own account's subscriptions, the system key all), then asks the fan-out over the bus.
 */
public final class DeliveryApi {

  private static final int DEFAULT_LIMIT = 50;
  private static final int MAX_LIMIT = 500;
  private static final Set<String> OUTCOMES = Set.of("delivered", "retrying", "failed", "gone");

  private final Vertx vertx;
  private final DeliveryOptions options = new DeliveryOptions().setLocalOnly(true).setSendTimeout(10_000);

  /** @param vertx the API verticle's Vert.x */
  public DeliveryApi(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Adds the routes to the API router. */
  public void mount(Router router) {
    router.get("/v1/subscriptions/:id/attempts").handler(this::attempts);
    router.post("/v1/subscriptions/:id/replay").handler(BodyHandler.create(false).setBodyLimit(4096))
        .handler(this::replay);
  }

  private void attempts(RoutingContext ctx) {
    JsonObject command = new JsonObject().put("op", "attempts");
    try {
      String outcome = ctx.request().getParam("outcome");
      if (outcome != null && !OUTCOMES.contains(outcome)) {
        throw new ApiException(400, "invalid_query", "outcome must be one of " + OUTCOMES);
      }
      int limit = integer(ctx.request().getParam("limit"), "limit", DEFAULT_LIMIT);
      if (limit < 1 || limit > MAX_LIMIT) {
        throw new ApiException(400, "invalid_query", "limit must be from 1 to " + MAX_LIMIT);
      }
      String cursor = ctx.request().getParam("cursor");
      command.put("outcome", outcome).put("limit", limit)
          .put("before", cursor == null ? null : (long) integer(cursor, "cursor", 0));
    } catch (ApiException e) {
      ctx.fail(e);
      return;
    }
    authorized(ctx)
        .compose(subscription -> ask(command.put("subscription_id", subscription.id())))
        .onSuccess(reply -> {
          JsonArray data = reply.getJsonArray("data");
          for (int i = 0; i < data.size(); i++) {
            JsonObject attempt = data.getJsonObject(i);
            attempt.put("at", iso(attempt.getLong("at")));
            attempt.put("next_attempt_at", iso(attempt.getLong("next_attempt_at")));
          }
          JsonObject page = new JsonObject().put("data", data);
          if (data.size() == command.getInteger("limit")) {
            page.put("next_cursor", String.valueOf(data.getJsonObject(data.size() - 1).getLong("id")));
          }
          ApiErrors.json(ctx, 200, page);
        })
        .onFailure(ctx::fail);
  }

  private void replay(RoutingContext ctx) {
    long since;
    long until;
    try {
      JsonObject body = ctx.body().length() == 0 ? new JsonObject() : ctx.body().asJsonObject();
      for (String name : body.fieldNames()) {
        if (!name.equals("since") && !name.equals("until")) {
          throw new ApiException(400, "invalid_body", "unknown field '" + name + "'; replay takes since and until");
        }
      }
      if (body.getValue("since") == null) {
        throw new ApiException(400, "invalid_body", "since is required (ISO-8601 time or Unix seconds)");
      }
      since = time(body.getValue("since"), "since");
      until = body.getValue("until") == null ? Timestamps.nowMicros() : time(body.getValue("until"), "until");
      if (until <= since) {
        throw new ApiException(400, "invalid_body", "until must be after since");
      }
    } catch (ApiException e) {
      ctx.fail(e);
      return;
    } catch (RuntimeException e) {
      ctx.fail(new ApiException(400, "malformed_json", "the body must be a JSON object: " + e.getMessage()));
      return;
    }
    authorized(ctx)
        .compose(subscription -> ask(new JsonObject().put("op", "replay").put("subscription_id", subscription.id())
            .put("since", since).put("until", until)))
        .onSuccess(reply -> ApiErrors.json(ctx, 202, reply))
        .onFailure(ctx::fail);
  }

  private Future<Subscription> authorized(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    String key = Secrets.presentedKey(ctx.request(), "authkey");
    if (key == null) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      return Future.failedFuture(new ApiException(401, "unauthorized", "send 'Authorization: Bearer KEY'"));
    }
    return vertx.eventBus().<JsonObject>request(Addresses.AUTHENTICATE, key, options)
        .recover(failure -> Future.failedFuture(failure instanceof ReplyException reply && reply.failureCode() == 401
            ? new ApiException(401, "unauthorized", reply.getMessage())
            : new ApiException(503, "unavailable", "the subscription service did not answer", null, "1")))
        .compose(answer -> {
          JsonObject who = answer.body();
          Principal principal = new Principal(who.getString("account_id"), who.getBoolean("include_subaccounts"));
          SubscriptionIndex index = SubscriptionIndex.lookup(vertx);
          Subscription subscription = index == null ? null : index.find(id);
          if (subscription == null) {
            return Future.failedFuture(new ApiException(404, "not_found", "no subscription '" + id + "'"));
          }
          if (!index.covers(principal, subscription.accountId())) {
            return Future.failedFuture(new ApiException(403, "forbidden",
                "this key may not see subscription '" + id + "'"));
          }
          return Future.succeededFuture(subscription);
        });
  }

  private Future<JsonObject> ask(JsonObject command) {
    return vertx.eventBus().<JsonObject>request(Addresses.DELIVERY_API, command, options)
        .map(reply -> reply.body())
        .recover(failure -> Future.failedFuture(new ApiException(503, "unavailable",
            "the fan-out did not answer: " + failure.getMessage(), null, "1")));
  }

  private static int integer(String text, String name, int fallback) {
    if (text == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new ApiException(400, "invalid_query", name + " must be a whole number");
    }
  }

  /** An ISO-8601 time or Unix seconds, in microseconds. */
  private static long time(Object value, String name) {
    try {
      if (value instanceof String text && text.contains("T")) {
        return Timestamps.toMicros(Instant.parse(text));
      }
      return Timestamps.parse(value);
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw new ApiException(400, "invalid_body", name + " must be an ISO-8601 time or Unix seconds");
    }
  }

  private static String iso(Long millis) {
    return millis == null ? null : Instant.ofEpochMilli(millis).toString();
  }
}
