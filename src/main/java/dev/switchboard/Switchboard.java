package dev.switchboard;

import dev.switchboard.bus.Codecs;
import dev.switchboard.fanout.FanoutVerticle;
import dev.switchboard.http.ApiServerVerticle;
import dev.switchboard.ingest.hep.HepCollectorVerticle;
import dev.switchboard.ingest.jsonrpc.DatagramVerticle;
import dev.switchboard.ingest.jsonrpc.EvapiClientVerticle;
import dev.switchboard.ingest.jsonrpc.JsonRpcServerVerticle;
import dev.switchboard.intake.IntakeVerticle;
import dev.switchboard.subscription.SubscriptionIndex;
import dev.switchboard.subscription.SubscriptionVerticle;
import dev.switchboard.websocket.WebSocketFeedVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Properties;

/**
 * One running gateway node: deploys its verticles in dependency order and stops them in reverse,
 * so that on shutdown the node first stops accepting, then finishes what it accepted, then says
 * goodbye to its websocket clients. Tests start it the same way {@link Main} does.
 */
public final class Switchboard {

  private final Vertx vertx;
  private final Deque<String> deployments = new ArrayDeque<>();
  private final SubscriptionVerticle subscriptions = new SubscriptionVerticle();
  private FanoutVerticle fanout;
  private final IntakeVerticle intake = new IntakeVerticle();
  private final HepCollectorVerticle hep = new HepCollectorVerticle();
  private final DatagramVerticle datagram = new DatagramVerticle();
  private final JsonRpcServerVerticle jsonRpc = new JsonRpcServerVerticle();
  private final EvapiClientVerticle evapi = new EvapiClientVerticle();
  private final WebSocketFeedVerticle websocket = new WebSocketFeedVerticle();
  private final ApiServerVerticle api = new ApiServerVerticle();

  private Switchboard(Vertx vertx) {
    this.vertx = vertx;
  }

  /**
   * Starts a node.
   *
   * @param config a complete, validated configuration (see {@code conf/switchboard.json}) with
   *     {@code node_id}, {@code authkey} and {@code ingest.key} set
   */
  public static Future<Switchboard> start(Vertx vertx, JsonObject config) {
    Codecs.register(vertx);
    Switchboard node = new Switchboard(vertx);
    node.fanout = new FanoutVerticle(config);
    // The softswitch adapters come right after intake, so that they stop before it and hand over
    // what they still hold (reorder window, queued events) while intake is still there.
    return node.deploy(node.subscriptions, config)
        .compose(ignored -> node.deploy(node.fanout, new JsonObject()))
        .compose(ignored -> node.deploy(node.intake, config))
        .compose(ignored -> node.deploy(node.hep, config))
        .compose(ignored -> node.deploy(node.datagram, config))
        .compose(ignored -> node.deploy(node.jsonRpc, config))
        .compose(ignored -> node.deploy(node.evapi, config))
        .compose(ignored -> node.deploy(node.websocket, config))
        .compose(ignored -> node.deploy(node.api, config))
        .map(node)
        .recover(failure -> node.stop().transform(ignored -> Future.failedFuture(failure)));
  }

  /** Stops the node's verticles, last deployed first. Vert.x itself stays up. */
  public Future<Void> stop() {
    if (deployments.isEmpty()) {
      return Future.succeededFuture();
    }
    return vertx.undeploy(deployments.pop()).eventually(this::stop);
  }

  /** The HTTP API's port. */
  public int httpPort() {
    return api.port();
  }

  /** The websocket feed's port. */
  public int websocketPort() {
    return websocket.port();
  }

  /** This node's subscription match index. */
  public SubscriptionIndex subscriptionIndex() {
    return subscriptions.index();
  }

  /** The HEP collector (its port is 0 when it is off). */
  public HepCollectorVerticle hep() {
    return hep;
  }

  /** The UDP JSON datagram listener (its port is 0 when it is off). */
  public DatagramVerticle datagram() {
    return datagram;
  }

  /** The JSON-RPC TCP listener (its port is 0 when it is off). */
  public JsonRpcServerVerticle jsonRpc() {
    return jsonRpc;
  }

  /** The Kamailio evapi client. */
  public EvapiClientVerticle evapi() {
    return evapi;
  }

  /** The Switchboard version, from the build. */
  public static String version() {
    try (InputStream in = Switchboard.class.getResourceAsStream("version.properties")) {
      Properties properties = new Properties();
      if (in != null) {
        properties.load(in);
      }
      return properties.getProperty("version", "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Future<String> deploy(VerticleBase verticle, JsonObject config) {
    return vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(config))
        .onSuccess(deployments::push);
  }
}
