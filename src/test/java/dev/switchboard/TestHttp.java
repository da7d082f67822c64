package dev.switchboard;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.concurrent.TimeUnit;

/** A blocking JSON client for scenario tests, called from the test thread (never an event loop). */
public final class TestHttp implements AutoCloseable {

  private final WebClient client;
  private final int port;

  /** A reply: status, JSON body ({@code null} when empty), and the ETag header. */
  public record Reply(int status, JsonObject body, String etag) {

    /** The body's {@code error} code. */
    public String error() {
      return body == null ? null : body.getString("error");
    }
  }

  public TestHttp(Vertx vertx, int port) {
    this.client = WebClient.create(vertx);
    this.port = port;
  }

  public Reply get(String path, String key) {
    return call(HttpMethod.GET, path, key, null, null);
  }

  public Reply post(String path, String key, Object body) {
    return call(HttpMethod.POST, path, key, body, null);
  }

  public Reply patch(String path, String key, Object body, String ifMatch) {
    return call(HttpMethod.PATCH, path, key, body, ifMatch);
  }

  public Reply delete(String path, String key, String ifMatch) {
    return call(HttpMethod.DELETE, path, key, null, ifMatch);
  }

  /** Any request; a {@code String} body is sent as it is, a {@code JsonObject} encoded. */
  public Reply call(HttpMethod method, String path, String key, Object body, String ifMatch) {
    HttpRequest<Buffer> request = client.request(method, port, "127.0.0.1", path);
    if (key != null) {
      request.putHeader("Authorization", "Bearer " + key);
    }
    if (ifMatch != null) {
      request.putHeader("If-Match", ifMatch);
    }
    Future<HttpResponse<Buffer>> sent = body == null ? request.send()
        : request.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body.toString()));
    HttpResponse<Buffer> response = await(sent);
    Buffer text = response.body();
    return new Reply(response.statusCode(), text == null || text.length() == 0 ? null : text.toJsonObject(),
        response.getHeader("ETag"));
  }

  /** Waits for a future, at most 20 seconds. */
  public static <T> T await(Future<T> future) {
    return Await.result(future);
  }

  @Override
  public void close() {
    client.close();
  }
}
