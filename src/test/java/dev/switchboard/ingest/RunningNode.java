package dev.switchboard.ingest;

import static dev.switchboard.Await.result;

import dev.switchboard.FeedClient;
import dev.switchboard.Switchboard;
import dev.switchboard.TestConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Random;

/** A node started for a test with a websocket client on its feed; closing stops both. */
public final class RunningNode implements AutoCloseable {

  private final Switchboard node;
  private final FeedClient feed;

  private RunningNode(Switchboard node, FeedClient feed) {
    this.node = node;
    this.feed = feed;
  }

  /** Starts a node with this configuration and connects a feed client. */
  public static RunningNode start(Vertx vertx, JsonObject config) throws Exception {
    Switchboard node = result(Switchboard.start(vertx, config));
    try {
      return new RunningNode(node, FeedClient.open(vertx, node.websocketPort(), TestConfig.AUTHKEY));
    } catch (Exception e) {
      result(node.stop());
      throw e;
    }
  }

  public Switchboard node() {
    return node;
  }

  public FeedClient feed() {
    return feed;
  }

  /** Writes bytes to a stream in pieces of random sizes, as TCP may deliver them. */
  public static void writeInPieces(OutputStream out, byte[] bytes, long seed, int maxPiece) throws IOException {
    Random random = new Random(seed);
    for (int at = 0; at < bytes.length; ) {
      int piece = Math.min(bytes.length - at, 1 + random.nextInt(maxPiece));
      out.write(bytes, at, piece);
      out.flush();
      at += piece;
    }
  }

  @Override
  public void close() throws java.util.concurrent.ExecutionException, java.util.concurrent.TimeoutException {
    try {
      feed.close();
    } finally {
      result(node.stop());
    }
  }
}
