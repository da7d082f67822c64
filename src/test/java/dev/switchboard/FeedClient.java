package dev.switchboard;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** A websocket client of the feed for tests: collects every text frame and completes futures as frames arrive. */
public final class FeedClient {

  private final WebSocketClient client;
  private final WebSocket socket;
  private final List<String> frames = new ArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private final Promise<Short> closed = Promise.promise();

  private FeedClient(WebSocketClient client, WebSocket socket) {
    this.client = client;
    this.socket = socket;
    socket.textMessageHandler(this::received);
    socket.closeHandler(ignored -> closed.tryComplete(socket.closeStatusCode()));
  }

  /** Connects to the feed with the given query string (e.g. {@code authkey=K&bindings=call.*}). */
  public static Future<FeedClient> connect(Vertx vertx, int port, String query) {
    WebSocketClient client = vertx.createWebSocketClient();
    WebSocketConnectOptions options = new WebSocketConnectOptions()
        .setHost("127.0.0.1").setPort(port).setURI("/events/websocket/?" + query);
    // The client is held by the FeedClient: Vert.x closes clients that become unreachable.
    return client.connect(options).map(socket -> new FeedClient(client, socket));
  }

  /** Completes with the first {@code count} frames, parsed, once that many have arrived. */
  public synchronized Future<List<JsonObject>> frames(int count) {
    Waiter waiter = new Waiter(count, null, Promise.promise());
    waiters.add(waiter);
    check();
    return waiter.promise.future();
  }

  /** Completes with every frame so far, parsed, once the frames received satisfy the condition. */
  public synchronized Future<List<JsonObject>> until(java.util.function.Predicate<List<JsonObject>> condition) {
    Waiter waiter = new Waiter(-1, condition, Promise.promise());
    waiters.add(waiter);
    check();
    return waiter.promise.future();
  }

  /** The raw text of every frame so far. */
  public synchronized List<String> rawFrames() {
    return List.copyOf(frames);
  }

  /** Completes with the close status code when the server closes the socket. */
  public Future<Short> closed() {
    return closed.future();
  }

  /** Closes the connection and its client. */
  public Future<Void> close() {
    return client.close();
  }

  /** The underlying socket (to pause it, close it, ...). */
  public WebSocket socket() {
    return socket;
  }

  private synchronized void received(String frame) {
    frames.add(frame);
    check();
  }

  private void check() {
    waiters.removeIf(waiter -> {
      if (waiter.condition == null) {
        if (frames.size() < waiter.count) {
          return false;
        }
        waiter.promise.complete(parse(frames.subList(0, waiter.count)));
        return true;
      }
      List<JsonObject> all = parse(frames);
      if (!waiter.condition.test(all)) {
        return false;
      }
      waiter.promise.complete(all);
      return true;
    });
  }

  private static List<JsonObject> parse(List<String> texts) {
    List<JsonObject> parsed = new ArrayList<>(texts.size());
    for (String frame : texts) {
      parsed.add(new JsonObject(frame));
    }
    return parsed;
  }

  private record Waiter(int count, java.util.function.Predicate<List<JsonObject>> condition,
      Promise<List<JsonObject>> promise) {
  }
}
