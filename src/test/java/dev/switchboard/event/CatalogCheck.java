package dev.switchboard.event;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.switchboard.event.EventCatalog.Emitter;
import dev.switchboard.event.EventCatalog.EventType;
import dev.switchboard.event.EventCatalog.Field;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Holds events that an emitter really produced against {@link EventCatalog}: each event's type
 * must be catalogued for that emitter, each field it carries declared for it with that JSON type
 * (or be a passed-through notification parameter where the type allows), each declared field
 * present unless optional and non-null unless nullable. Then {@link #assertEverythingSeen} fails
 * for a catalogued type or field the emitter never produced, so guessed entries cannot stay.
 */
public final class CatalogCheck {

  private final Set<String> seen = new TreeSet<>();
  private int checked;

  /** Checks an event that carries no notification parameters. */
  public void check(Event event, Emitter emitter) {
    check(event, emitter, Map.of());
  }

  /** Checks an event made from a notification with these parameters. */
  public void check(Event event, Emitter emitter, Map<String, ?> params) {
    check(event.eventClass(), event.event(), event.fields(), emitter, params, event.toJson());
  }

  /** Checks an event as a websocket or webhook client received it. */
  public void check(JsonObject frame, Emitter emitter) {
    Map<String, Object> fields = new LinkedHashMap<>(frame.getMap());
    Event.RESERVED.forEach(fields::remove);
    check(frame.getString("class"), frame.getString("event"), fields, emitter, Map.of(), frame.encode());
  }

  private void check(String eventClass, String event, Map<String, ?> fields, Emitter emitter, Map<String, ?> params,
      String text) {
    checked++;
    EventType type = EventCatalog.find(eventClass, event, emitter);
    assertNotNull(type, eventClass + "." + event + " from " + emitter.id() + " is not in EventCatalog: " + text);
    seen.add(key(type, emitter, null));
    for (Field field : type.fields(emitter)) {
      String where = type.type() + " from " + emitter.id() + ": field " + field.name();
      if (!fields.containsKey(field.name())) {
        assertTrue(field.optional(), where + " is declared always present but is missing: " + text);
        continue;
      }
      Object value = fields.get(field.name());
      if (value == null) {
        assertTrue(field.nullable(), where + " is declared non-null but is null: " + text);
        continue;
      }
      assertTrue(hasType(value, field.type()), where + " is declared " + field.type() + " but is "
          + value.getClass().getSimpleName() + " " + value + ": " + text);
      seen.add(key(type, emitter, field.name()));
    }
    for (String name : fields.keySet()) {
      Field field = type.field(name);
      if (field != null && field.sources().contains(emitter)) {
        continue;
      }
      boolean passedOn = type.passthrough().contains(emitter)
          && (params.containsKey(name) || name.startsWith("source_") && params.containsKey(name.substring(7)));
      assertTrue(passedOn, type.type() + " from " + emitter.id() + " carries field '" + name
          + "', which EventCatalog does not declare for it: " + text);
    }
  }

  /** How many events were checked. */
  public int checked() {
    return checked;
  }

  /**
   * Fails unless every catalogued type of these classes that names this emitter, and every field
   * declared for the emitter on it, was seen (a field only when present and non-null).
   */
  public void assertEverythingSeen(Emitter emitter, String... classes) {
    List<String> missing = new ArrayList<>();
    for (EventType type : EventCatalog.all()) {
      if (!type.sources().contains(emitter) || !List.of(classes).contains(type.eventClass())) {
        continue;
      }
      if (!seen.contains(key(type, emitter, null))) {
        missing.add(type.type());
        continue;
      }
      for (Field field : type.fields(emitter)) {
        if (!seen.contains(key(type, emitter, field.name()))) {
          missing.add(type.type() + " " + field.name());
        }
      }
    }
    if (!missing.isEmpty()) {
      fail("EventCatalog declares for " + emitter.id() + " what it was never seen to emit: " + missing);
    }
  }

  /** Whether a value parsed or built as a JSON value has this catalogue type. */
  public static boolean hasType(Object value, String type) {
    return switch (type) {
      case "string" -> value instanceof String;
      case "integer" -> value instanceof Integer || value instanceof Long || value instanceof Short
          || value instanceof BigInteger || value instanceof BigDecimal decimal && decimal.scale() <= 0;
      case "number" -> value instanceof Number;
      case "boolean" -> value instanceof Boolean;
      case "object" -> value instanceof Map<?, ?> || value instanceof JsonObject;
      case "array" -> value instanceof List<?> || value instanceof JsonArray;
      default -> false;
    };
  }

  private static String key(EventType type, Emitter emitter, String field) {
    return type.type() + "|" + emitter.id() + "|" + (field == null ? "" : field);
  }
}
