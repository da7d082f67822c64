package dev.switchboard.event;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns the fields a source sent into an {@link Event}, checking the reserved ones: {@code class}
 * and {@code event} must be names, {@code timestamp} a valid time, {@code account_id} a string,
 * and {@code id} and {@code node} are the gateway's to set. Every other field passes untouched.
 */
public final class EventReader {

  private EventReader() {
  }

  /**
   * @param fields what the source sent, as parsed by {@link EventJson} or from a form
   * @param arrivalMicros the timestamp to use when the source gave none
   * @throws InvalidEventException listing every problem found
   */
  public static Event read(Map<String, ?> fields, long arrivalMicros) throws InvalidEventException {
    List<InvalidEventException.Problem> problems = new ArrayList<>();
    String eventClass = name(fields, "class", Binding.CLASS_PATTERN, problems);
    String event = name(fields, "event", Binding.EVENT_PATTERN, problems);
    long timestamp = arrivalMicros;
    Object given = fields.get("timestamp");
    if (given != null) {
      try {
        timestamp = Timestamps.parse(given);
      } catch (IllegalArgumentException e) {
        problems.add(new InvalidEventException.Problem("timestamp", "timestamp " + e.getMessage()));
      }
    }
    Object account = fields.get("account_id");
    if (account != null && !(account instanceof String text && !text.isBlank() && text.length() <= 128)) {
      problems.add(new InvalidEventException.Problem("account_id", "account_id must be a non-empty string of at most 128 characters"));
    }
    for (String gatewayOwned : List.of("id", "node")) {
      if (fields.containsKey(gatewayOwned)) {
        problems.add(new InvalidEventException.Problem(gatewayOwned, gatewayOwned
            + " is set by the gateway; send the source's own identifier under another name (e.g. source_"
            + gatewayOwned + ")"));
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidEventException(problems);
    }
    Event.Builder builder = Event.builder(eventClass, event)
        .timestampMicros(timestamp)
        .accountId((String) account);
    fields.forEach((name, value) -> {
      if (!Event.RESERVED.contains(name)) {
        builder.put(name, value);
      }
    });
    return builder.build();
  }

  private static String name(Map<String, ?> fields, String key, java.util.regex.Pattern pattern,
      List<InvalidEventException.Problem> problems) {
    Object value = fields.get(key);
    if (value == null) {
      problems.add(new InvalidEventException.Problem(key, key + " is missing"));
      return null;
    }
    if (!(value instanceof String text)) {
      problems.add(new InvalidEventException.Problem(key, key + " must be a string"));
      return null;
    }
    if (!pattern.matcher(text).matches()) {
      problems.add(new InvalidEventException.Problem(key, key + " '" + abbreviate(text)
          + "' must match " + pattern.pattern()));
      return null;
    }
    return text;
  }

  private static String abbreviate(String text) {
    return text.length() <= 40 ? text : text.substring(0, 40) + "…";
  }
}
