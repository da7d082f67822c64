package dev.switchboard.ingest.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonLocation;
import dev.switchboard.auth.Secrets;
import dev.switchboard.event.Event;
import dev.switchboard.event.EventJson;
import dev.switchboard.event.EventReader;
import dev.switchboard.event.InvalidEventException;
import dev.switchboard.event.Timestamps;
import dev.switchboard.http.ApiErrors;
import dev.switchboard.http.ApiException;
import dev.switchboard.intake.Intake;
import dev.switchboard.intake.IntakeUnavailableException;
import dev.switchboard.net.CidrSet;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code POST /v1/events}: how softswitch daemons hand events to the gateway. Accepts one JSON
 * object or an array ({@code application/json}), one object per line
 * ({@code application/x-ndjson}), or one event as form fields
 * ({@code application/x-www-form-urlencoded}). A batch is accepted whole or not at all; the reply
 * to an accepted one is {@code 202} with the ids in order.
 */
public final class HttpIngest {

  /** The path events are posted to. */
  public static final String PATH = "/v1/events";

  private final Intake intake;
  private final List<String> ingestKeys;
  private final CidrSet allowedSources;
  private final int maxBatchEvents;
  private final long maxBodyBytes;

  /**
   * @param config the whole gateway configuration ({@code ingest.*}, {@code http.max_body_bytes})
   */
  public HttpIngest(Intake intake, JsonObject config) {
    JsonObject ingest = config.getJsonObject("ingest");
    this.intake = intake;
    List<String> keys = new ArrayList<>();
    keys.add(ingest.getString("key"));
    ingest.getJsonArray("extra_keys").forEach(extra -> keys.add(String.valueOf(extra)));
    this.ingestKeys = List.copyOf(keys);
    this.allowedSources = CidrSet.parse(ingest.getJsonArray("allow").stream().map(String::valueOf).toList());
    this.maxBatchEvents = ingest.getInteger("max_batch_events");
    this.maxBodyBytes = config.getJsonObject("http").getLong("max_body_bytes");
  }

  /** Adds the ingest routes to the API router. */
  public void mount(Router router) {
    // Two routes, so that the key and content type are checked before the body is read.
    router.post(PATH).handler(this::authorize);
    router.post(PATH)
        .handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes).setMergeFormAttributes(false))
        .handler(this::ingest);
  }

  private void authorize(RoutingContext ctx) {
    if (!allowedSources.isEmpty()) {
      SocketAddress remote = ctx.request().remoteAddress();
      String host = remote == null ? null : remote.hostAddress();
      if (!allowedSources.contains(host)) {
        ctx.fail(new ApiException(403, "source_not_allowed",
            "source address " + host + " is not in ingest.allow"));
        return;
      }
    }
    String presented = Secrets.presentedKey(ctx.request(), "key");
    if (ingestKeys.stream().noneMatch(key -> Secrets.matches(presented, key))) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      ctx.fail(new ApiException(401, "unauthorized",
          "the ingest key is missing or wrong: send 'Authorization: Bearer KEY' or ?key=KEY"));
      return;
    }
    if (mediaType(ctx) == null) {
      ctx.fail(new ApiException(415, "unsupported_media_type", "Content-Type must be application/json, "
          + "application/x-ndjson or application/x-www-form-urlencoded (got "
          + ctx.request().getHeader("Content-Type") + ")"));
      return;
    }
    ctx.next();
  }

  private void ingest(RoutingContext ctx) {
    long arrival = Timestamps.nowMicros();
    List<Event> events;
    try {
      events = switch (mediaType(ctx)) {
        case JSON -> fromJson(ctx.body().asString("UTF-8"), arrival);
        case NDJSON -> fromNdjson(ctx.body().asString("UTF-8"), arrival);
        case FORM -> List.of(fromForm(ctx.request().formAttributes(), arrival));
      };
    } catch (ApiException e) {
      ctx.fail(e);
      return;
    }
    intake.submit(events).onComplete(accepted -> {
      if (accepted.succeeded()) {
        ApiErrors.json(ctx, 202, new JsonObject()
            .put("accepted", accepted.result().size())
            .put("ids", new JsonArray(accepted.result())));
      } else if (accepted.cause() instanceof IntakeUnavailableException unavailable) {
        ctx.fail(new ApiException(503, "unavailable",
            unavailable.getMessage() + "; nothing was accepted, retry later", null, "1"));
      } else {
        ctx.fail(accepted.cause());
      }
    });
  }

  private List<Event> fromJson(String body, long arrival) {
    Object parsed;
    try {
      parsed = EventJson.parseValue(body);
    } catch (IOException e) {
      throw malformed(e, null);
    }
    if (parsed instanceof Map<?, ?> single) {
      return List.of(read(single, arrival, 0, null));
    }
    if (!(parsed instanceof List<?> list)) {
      throw new ApiException(400, "invalid_body", "the body must be a JSON object or an array of objects");
    }
    if (list.isEmpty()) {
      throw new ApiException(400, "invalid_body", "the array holds no events");
    }
    checkBatchSize(list.size());
    JsonArray problems = new JsonArray();
    List<Event> events = new ArrayList<>(list.size());
    for (int index = 0; index < list.size(); index++) {
      if (list.get(index) instanceof Map<?, ?> object) {
        collect(object, arrival, index, null, events, problems);
      } else {
        problems.add(new JsonObject().put("index", index).put("message", "array element " + index + " is not a JSON object"));
      }
    }
    return orFail(events, problems);
  }

  private List<Event> fromNdjson(String body, long arrival) {
    String[] lines = body.split("\r?\n", -1);
    JsonArray problems = new JsonArray();
    List<Event> events = new ArrayList<>();
    int index = 0;
    for (int number = 1; number <= lines.length; number++) {
      String line = lines[number - 1];
      if (line.isBlank()) {
        continue;
      }
      if (index == maxBatchEvents) {
        checkBatchSize(index + 1);
      }
      try {
        collect(EventJson.parseObject(line), arrival, index, number, events, problems);
      } catch (IOException e) {
        problems.add(new JsonObject().put("index", index).put("line", number)
            .put("message", "line " + number + " is not a JSON object: " + jacksonMessage(e)));
      }
      index++;
    }
    if (index == 0) {
      throw new ApiException(400, "invalid_body", "the body holds no events");
    }
    return orFail(events, problems);
  }

  private Event fromForm(MultiMap form, long arrival) {
    if (form.isEmpty()) {
      throw new ApiException(400, "invalid_body", "the form holds no fields");
    }
    Map<String, List<String>> byName = new LinkedHashMap<>();
    for (Map.Entry<String, String> field : form.entries()) {
      byName.computeIfAbsent(field.getKey(), name -> new ArrayList<>()).add(field.getValue());
    }
    Map<String, Object> fields = new LinkedHashMap<>();
    byName.forEach((name, values) -> fields.put(name, values.size() == 1 ? values.get(0) : List.copyOf(values)));
    return read(fields, arrival, 0, null);
  }

  private void collect(Map<?, ?> object, long arrival, int index, Integer line, List<Event> events, JsonArray problems) {
    try {
      events.add(EventReader.read(cast(object), arrival));
    } catch (InvalidEventException e) {
      addProblems(e, index, line, problems);
    }
  }

  private Event read(Map<?, ?> object, long arrival, int index, Integer line) {
    try {
      return EventReader.read(cast(object), arrival);
    } catch (InvalidEventException e) {
      JsonArray problems = new JsonArray();
      addProblems(e, index, line, problems);
      throw invalid(problems);
    }
  }

  private static void addProblems(InvalidEventException e, int index, Integer line, JsonArray problems) {
    for (InvalidEventException.Problem problem : e.problems()) {
      JsonObject entry = new JsonObject().put("index", index);
      if (line != null) {
        entry.put("line", line);
      }
      problems.add(entry.put("field", problem.field()).put("message", problem.message()));
    }
  }

  private static List<Event> orFail(List<Event> events, JsonArray problems) {
    if (!problems.isEmpty()) {
      throw invalid(problems);
    }
    return events;
  }

  private static ApiException invalid(JsonArray problems) {
    return new ApiException(400, "invalid_events", problems.size() == 1
        ? problems.getJsonObject(0).getString("message") + "; nothing was accepted"
        : problems.size() + " problems; nothing was accepted", problems, null);
  }

  private void checkBatchSize(int size) {
    if (size > maxBatchEvents) {
      throw new ApiException(413, "batch_too_large",
          "a batch holds at most " + maxBatchEvents + " events (ingest.max_batch_events)");
    }
  }

  private static ApiException malformed(IOException e, Integer line) {
    JsonObject where = new JsonObject();
    if (e instanceof JsonProcessingException processing && processing.getLocation() != null) {
      JsonLocation location = processing.getLocation();
      where.put("line", location.getLineNr()).put("column", location.getColumnNr());
    }
    return new ApiException(400, "malformed_json", "the body is not valid JSON: " + jacksonMessage(e),
        new JsonArray().add(where.put("message", jacksonMessage(e))), null);
  }

  private static String jacksonMessage(IOException e) {
    String message = e instanceof JsonProcessingException processing ? processing.getOriginalMessage() : e.getMessage();
    return message == null ? "unreadable" : message.replace('\n', ' ').replaceAll("\\[Source: [^;]*; ", "[");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, ?> cast(Map<?, ?> object) {
    return (Map<String, ?>) object;
  }

  private enum MediaType { JSON, NDJSON, FORM }

  private static MediaType mediaType(RoutingContext ctx) {
    String header = ctx.request().getHeader("Content-Type");
    if (header == null) {
      return null;
    }
    int semicolon = header.indexOf(';');
    String type = (semicolon < 0 ? header : header.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    switch (type) {
      case "application/json":
        return MediaType.JSON;
      case "application/x-ndjson":
      case "application/ndjson":
        return MediaType.NDJSON;
      case "application/x-www-form-urlencoded":
        return MediaType.FORM;
      default:
        return null;
    }
  }
}
