package dev.switchboard.subscription;

import dev.switchboard.auth.Secrets;
import dev.switchboard.bus.Addresses;
import dev.switchboard.http.ApiException;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Locale;

/**
 * The {@code /v1} REST routes for accounts, keys, subscriptions and the event-type catalogue. A
 * thin adapter: each request becomes one command to {@link SubscriptionVerticle} over the event
 * bus (which authenticates, validates and answers), and the answer becomes the HTTP response.
 */
public final class SubscriptionApi {

  private static final String JSON = "application/json";

  private final Vertx vertx;
  private final long maxBodyBytes;
  private final DeliveryOptions options;

  /** @param config the whole gateway configuration ({@code http.max_body_bytes}, {@code subscriptions.*}) */
  public SubscriptionApi(Vertx vertx, JsonObject config) {
    this.vertx = vertx;
    this.maxBodyBytes = config.getJsonObject("http").getLong("max_body_bytes");
    long testTimeout = config.getJsonObject("subscriptions").getLong("test_timeout_ms");
    this.options = new DeliveryOptions().setLocalOnly(true).setSendTimeout(testTimeout + 10_000);
  }

  /** Adds the routes to the API router. */
  public void mount(Router router) {
    router.get("/v1/event-types").handler(ctx -> forward(ctx, "event_types.list"));
    resource(router, "accounts");
    resource(router, "keys");
    resource(router, "subscriptions");
    router.post("/v1/subscriptions/:id/test").handler(ctx -> forward(ctx, "subscriptions.test"));
  }

  private void resource(Router router, String name) {
    String collection = "/v1/" + name;
    String one = collection + "/:id";
    BodyHandler body = BodyHandler.create(false).setBodyLimit(maxBodyBytes);
    router.get(collection).handler(ctx -> forward(ctx, name + ".list"));
    // The content type is checked on its own route, before the body is read.
    router.post(collection).handler(this::requireJson);
    router.post(collection).handler(body).handler(ctx -> forward(ctx, name + ".create"));
    router.get(one).handler(ctx -> forward(ctx, name + ".get"));
    router.patch(one).handler(this::requireJson);
    router.patch(one).handler(body).handler(ctx -> forward(ctx, name + ".update"));
    router.delete(one).handler(ctx -> forward(ctx, name + ".delete"));
  }

  private void requireJson(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    String media = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!media.equals(JSON) && !media.equals("application/merge-patch+json")) {
      ctx.fail(new ApiException(415, "unsupported_media_type", "Content-Type must be application/json"));
      return;
    }
    ctx.next();
  }

  private void forward(RoutingContext ctx, String op) {
    JsonObject query = new JsonObject();
    ctx.queryParams().forEach((name, value) -> query.put(name, value));
    JsonObject command = new JsonObject()
        .put("op", op)
        .put("key", Secrets.presentedKey(ctx.request(), "authkey"))
        .put("id", ctx.pathParam("id"))
        .put("query", query)
        .put("if_match", ctx.request().getHeader("If-Match"));
    if (ctx.request().method() == HttpMethod.POST || ctx.request().method() == HttpMethod.PATCH) {
      command.put("body", ctx.body() == null || ctx.body().buffer() == null ? null : ctx.body().asString("UTF-8"));
    }
    vertx.eventBus().<JsonObject>request(Addresses.SUBSCRIPTION_API, command, options).onComplete(answer -> {
      if (answer.failed()) {
        ctx.fail(new ApiException(503, "unavailable", "the subscription service did not answer: "
            + answer.cause().getMessage(), null, "1"));
        return;
      }
      JsonObject reply = answer.result().body();
      int status = reply.getInteger("status");
      if (status == 401) {
        ctx.response().putHeader("WWW-Authenticate", "Bearer");
      }
      if (reply.getString("etag") != null) {
        ctx.response().putHeader("ETag", reply.getString("etag"));
      }
      ctx.response().setStatusCode(status);
      JsonObject body = reply.getJsonObject("body");
      if (body == null) {
        ctx.response().end();
      } else {
        ctx.response().putHeader("Content-Type", JSON).end(body.encode());
      }
    });
  }
}
