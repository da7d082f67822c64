package dev.switchboard.subscription;

import java.util.List;
import java.util.Map;

/**
 * Where and how a subscription's events are sent.
 *
 * @param uri an absolute {@code http} or {@code https} URI
 * @param method {@code POST}, {@code PUT} or {@code GET}
 * @param format {@code json} or {@code form} (ignored for {@code GET}, which sends a query string)
 * @param headers extra request headers, read-only
 */
public record Target(String uri, String method, String format, Map<String, String> headers) {

  /** The methods a target may use. */
  public static final List<String> METHODS = List.of("POST", "PUT", "GET");
  /** The body formats a target may use. */
  public static final List<String> FORMATS = List.of("json", "form");

  /** Copies the headers into a read-only map. */
  public Target {
    headers = Map.copyOf(headers);
  }
}
