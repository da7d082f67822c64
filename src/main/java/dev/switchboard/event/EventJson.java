package dev.switchboard.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one JSON reader and writer for events. Decimal numbers are read as {@code BigDecimal} and
 * integers at their exact size, so a source's numbers come out as they went in.
 */
public final class EventJson {

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .build();
  private static final TypeReference<LinkedHashMap<String, Object>> OBJECT = new TypeReference<>() {
  };
  private static final TypeReference<List<Object>> ARRAY = new TypeReference<>() {
  };

  private EventJson() {
  }

  /** The shared mapper (thread-safe), configured for exact numbers and no duplicate keys. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** Parses one JSON object. @throws IOException when the text is not a JSON object */
  public static Map<String, Object> parseObject(String json) throws IOException {
    return MAPPER.readValue(json, OBJECT);
  }

  /** Parses any JSON value: a map, list, string, number, boolean or {@code null}. */
  public static Object parseValue(String json) throws IOException {
    return MAPPER.readValue(json, Object.class);
  }

  /** Parses one JSON array. @throws IOException when the text is not a JSON array */
  public static List<Object> parseArray(String json) throws IOException {
    return MAPPER.readValue(json, ARRAY);
  }

  /** Writes any JSON value, Vert.x {@link JsonObject}s and {@link JsonArray}s included. */
  public static String writeValue(Object value) {
    try {
      return MAPPER.writeValueAsString(plain(value));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String write(Event event) {
    StringWriter out = new StringWriter(256);
    JsonFactory factory = MAPPER.getFactory();
    try (JsonGenerator json = factory.createGenerator(out)) {
      json.setCodec(MAPPER);
      json.writeStartObject();
      json.writeStringField("class", event.eventClass());
      json.writeStringField("event", event.event());
      json.writeFieldName("timestamp");
      json.writeNumber(Timestamps.format(event.timestampMicros()));
      if (event.id() != null) {
        json.writeStringField("id", event.id());
      }
      if (event.node() != null) {
        json.writeStringField("node", event.node());
      }
      if (event.accountId() != null) {
        json.writeStringField("account_id", event.accountId());
      }
      for (Map.Entry<String, Object> field : event.fields().entrySet()) {
        json.writeFieldName(field.getKey());
        MAPPER.writeValue(json, plain(field.getValue()));
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  static Event read(String text) {
    try {
      Map<String, Object> all = parseObject(text);
      Event.Builder builder = Event.builder((String) all.remove("class"), (String) all.remove("event"))
          .timestampMicros(Timestamps.parse(all.remove("timestamp")))
          .id((String) all.remove("id"))
          .node((String) all.remove("node"))
          .accountId((String) all.remove("account_id"));
      return builder.putAll(all).build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Object plain(Object value) {
    if (value instanceof JsonObject object) {
      return object.getMap();
    }
    if (value instanceof JsonArray array) {
      return array.getList();
    }
    return value;
  }
}
