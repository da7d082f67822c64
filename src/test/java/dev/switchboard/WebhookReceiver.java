package dev.switchboard;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A real HTTP server that receives webhooks for tests: records every request and answers as the
 * test says (a status, optional headers, optionally after a delay).
 */
public final class WebhookReceiver {

  /** One request as received. */
  public record Received(String method, String path, String query, MultiMap headers, String body, long atMillis) {
  }

  /** How to answer. */
  public record Answer(int status, String retryAfter, long delayMillis) {

    /** Answer with this status at once. */
    public static Answer status(int status) {
      return new Answer(status, null, 0);
    }
  }

  private final Vertx vertx;
  private final List<Received> received = new ArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private volatile Function<Received, Answer> answers = request -> Answer.status(200);
  private HttpServer server;
  private int concurrent;
  private int maxConcurrent;

  private WebhookReceiver(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Starts a receiver on a free port (or the given one, to come back where it was). */
  public static Future<WebhookReceiver> start(Vertx vertx, int port) {
    WebhookReceiver receiver = new WebhookReceiver(vertx);
    return receiver.listen(port).map(receiver);
  }

  /** Listens again (after {@link #stop()}) on the given port. */
  public Future<Void> listen(int port) {
    return vertx.createHttpServer().requestHandler(this::handle).listen(port, "127.0.0.1")
        .map(listening -> {
          server = listening;
          return null;
        });
  }

  /** Stops listening: connections are refused until {@link #listen(int)}. */
  public Future<Void> stop() {
    return server.close();
  }

  /** The port it listens on. */
  public int port() {
    return server.actualPort();
  }

  /** {@code http://127.0.0.1:PORT/path}. */
  public String uri(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  /** Sets how requests are answered from now on. */
  public void answer(Function<Received, Answer> answers) {
    this.answers = answers;
  }

  /** Every request so far. */
  public synchronized List<Received> received() {
    return List.copyOf(received);
  }

  /** The most requests it was handling at once. */
  public synchronized int maxConcurrent() {
    return maxConcurrent;
  }

  /** Completes with every request so far once the condition holds. */
  public synchronized Future<List<Received>> until(Predicate<List<Received>> condition) {
    Waiter waiter = new Waiter(condition, Promise.promise());
    waiters.add(waiter);
    check();
    return waiter.promise.future();
  }

  /** Completes once at least {@code count} requests have arrived. */
  public Future<List<Received>> count(int count) {
    return until(all -> all.size() >= count);
  }

  private void handle(HttpServerRequest request) {
    request.body().onSuccess(body -> {
      Received got = new Received(request.method().name(), request.path(), request.query(),
          MultiMap.caseInsensitiveMultiMap().addAll(request.headers()), body.toString(), System.currentTimeMillis());
      Answer answer = answers.apply(got);
      synchronized (this) {
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
      }
      Runnable respond = () -> {
        synchronized (this) {
          concurrent--;
          received.add(got);
          check();
        }
        if (answer.retryAfter() != null) {
          request.response().putHeader("Retry-After", answer.retryAfter());
        }
        request.response().setStatusCode(answer.status()).end("ignored by the gateway");
      };
      if (answer.delayMillis() > 0) {
        vertx.setTimer(answer.delayMillis(), ignored -> respond.run());
      } else {
        respond.run();
      }
    });
  }

  private void check() {
    waiters.removeIf(waiter -> {
      if (!waiter.condition.test(received)) {
        return false;
      }
      waiter.promise.complete(List.copyOf(received));
      return true;
    });
  }

  private record Waiter(Predicate<List<Received>> condition, Promise<List<Received>> promise) {
  }
}
