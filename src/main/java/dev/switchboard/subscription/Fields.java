package dev.switchboard.subscription;

import dev.switchboard.http.ApiException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a request's JSON object field by field, collecting every problem (with the field's path)
 * instead of stopping at the first, so a client learns all it must fix from one 400.
 */
final class Fields {

  private final JsonObject body;
  private final String prefix;
  private final JsonArray problems;

  Fields(JsonObject body) {
    this(body, "", new JsonArray());
  }

  private Fields(JsonObject body, String prefix, JsonArray problems) {
    this.body = body;
    this.prefix = prefix;
    this.problems = problems;
  }

  /** Reads a nested object with the same problem list; {@code null} when absent or not an object. */
  Fields object(String name, boolean required) {
    Object value = body.getValue(name);
    if (value == null) {
      if (required) {
        problem(name, "is required");
      }
      return null;
    }
    if (!(value instanceof JsonObject nested)) {
      problem(name, "must be an object");
      return null;
    }
    return new Fields(nested, prefix + name + ".", problems);
  }

  JsonObject json() {
    return body;
  }

  boolean has(String name) {
    return body.containsKey(name);
  }

  void problem(String field, String message) {
    problems.add(new JsonObject().put("field", prefix + field).put("message", prefix + field + " " + message));
  }

  /** Every field must be one of these. */
  void only(Set<String> known, Set<String> readOnly) {
    for (String name : body.fieldNames()) {
      if (readOnly.contains(name)) {
        problem(name, "is read-only");
      } else if (!known.contains(name)) {
        problem(name, "is not a known field (accepted: " + String.join(", ", known.stream().sorted().toList()) + ")");
      }
    }
  }

  String string(String name, String fallback, int maxLength, Pattern pattern) {
    Object value = body.getValue(name);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof String text)) {
      problem(name, "must be a string");
      return fallback;
    }
    if (text.length() > maxLength) {
      problem(name, "must be at most " + maxLength + " characters");
    } else if (pattern != null && !pattern.matcher(text).matches()) {
      problem(name, "'" + abbreviate(text) + "' must match " + pattern.pattern());
    }
    return text;
  }

  boolean bool(String name, boolean fallback) {
    Object value = body.getValue(name);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Boolean flag)) {
      problem(name, "must be true or false");
      return fallback;
    }
    return flag;
  }

  /** An ISO-8601 time that must lie after {@code now} when given anew. */
  Long futureTime(String name, Long fallback, long now, boolean mustBeFuture) {
    Object value = body.getValue(name);
    if (value == null) {
      return body.containsKey(name) ? null : fallback;
    }
    if (!(value instanceof String text)) {
      problem(name, "must be an ISO-8601 time such as 2030-01-31T12:00:00Z");
      return fallback;
    }
    try {
      long millis = Instant.parse(text).toEpochMilli();
      if (mustBeFuture && millis <= now) {
        problem(name, "is in the past (" + text + ")");
      }
      return millis;
    } catch (DateTimeParseException e) {
      problem(name, "'" + abbreviate(text) + "' is not an ISO-8601 time such as 2030-01-31T12:00:00Z");
      return fallback;
    }
  }

  /** Fails with a 400 listing every problem found so far. */
  void check() {
    if (!problems.isEmpty()) {
      String first = problems.getJsonObject(0).getString("message");
      throw new ApiException(400, "invalid_request", problems.size() == 1 ? first
          : first + " (and " + (problems.size() - 1) + " more problems)", problems, null);
    }
  }

  private static String abbreviate(String text) {
    return text.length() <= 60 ? text : text.substring(0, 60) + "…";
  }
}
