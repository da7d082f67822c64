package dev.switchboard.http;

import dev.switchboard.bus.Addresses;
import dev.switchboard.bus.Codecs;
import dev.switchboard.fanout.DeliveryApi;
import dev.switchboard.ingest.http.HttpIngest;
import dev.switchboard.intake.Intake;
import dev.switchboard.ops.MetricsApi;
import dev.switchboard.subscription.SubscriptionApi;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The HTTP API port: event ingest ({@code POST /v1/events}), accounts, keys and subscriptions
 * ({@code /v1/accounts}, {@code /v1/keys}, {@code /v1/subscriptions}, {@code /v1/event-types}),
 * {@code GET /metrics}, {@code GET /health} and {@code GET /ready}. Each capability contributes its
 * routes; this verticle owns the server and turns every failure into a JSON error.
 */
public final class ApiServerVerticle extends VerticleBase {

  private HttpServer server;

  @Override
  public Future<?> start() {
    Codecs.register(vertx);
    JsonObject config = config();
    JsonObject http = config.getJsonObject("http");
    Intake intake = new Intake(vertx, config.getJsonObject("intake").getLong("timeout_ms"));

    Router router = Router.router(vertx);
    router.get("/health").handler(ctx -> ApiErrors.json(ctx, 200, new JsonObject().put("status", "up")));
    router.get("/ready").handler(this::ready);
    new HttpIngest(intake, config).mount(router);
    new DeliveryApi(vertx).mount(router);
    new MetricsApi(vertx).mount(router);
    new SubscriptionApi(vertx, config).mount(router);
    router.route().last().handler(ctx -> ctx.fail(new ApiException(404, "not_found",
        "no such resource: " + ctx.request().method() + " " + ctx.request().path())));
    router.route().failureHandler(ApiErrors::handle);

    HttpServerOptions options = new HttpServerOptions()
        .setHost(http.getString("host"))
        .setPort(http.getInteger("port"))
        .setCompressionSupported(true);
    return vertx.createHttpServer(options)
        .requestHandler(router)
        .listen()
        .onSuccess(listening -> server = listening);
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  /** The port the API listens on (useful when configured as 0). */
  public int port() {
    return server.actualPort();
  }

  private void ready(RoutingContext ctx) {
    vertx.eventBus().request(Addresses.INTAKE_READY, "ready?", new DeliveryOptions().setLocalOnly(true).setSendTimeout(2000))
        .onComplete(answer -> {
          String intake = answer.succeeded() ? "up" : "down";
          ApiErrors.json(ctx, answer.succeeded() ? 200 : 503, new JsonObject()
              .put("status", answer.succeeded() ? "ready" : "not_ready")
              .put("checks", new JsonObject().put("intake", intake)));
        });
  }
}
