package dev.switchboard.config;

import dev.switchboard.ingest.jsonrpc.EvapiClientVerticle;
import dev.switchboard.ingest.jsonrpc.EventMapper;
import dev.switchboard.ingest.sip.AccountRules;
import dev.switchboard.net.CidrSet;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Checks beyond types: ranges, networks and the like, each problem naming its key. */
final class ConfigRules {

  private ConfigRules() {
  }

  static void check(JsonObject config, List<String> problems) {
    port(config, "http.port", problems);
    port(config, "websocket.port", problems);
    atLeast(config, "http.max_body_bytes", 1024, problems);
    atLeast(config, "websocket.max_frame_bytes", 1024, problems);
    atLeast(config, "websocket.max_buffered_bytes", 1024, problems);
    atLeast(config, "ingest.max_batch_events", 1, problems);
    atLeast(config, "intake.max_in_flight_events", 1, problems);
    atLeast(config, "intake.timeout_ms", 100, problems);
    atLeast(config, "subscriptions.test_timeout_ms", 100, problems);
    staticSubscriptions(config, problems);
    networks(config, "ingest.allow", problems);
    networks(config, "fanout.deny_networks", problems);
    atLeast(config, "fanout.connect_timeout_ms", 100, problems);
    atLeast(config, "fanout.request_timeout_ms", 100, problems);
    atLeast(config, "fanout.max_concurrency_per_subscription", 1, problems);
    atLeast(config, "fanout.max_in_flight", 1, problems);
    atLeast(config, "fanout.max_in_memory", 100, problems);
    atLeast(config, "fanout.max_in_memory_per_subscription", 10, problems);
    atLeast(config, "fanout.disable_after_failures", 1, problems);
    atLeast(config, "fanout.max_outbox_bytes", 1024 * 1024, problems);
    for (String key : List.of("fanout.retry_after_max", "fanout.disable_after", "fanout.retention",
        "subscriptions.secret_rotation_grace")) {
      duration(config, key, problems);
    }
    io.vertx.core.json.JsonArray schedule = (io.vertx.core.json.JsonArray) get(config, "fanout.retry_schedule");
    if (schedule.isEmpty()) {
      problems.add("fanout.retry_schedule: needs at least one delay (the first attempt, normally 0s)");
    }
    for (int i = 0; i < schedule.size(); i++) {
      try {
        Durations.parseMillis(String.valueOf(schedule.getValue(i)));
      } catch (IllegalArgumentException e) {
        problems.add("fanout.retry_schedule[" + i + "]: " + e.getMessage());
      }
    }
    ingestRules(config, problems);
    if (config.getString("data_dir").isBlank()) {
      problems.add("data_dir: must not be empty");
    }
  }

  /** Each static subscription must be an object with an id; the subscription verticle checks the rest. */
  static void staticSubscriptions(JsonObject config, List<String> problems) {
    JsonArray declared = (JsonArray) get(config, "subscriptions.static");
    Set<Object> ids = new HashSet<>();
    for (int i = 0; i < declared.size(); i++) {
      Object id = declared.getValue(i) instanceof JsonObject object ? object.getValue("id") : null;
      if (!(id instanceof String)) {
        problems.add("subscriptions.static[" + i + "]: must be an object with a string id");
      } else if (!ids.add(id)) {
        problems.add("subscriptions.static[" + i + "]: id '" + id + "' is declared twice");
      }
    }
  }

  private static void ingestRules(JsonObject config, List<String> problems) {
    for (String listener : List.of("hep", "datagram", "jsonrpc")) {
      port(config, listener + ".port", problems);
      networks(config, listener + ".allow", problems);
    }
    atLeast(config, "hep.receive_buffer_bytes", 65536, problems);
    atLeast(config, "datagram.receive_buffer_bytes", 65536, problems);
    atLeast(config, "hep.source_silence_s", 1, problems);
    atLeast(config, "sip.reorder_window_ms", 0, problems);
    atLeast(config, "sip.max_dialogs", 1, problems);
    atLeast(config, "sip.ringing_timeout_s", 1, problems);
    atLeast(config, "sip.dialog_timeout_s", 1, problems);
    atLeast(config, "sip.ended_linger_s", 1, problems);
    atLeast(config, "sip.max_registrations", 1, problems);
    atLeast(config, "jsonrpc.max_frame_bytes", 1024, problems);
    atLeast(config, "evapi_reconnect_max_ms", 100, problems);
    networks(config, "sip.local_networks", problems);
    try {
      AccountRules.parse((JsonArray) get(config, "sip.accounts"));
    } catch (IllegalArgumentException e) {
      problems.add("sip.accounts: " + e.getMessage());
    }
    try {
      EventMapper.check((JsonArray) get(config, "jsonrpc.mappings"));
    } catch (IllegalArgumentException e) {
      problems.add("jsonrpc.mappings: " + e.getMessage());
    }
    String evapi = config.getString("evapi");
    if (!evapi.isBlank() && EvapiClientVerticle.parsePeer(evapi) == null) {
      problems.add("evapi: must be host:port with a port from 1 to 65535, or empty for off (got '" + evapi + "')");
    }
  }

  /** A value by dotted key. */
  static Object get(JsonObject config, String key) {
    Object value = config;
    for (String part : key.split("\\.")) {
      value = value instanceof JsonObject object ? object.getValue(part) : null;
    }
    return value;
  }

  static void port(JsonObject config, String key, List<String> problems) {
    long value = ((Number) get(config, key)).longValue();
    if (value < 0 || value > 65535) {
      problems.add(key + ": must be a port from 0 to 65535 (got " + value + ")");
    }
  }

  static void atLeast(JsonObject config, String key, long minimum, List<String> problems) {
    long value = ((Number) get(config, key)).longValue();
    if (value < minimum) {
      problems.add(key + ": must be at least " + minimum + " (got " + value + ")");
    }
  }

  static void duration(JsonObject config, String key, List<String> problems) {
    try {
      Durations.parseMillis(String.valueOf(get(config, key)));
    } catch (IllegalArgumentException e) {
      problems.add(key + ": " + e.getMessage());
    }
  }

  static void networks(JsonObject config, String key, List<String> problems) {
    try {
      CidrSet.parse(((JsonArray) get(config, key)).stream().map(String::valueOf).toList());
    } catch (IllegalArgumentException e) {
      problems.add(key + ": " + e.getMessage());
    }
  }
}
