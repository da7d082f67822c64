package dev.switchboard.ingest;

import dev.switchboard.TestConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A websocket client of the live feed that keeps every event it receives, for assertions. */
public final class FeedClient implements AutoCloseable {

  private final List<JsonObject> events = new ArrayList<>();
  private final WebSocketClient client;
  private final WebSocket socket;

  private FeedClient(WebSocketClient client, WebSocket socket) {
    this.client = client;
    this.socket = socket;
    socket.textMessageHandler(text -> {
      synchronized (events) {
        events.add(new JsonObject(text));
      }
    });
  }

  /** Connects to a node's feed with the system key. */
  public static FeedClient connect(Vertx vertx, int port) throws Exception {
    WebSocketClient client = vertx.createWebSocketClient();
    WebSocket socket = await(client.connect(port, "127.0.0.1", "/events/websocket/?authkey=" + TestConfig.AUTHKEY));
    return new FeedClient(client, socket);
  }

  /** Waits for a future from a test thread (never from an event loop). */
  public static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  /** Every event received so far. */
  public List<JsonObject> events() {
    synchronized (events) {
      return new ArrayList<>(events);
    }
  }

  /** Received events of one type ({@code call.initial}). */
  public List<JsonObject> ofType(String type) {
    return events().stream().filter(e -> type.equals(e.getString("class") + "." + e.getString("event"))).toList();
  }

  /**
   * Waits until at least {@code count} received events match, or the deadline passes.
   *
   * @return the matching events at that moment
   */
  public List<JsonObject> awaitAtLeast(Predicate<JsonObject> matching, int count, Duration deadline)
      throws InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    List<JsonObject> matched = List.of();
    while (System.nanoTime() < end) {
      matched = events().stream().filter(matching).toList();
      if (matched.size() >= count) {
        return matched;
      }
      Thread.sleep(20);
    }
    return matched;
  }

  /** Waits for {@code count} events of a type and returns those received. */
  public List<JsonObject> awaitType(String type, int count, Duration deadline) throws InterruptedException {
    return awaitAtLeast(e -> type.equals(e.getString("class") + "." + e.getString("event")), count, deadline);
  }

  /** Waits for a future on a close path, where an interrupt is passed on rather than thrown. */
  static void awaitQuietly(Future<?> future) throws java.util.concurrent.ExecutionException,
      java.util.concurrent.TimeoutException {
    try {
      future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() throws java.util.concurrent.ExecutionException, java.util.concurrent.TimeoutException {
    awaitQuietly(socket.close().eventually(client::close));
  }
}
