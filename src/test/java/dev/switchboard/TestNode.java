package dev.switchboard;

import static dev.switchboard.TestHttp.await;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;

/** A running node on its own Vert.x instance, with a client for its HTTP API; close it to stop both. */
public final class TestNode implements AutoCloseable {

  public final Vertx vertx;
  public final Switchboard node;
  public final TestHttp http;

  private TestNode(Vertx vertx, Switchboard node) {
    this.vertx = vertx;
    this.node = node;
    this.http = new TestHttp(vertx, node.httpPort());
  }

  /** Starts a node with {@link TestConfig#create} on this data directory. */
  public static TestNode start(Path dataDir) {
    return start(TestConfig.create(dataDir));
  }

  /** Starts a node with this configuration. */
  public static TestNode start(JsonObject config) {
    Vertx vertx = Vertx.vertx();
    try {
      return new TestNode(vertx, await(Switchboard.start(vertx, config)));
    } catch (AssertionError e) {
      await(vertx.close());
      throw e;
    }
  }

  @Override
  public void close() {
    http.close();
    await(node.stop());
    await(vertx.close());
  }
}
