package dev.switchboard;

import static dev.switchboard.TestHttp.await;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;

/**
 * A running node for a test, with a client for its HTTP API and, on demand, a websocket client on
 * its feed with the system key; close it to stop them (and the Vert.x instance, when it made one).
 */
public final class TestNode implements AutoCloseable {

  public final Vertx vertx;
  public final Switchboard node;
  public final TestHttp http;
  private final boolean ownsVertx;
  private FeedClient feed;

  private TestNode(Vertx vertx, Switchboard node, boolean ownsVertx) {
    this.vertx = vertx;
    this.node = node;
    this.http = new TestHttp(vertx, node.httpPort());
    this.ownsVertx = ownsVertx;
  }

  /** Starts a node with {@link TestConfig#create} on this data directory, on a Vert.x of its own. */
  public static TestNode start(Path dataDir) {
    return start(TestConfig.create(dataDir));
  }

  /** Starts a node with this configuration, on a Vert.x of its own. */
  public static TestNode start(JsonObject config) {
    Vertx vertx = Vertx.vertx();
    try {
      return new TestNode(vertx, await(Switchboard.start(vertx, config)), true);
    } catch (AssertionError e) {
      await(vertx.close());
      throw e;
    }
  }

  /** Starts a node with this configuration on the test's Vert.x, which closing leaves running. */
  public static TestNode start(Vertx vertx, JsonObject config) {
    return new TestNode(vertx, await(Switchboard.start(vertx, config)), false);
  }

  /** The system key's websocket feed, connected at the first call. */
  public FeedClient feed() {
    if (feed == null) {
      feed = FeedClient.open(vertx, node.websocketPort(), TestConfig.AUTHKEY);
    }
    return feed;
  }

  @Override
  public void close() {
    try {
      if (feed != null) {
        feed.close();
      }
      http.close();
    } finally {
      await(node.stop());
      if (ownsVertx) {
        await(vertx.close());
      }
    }
  }
}
