package dev.switchboard.webhook;

import dev.switchboard.Switchboard;
import dev.switchboard.event.Event;
import dev.switchboard.event.EventJson;
import dev.switchboard.subscription.Subscription;
import dev.switchboard.subscription.Target;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import dev.switchboard.event.Timestamps;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.io.UncheckedIOException;
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
    return send(client, subscription, event, webhookId, timeoutMillis, null);
  }

  /**
   * Sends it to a given address (one the caller resolved and checked) while the URI's host still
   * names the receiver in {@code Host} and TLS SNI.
   *
   * @param server where to connect, or {@code null} to resolve the URI's host
   */
  public static Future<HttpResponse<Buffer>> send(WebClient client, Subscription subscription, Event event,
      String webhookId, long timeoutMillis, SocketAddress server) {
    return sendContent(client, subscription, content(subscription, event), webhookId, timeoutMillis, server);
  }

  /**
   * Sends a journaled event given as its JSON text ({@link Event#toJson()}), to a checked address
   * as {@link #send(WebClient, Subscription, Event, String, long, SocketAddress)} does; the text is
   * parsed only when the subscription needs the fields (a form, a {@code GET}, custom data).
   */
  public static Future<HttpResponse<Buffer>> sendJournaled(WebClient client, Subscription subscription, String eventJson,
      String webhookId, long timeoutMillis, SocketAddress server) {
    String content = sentVerbatim(subscription) ? eventJson : content(subscription, Event.fromJson(eventJson));
    return sendContent(client, subscription, content, webhookId, timeoutMillis, server);
  }

  private static boolean sentVerbatim(Subscription subscription) {
    Target target = subscription.target();
    return !target.method().equals("GET") && !target.format().equals("form") && subscription.customData().isEmpty();
  }

  /** What carries the fields, and is signed: the body, or for {@code GET} the query string. */
  private static String content(Subscription subscription, Event event) {
    Target target = subscription.target();
    if (target.method().equals("GET") || target.format().equals("form")) {
      List<Map.Entry<String, String>> fields = new ArrayList<>();
      payload(subscription, event).forEach((name, value) -> flatten(name, value, fields));
      return encode(fields);
    }
    return subscription.customData().isEmpty() ? event.toJson() : EventJson.writeValue(payload(subscription, event));
  }

  private static Future<HttpResponse<Buffer>> sendContent(WebClient client, Subscription subscription, String signed,
      String webhookId, long timeoutMillis, SocketAddress server) {
    Target target = subscription.target();
    boolean isGet = target.method().equals("GET");
    String uri = isGet ? target.uri() + (target.uri().contains("?") ? "&" : "?") + signed : target.uri();
    HttpMethod method = HttpMethod.valueOf(target.method());
    HttpRequest<Buffer> request = (server == null ? client.requestAbs(method, uri)
        : client.requestAbs(method, server, uri))
        .timeout(timeoutMillis)
        .putHeader("User-Agent", USER_AGENT);
    target.headers().forEach(request::putHeader);
    long timestamp = System.currentTimeMillis() / 1000;
    request.putHeader("webhook-id", webhookId)
        .putHeader("webhook-timestamp", Long.toString(timestamp))
        .putHeader("webhook-signature", signatures(subscription, webhookId, timestamp, signed));
    if (isGet) {
      return request.send();
    }
    return request.putHeader("Content-Type", target.format().equals("form") ? "application/x-www-form-urlencoded"
            : "application/json")
        .sendBuffer(Buffer.buffer(signed));
  }

  /** One signature per secret in use, space-separated: two while a rotated-out secret is in its grace period. */
  static String signatures(Subscription subscription, String webhookId, long timestampSeconds, String content) {
    StringBuilder header = new StringBuilder();
    for (String secret : subscription.signingSecrets(timestampSeconds * 1000)) {
      if (header.length() > 0) {
        header.append(' ');
      }
      header.append(WebhookSignature.sign(secret, webhookId, timestampSeconds, content));
    }
    return header.toString();
  }

  /** The event's fields with the custom data merged in; the event's own fields win. */
  public static Map<String, Object> payload(Subscription subscription, Event event) {
    Map<String, Object> merged = new LinkedHashMap<>();
    if (!subscription.customData().isEmpty()) {
      try {
        merged.putAll(EventJson.parseObject(subscription.customData().encode()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    merged.put("class", event.eventClass());
    merged.put("event", event.event());
    merged.put("timestamp", new BigDecimal(Timestamps.format(event.timestampMicros())));
    putIfPresent(merged, "id", event.id());
    putIfPresent(merged, "node", event.node());
    putIfPresent(merged, "account_id", event.accountId());
    merged.putAll(event.fields());
    return merged;
  }

  private static void putIfPresent(Map<String, Object> map, String name, Object value) {
    if (value != null) {
      map.put(name, value);
    }
  }

  /** Nested values as {@code a[b][c]=v} and {@code a[0]=v}, as PHP, Rails and Express rebuild them. */
  private static void flatten(String name, Object value, List<Map.Entry<String, String>> out) {
    if (value instanceof Map<?, ?> map) {
      map.forEach((key, nested) -> flatten(name + "[" + key + "]", nested, out));
    } else if (value instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        flatten(name + "[" + i + "]", list.get(i), out);
      }
    } else {
      out.add(Map.entry(name, value == null ? "" : value instanceof BigDecimal decimal ? decimal.toString()
          : value.toString()));
    }
  }

  private static String encode(List<Map.Entry<String, String>> fields) {
    StringBuilder text = new StringBuilder();
    for (Map.Entry<String, String> field : fields) {
      if (text.length() > 0) {
        text.append('&');
      }
      text.append(URLEncoder.encode(field.getKey(), StandardCharsets.UTF_8)).append('=')
          .append(URLEncoder.encode(field.getValue(), StandardCharsets.UTF_8));
    }
    return text.toString();
  }
}
