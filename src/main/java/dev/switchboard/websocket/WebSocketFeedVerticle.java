package dev.switchboard.websocket;

import dev.switchboard.auth.Principal;
import dev.switchboard.auth.Secrets;
import dev.switchboard.bus.Addresses;
import dev.switchboard.bus.Codecs;
import dev.switchboard.event.Bindings;
import dev.switchboard.event.Event;
import dev.switchboard.http.ApiErrors;
import dev.switchboard.http.ApiException;
import dev.switchboard.subscription.SubscriptionIndex;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The live feed: {@code ws://HOST:4875/events/websocket/?authkey=KEY[&bindings=call.*,message.*]}.
 * The key is the system key (every event) or an account key (that account's events, and its
 * sub-accounts' when the key includes them). Every accepted event on any node is sent to every
 * client whose key may see it and whose bindings match, as one text frame holding the event's JSON. A client that reads too slowly has
 * events dropped (counted, and announced to it by a {@code system.events_dropped} frame once it
 * catches up) instead of slowing the gateway or other clients.
 *
 * <p>Config: {@code authkey}, {@code websocket.*}.
 */
public final class WebSocketFeedVerticle extends VerticleBase {

  /** The feed's path (with or without the trailing slash). */
  public static final String PATH = "/events/websocket/";

  private static final Logger LOG = System.getLogger(WebSocketFeedVerticle.class.getName());
  private static final short GOING_AWAY = 1001;
  private static final DeliveryOptions AUTHENTICATE_OPTIONS = new DeliveryOptions().setLocalOnly(true).setSendTimeout(5_000);

  private final Set<FeedConnection> connections = new LinkedHashSet<>();
  private HttpServer server;
  private MessageConsumer<Event> events;
  private String systemKey;
  private FeedConnection.Scope scope;
  private int maxBufferedBytes;
  private long droppedByClosedConnections;

  @Override
  public Future<?> start() {
    Codecs.register(vertx);
    JsonObject settings = config().getJsonObject("websocket");
    systemKey = config().getString("authkey");
    maxBufferedBytes = settings.getInteger("max_buffered_bytes");
    SubscriptionIndex index = SubscriptionIndex.lookup(vertx);
    scope = index == null ? FeedConnection.Scope.OWN_ACCOUNT_ONLY : index::covers;

    Router router = Router.router(vertx);
    router.get(PATH).handler(this::upgrade);
    router.get(PATH.substring(0, PATH.length() - 1)).handler(this::upgrade);
    router.route().last().handler(ctx -> ctx.fail(new ApiException(404, "not_found",
        "the feed is at " + PATH + "?authkey=KEY")));
    router.route().failureHandler(ApiErrors::handle);

    events = vertx.eventBus().consumer(Addresses.EVENTS, message -> dispatch(message.body()));
    HttpServerOptions options = new HttpServerOptions()
        .setHost(settings.getString("host"))
        .setPort(settings.getInteger("port"))
        .setMaxWebSocketFrameSize(settings.getInteger("max_frame_bytes"))
        .setMaxWebSocketMessageSize(settings.getInteger("max_frame_bytes"));
    return events.completion()
        .compose(registered -> vertx.createHttpServer(options).requestHandler(router).listen())
        .onSuccess(listening -> server = listening);
  }

  @Override
  public Future<?> stop() {
    List<Future<Void>> closing = new ArrayList<>();
    for (FeedConnection connection : List.copyOf(connections)) {
      closing.add(connection.socket().close(GOING_AWAY, "server shutting down"));
    }
    return Future.join(closing)
        .eventually(() -> events == null ? Future.succeededFuture() : events.unregister())
        .eventually(() -> server == null ? Future.succeededFuture() : server.close());
  }

  /** The port the feed listens on (useful when configured as 0). */
  public int port() {
    return server.actualPort();
  }

  /** Events dropped for slow clients since start. */
  public long droppedEvents() {
    long total = droppedByClosedConnections;
    for (FeedConnection connection : connections) {
      total += connection.dropped();
    }
    return total;
  }

  private void upgrade(RoutingContext ctx) {
    ctx.request().pause();
    authenticate(Secrets.presentedKey(ctx.request(), "authkey")).onComplete(found -> {
      ctx.request().resume();
      if (found.failed()) {
        ctx.fail(new ApiException(401, "unauthorized", "the authkey is missing or wrong: connect to "
            + PATH + "?authkey=KEY"));
      } else {
        accept(ctx, found.result());
      }
    });
  }

  private void accept(RoutingContext ctx, Principal principal) {
    Bindings bindings;
    try {
      bindings = Bindings.parseList(ctx.request().getParam("bindings"));
    } catch (IllegalArgumentException e) {
      ctx.fail(new ApiException(400, "invalid_binding", e.getMessage()));
      return;
    }
    String upgrade = ctx.request().getHeader(HttpHeaders.UPGRADE);
    if (upgrade == null || !upgrade.equalsIgnoreCase("websocket")) {
      ctx.fail(new ApiException(400, "websocket_required", "this endpoint speaks websocket only"));
      return;
    }
    ctx.request().toWebSocket().onSuccess(socket -> open(socket, principal, bindings))
        .onFailure(failure -> LOG.log(Level.DEBUG, "websocket upgrade failed: " + failure.getMessage()));
  }

  /** The system key, or an account key known to the subscription verticle. */
  private Future<Principal> authenticate(String key) {
    if (key == null) {
      return Future.failedFuture("no key");
    }
    if (Secrets.matches(key, systemKey)) {
      return Future.succeededFuture(Principal.SYSTEM);
    }
    return vertx.eventBus().<JsonObject>request(Addresses.AUTHENTICATE, key, AUTHENTICATE_OPTIONS)
        .map(reply -> {
          JsonObject body = reply.body();
          String account = body.getString("account_id");
          return account == null ? Principal.SYSTEM : new Principal(account, body.getBoolean("include_subaccounts"));
        });
  }

  private void open(ServerWebSocket socket, Principal principal, Bindings bindings) {
    socket.setWriteQueueMaxSize(maxBufferedBytes);
    FeedConnection connection = new FeedConnection(socket, principal, bindings, scope);
    connections.add(connection);
    socket.closeHandler(closed -> {
      connections.remove(connection);
      droppedByClosedConnections += connection.dropped();
      if (connection.dropped() > 0) {
        LOG.log(Level.INFO, "websocket client " + socket.remoteAddress() + " closed after "
            + connection.dropped() + " events were dropped for reading too slowly");
      }
    });
    socket.exceptionHandler(failure -> LOG.log(Level.DEBUG, "websocket " + socket.remoteAddress() + ": " + failure.getMessage()));
    socket.textMessageHandler(ignored -> {
    });
  }

  private void dispatch(Event event) {
    for (FeedConnection connection : connections) {
      if (connection.wants(event)) {
        connection.offer(event);
      }
    }
  }
}
