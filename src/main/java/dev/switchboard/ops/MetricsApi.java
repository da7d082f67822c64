package dev.switchboard.ops;

import dev.switchboard.auth.Secrets;
import dev.switchboard.bus.Addresses;
import dev.switchboard.http.ApiException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /metrics}: the node's webhook fan-out in the Prometheus text format, for the system
 * key only (a scraper sends it as a bearer token). The numbers come from the fan-out over the bus.
 */
public final class MetricsApi {

  private final Vertx vertx;
  private final DeliveryOptions options = new DeliveryOptions().setLocalOnly(true).setSendTimeout(10_000);

  /** @param vertx the API verticle's Vert.x */
  public MetricsApi(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Adds the route to the API router. */
  public void mount(Router router) {
    router.get("/metrics").handler(this::metrics);
  }

  private void metrics(RoutingContext ctx) {
    String key = Secrets.presentedKey(ctx.request(), "authkey");
    if (key == null) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      ctx.fail(new ApiException(401, "unauthorized", "send 'Authorization: Bearer KEY' with the system authkey"));
      return;
    }
    vertx.eventBus().<JsonObject>request(Addresses.AUTHENTICATE, key, options)
        .recover(failure -> Future.failedFuture(failure instanceof ReplyException reply && reply.failureCode() == 401
            ? new ApiException(401, "unauthorized", reply.getMessage())
            : new ApiException(503, "unavailable", "the subscription service did not answer", null, "1")))
        .compose(who -> who.body().getString("account_id") != null
            ? Future.failedFuture(new ApiException(403, "forbidden", "metrics are for the system authkey only"))
            : vertx.eventBus().<JsonObject>request(Addresses.DELIVERY_API, new JsonObject().put("op", "metrics"), options)
                .recover(failure -> Future.failedFuture(new ApiException(503, "unavailable",
                    "the fan-out did not answer: " + failure.getMessage(), null, "1"))))
        .onSuccess(reply -> ctx.response()
            .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
            .end(render(reply.body())))
        .onFailure(ctx::fail);
  }

  static String render(JsonObject fanout) {
    StringBuilder text = new StringBuilder();
    gauge(text, "switchboard_outbox_bytes", "Bytes the webhook outbox holds on disk.",
        fanout.getLong("outbox_bytes"));
    gauge(text, "switchboard_outbox_limit_bytes",
        "fanout.max_outbox_bytes: at this size ingest answers 503 until deliveries drain.",
        fanout.getLong("outbox_limit_bytes"));
    counter(text, "switchboard_fanout_journaled_total", "Deliveries journaled in the outbox since start.",
        fanout.getLong("journaled"));
    text.append("# HELP switchboard_fanout_attempts_total Webhook attempts since start, by outcome.\n")
        .append("# TYPE switchboard_fanout_attempts_total counter\n");
    JsonObject attempts = fanout.getJsonObject("attempts");
    for (String outcome : attempts.fieldNames()) {
      text.append("switchboard_fanout_attempts_total{outcome=\"").append(outcome).append("\"} ")
          .append(attempts.getLong(outcome)).append('\n');
    }
    gauge(text, "switchboard_fanout_held", "Pending deliveries held in memory (the rest wait in the outbox).",
        fanout.getLong("held"));
    gauge(text, "switchboard_fanout_parked", "Deliveries held in memory waiting for a retry.",
        fanout.getLong("parked"));
    gauge(text, "switchboard_fanout_in_flight", "Webhook requests in flight.", fanout.getLong("in_flight"));
    gauge(text, "switchboard_fanout_subscriptions_pending", "Subscriptions with deliveries pending.",
        fanout.getLong("queues"));
    return text.toString();
  }

  private static void gauge(StringBuilder text, String name, String help, long value) {
    metric(text, name, help, "gauge", value);
  }

  private static void counter(StringBuilder text, String name, String help, long value) {
    metric(text, name, help, "counter", value);
  }

  private static void metric(StringBuilder text, String name, String help, String type, long value) {
    text.append("# HELP ").append(name).append(' ').append(help).append('\n')
        .append("# TYPE ").append(name).append(' ').append(type).append('\n')
        .append(name).append(' ').append(value).append('\n');
  }
}
