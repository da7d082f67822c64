package dev.switchboard;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * A websocket client of the feed for tests: keeps every text frame (as text and parsed) and
 * completes futures as frames arrive, so tests wait on events, not on sleeps.
 */
public final class FeedClient implements AutoCloseable {

  private final WebSocketClient client;
  private final WebSocket socket;
  private final List<String> frames = new ArrayList<>();
  private final List<JsonObject> events = new ArrayList<>();
  private final List<ListWaiter> listWaiters = new ArrayList<>();
  private final List<CountWaiter> countWaiters = new ArrayList<>();
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

  /** Connects with a key and waits for the connection (from a test thread). */
  public static FeedClient open(Vertx vertx, int port, String key) {
    return Await.result(connect(vertx, port, "authkey=" + key));
  }

  /** Completes with the first {@code count} frames, parsed, once that many have arrived. */
  public Future<List<JsonObject>> frames(int count) {
    return until(all -> all.size() >= count).map(all -> all.subList(0, count));
  }

  /** Completes with every frame so far, parsed, once the frames received satisfy the condition. */
  public synchronized Future<List<JsonObject>> until(Predicate<List<JsonObject>> condition) {
    ListWaiter waiter = new ListWaiter(condition, Promise.promise());
    listWaiters.add(waiter);
    checkLists();
    return waiter.promise.future();
  }

  /**
   * Waits until at least {@code count} received events match, or the deadline passes.
   *
   * @return the matching events at that moment (fewer than {@code count} when the deadline passed)
   */
  public List<JsonObject> awaitAtLeast(Predicate<JsonObject> matching, int count, Duration deadline) {
    CountWaiter waiter;
    synchronized (this) {
      waiter = new CountWaiter(matching, count, Promise.promise());
      events.forEach(waiter::offer);
      if (!waiter.done()) {
        countWaiters.add(waiter);
      }
    }
    try {
      waiter.promise.future().toCompletionStage().toCompletableFuture().get(deadline.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // The deadline passed: the caller asserts on what did arrive.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return events().stream().filter(matching).toList();
  }

  /** Waits for {@code count} events of a type ({@code call.initial}) and returns those received. */
  public List<JsonObject> awaitType(String type, int count, Duration deadline) {
    return awaitAtLeast(event -> type.equals(typeOf(event)), count, deadline);
  }

  /** Every event received so far. */
  public synchronized List<JsonObject> events() {
    return List.copyOf(events);
  }

  /** Received events of one type ({@code call.initial}). */
  public List<JsonObject> ofType(String type) {
    return events().stream().filter(event -> type.equals(typeOf(event))).toList();
  }

  /** The raw text of every frame so far. */
  public synchronized List<String> rawFrames() {
    return List.copyOf(frames);
  }

  /** Completes with the close status code when the server closes the socket. */
  public Future<Short> closed() {
    return closed.future();
  }

  /** The underlying socket (to pause it, close it, ...). */
  public WebSocket socket() {
    return socket;
  }

  /** Closes the connection and its client, waiting for both. */
  @Override
  public void close() {
    Await.result(socket.close().eventually(client::close));
  }

  private static String typeOf(JsonObject event) {
    return event.getString("class") + "." + event.getString("event");
  }

  private synchronized void received(String frame) {
    JsonObject event = new JsonObject(frame);
    frames.add(frame);
    events.add(event);
    countWaiters.removeIf(waiter -> {
      waiter.offer(event);
      return waiter.done();
    });
    checkLists();
  }

  private void checkLists() {
    listWaiters.removeIf(waiter -> {
      if (!waiter.condition.test(events)) {
        return false;
      }
      waiter.promise.complete(List.copyOf(events));
      return true;
    });
  }

  private record ListWaiter(Predicate<List<JsonObject>> condition, Promise<List<JsonObject>> promise) {
  }

  /** Counts matching events as they arrive, so a long feed is not rescanned on every frame. */
  private static final class CountWaiter {
    private final Predicate<JsonObject> matching;
    private final int count;
    private final Promise<Void> promise;
    private int seen;

    CountWaiter(Predicate<JsonObject> matching, int count, Promise<Void> promise) {
      this.matching = matching;
      this.count = count;
      this.promise = promise;
      if (count <= 0) {
        promise.complete();
      }
    }

    void offer(JsonObject event) {
      if (matching.test(event) && ++seen >= count) {
        promise.tryComplete();
      }
    }

    boolean done() {
      return promise.future().isComplete();
    }
  }
}
