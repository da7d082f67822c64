package dev.switchboard.webhook;

import dev.switchboard.Switchboard;
import dev.switchboard.event.Event;
import dev.switchboard.event.EventJson;
import dev.switchboard.subscription.Subscription;
import dev.switchboard.subscription.Target;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One webhook request for one event and one subscription: the event's JSON with the
 * subscription's {@code custom_data} merged in (the event's own fields win), sent as JSON, as a
 * form ({@code a[b][c]=v} for nested values, as PHP and Rails parse them), or as a {@code GET}
 * query string, with the subscription's headers and the Standard Webhooks signature headers.
 */
public final class WebhookRequest {

  private static final String USER_AGENT = "Switchboard/" + Switchboard.version();

  private WebhookRequest() {
  }

  /**
   * Sends it.
   *
   * @param webhookId the {@code webhook-id}, stable across retries of the same delivery
   */
  public static Future<HttpResponse<Buffer>> send(WebClient client, Subscription subscription, Event event,
      String webhookId, long timeoutMillis) {
    Target target = subscription.target();
    Map<String, Object> payload = payload(subscription, event);
    String json = EventJson.writeValue(payload);
    HttpRequest<Buffer> request = client.requestAbs(HttpMethod.valueOf(target.method()), target.uri())
        .timeout(timeoutMillis)
        .putHeader("User-Agent", USER_AGENT);
    target.headers().forEach(request::putHeader);
    long timestamp = System.currentTimeMillis() / 1000;
    MultiMap form = MultiMap.caseInsensitiveMultiMap();
    boolean asFields = target.method().equals("GET") || target.format().equals("form");
    if (asFields) {
      payload.forEach((name, value) -> flatten(name, value, form));
    }
    String signed = target.method().equals("GET") ? "" : asFields ? encode(form) : json;
    request.putHeader("webhook-id", webhookId)
        .putHeader("webhook-timestamp", Long.toString(timestamp))
        .putHeader("webhook-signature", WebhookSignature.sign(subscription.secret(), webhookId, timestamp, signed));
    if (target.method().equals("GET")) {
      form.forEach(request::addQueryParam);
      return request.send();
    }
    if (asFields) {
      return request.putHeader("Content-Type", "application/x-www-form-urlencoded").sendBuffer(Buffer.buffer(signed));
    }
    return request.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(json));
  }

  /** The event's fields with the custom data merged in; the event's own fields win. */
  public static Map<String, Object> payload(Subscription subscription, Event event) {
    try {
      Map<String, Object> merged = new LinkedHashMap<>(EventJson.parseObject(subscription.customData().encode()));
      merged.putAll(EventJson.parseObject(event.toJson()));
      return merged;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void flatten(String name, Object value, MultiMap out) {
    if (value instanceof Map<?, ?> map) {
      map.forEach((key, nested) -> flatten(name + "[" + key + "]", nested, out));
    } else if (value instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        flatten(name + "[" + i + "]", list.get(i), out);
      }
    } else {
      out.add(name, value == null ? "" : value.toString());
    }
  }

  private static String encode(MultiMap form) {
    StringBuilder text = new StringBuilder();
    form.forEach((name, value) -> {
      if (text.length() > 0) {
        text.append('&');
      }
      text.append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('=')
          .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
    });
    return text.toString();
  }
}
