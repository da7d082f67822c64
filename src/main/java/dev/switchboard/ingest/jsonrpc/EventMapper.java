package dev.switchboard.ingest.jsonrpc;

import dev.switchboard.event.Binding;
import dev.switchboard.event.Event;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a softswitch notification (a method name and its parameters) into an event. Well-known
 * notifications become the gateway's own events:
 * <table>
 *   <caption>Built-in mappings</caption>
 *   <tr><th>notification</th><th>event</th></tr>
 *   <tr><td>OpenSIPS {@code E_DLG_STATE_CHANGED}</td><td>{@code new_state} 1 {@code call.initial},
 *       2 {@code call.ringing}, 3 (or 4 straight from 1-2) {@code call.connected}, 5
 *       {@code call.hangup} when it had been answered, else {@code call.missed}</td></tr>
 *   <tr><td>OpenSIPS {@code E_ACC_CDR}</td><td>{@code call.cdr}</td></tr>
 *   <tr><td>OpenSIPS {@code E_ACC_MISSED_EVENT}</td><td>{@code call.missed}</td></tr>
 *   <tr><td>OpenSIPS {@code E_UL_CONTACT_INSERT} / {@code E_UL_CONTACT_DELETE}</td>
 *       <td>{@code registration.registered} / {@code registration.unregistered}</td></tr>
 *   <tr><td>OpenSIPS {@code E_CALL_HOLD}</td><td>{@code call.hold} or {@code call.unhold}</td></tr>
 *   <tr><td>Kamailio {@code dialog.start} / {@code dialog.end} / {@code dialog.failed}</td>
 *       <td>{@code call.connected} / {@code call.hangup} / {@code call.missed}</td></tr>
 *   <tr><td>Kamailio {@code acc.cdr}</td><td>{@code call.cdr}</td></tr>
 * </table>
 * Mappings from configuration ({@code jsonrpc.mappings}: {@code {"method": "E_MY_EVENT",
 * "class": "pbx", "event": "thing"}}) come first. Anything else passes through as class = the
 * source ({@code opensips}, {@code kamailio}), event = the method in lower case. Every parameter
 * is kept; a parameter named like a reserved field is kept as {@code source_NAME}, except a
 * string {@code account_id}, which assigns the event to that account.
 */
public final class EventMapper {

  private record Target(String eventClass, String event) {
  }

  private final Map<String, Target> configured;

  /** @param mappings {@code jsonrpc.mappings} from configuration */
  public EventMapper(JsonArray mappings) {
    this.configured = read(mappings);
  }

  /**
   * Checks configured mappings.
   *
   * @throws IllegalArgumentException naming the first bad entry
   */
  public static void check(JsonArray mappings) {
    read(mappings);
  }

  private static Map<String, Target> read(JsonArray mappings) {
    Map<String, Target> parsed = new HashMap<>();
    for (int i = 0; i < mappings.size(); i++) {
      if (!(mappings.getValue(i) instanceof JsonObject mapping)) {
        throw new IllegalArgumentException("mapping " + (i + 1) + " must be an object");
      }
      String method = mapping.getValue("method") instanceof String text ? text : null;
      String eventClass = mapping.getValue("class") instanceof String text ? text : null;
      String event = mapping.getValue("event") instanceof String text ? text : null;
      if (method == null || eventClass == null || event == null) {
        throw new IllegalArgumentException("mapping " + (i + 1) + " needs string 'method', 'class' and 'event'");
      }
      if (!Binding.CLASS_PATTERN.matcher(eventClass).matches() || !Binding.EVENT_PATTERN.matcher(event).matches()) {
        throw new IllegalArgumentException("mapping " + (i + 1) + ": class or event has characters not allowed");
      }
      parsed.put(method, new Target(eventClass, event));
    }
    return parsed;
  }

  /**
   * Who sent a notification, by its name: OpenSIPS names its events {@code E_...}; everything
   * else on these transports is Kamailio's unless the caller knows better.
   */
  public static String sourceOf(String method, String otherwise) {
    return method != null && method.startsWith("E_") ? "opensips" : otherwise;
  }

  /**
   * The event for one notification.
   *
   * @param source the sender kind, used as the class of unmapped notifications
   * @param transport how it came: {@code datagram}, {@code jsonrpc} or {@code evapi}
   * @param method the JSON-RPC method, or a plain object's {@code event}
   * @param params the notification's parameters (a plain object's fields)
   * @param arrivalMicros used when the parameters carry no time
   */
  public Event map(String source, String transport, String method, Map<String, Object> params,
      long arrivalMicros) {
    Map<String, Object> fields = params;
    if (params.get("record") instanceof Map<?, ?> record && method.startsWith("acc.")) {
      // Kamailio's datagram and evapi shapes wrap acc records: {"event":"acc.cdr","record":{...}}.
      @SuppressWarnings("unchecked")
      Map<String, Object> unwrapped = (Map<String, Object>) record;
      fields = unwrapped;
    }
    Target target = configured.get(method);
    if (target == null) {
      target = builtIn(method, fields);
    }
    if (target == null) {
      target = new Target(source, eventName(method));
    }
    Event.Builder event = Event.builder(target.eventClass, target.event)
        .timestampMicros(timestamp(fields, arrivalMicros))
        .put("source", source)
        .put("transport", transport);
    Map<String, Object> common = target.eventClass.equals("call") || target.eventClass.equals("registration")
        ? normalize(target, fields) : Map.of();
    event.putAll(common);
    fields.forEach((name, value) -> {
      if (common.containsKey(name)) {
        return;
      }
      if (name.equals("account_id") && value instanceof String account && !account.isBlank()) {
        event.accountId(account);
      } else if (Event.RESERVED.contains(name) || name.equals("source") || name.equals("transport")) {
        if (!(name.equals("event") && method.equals(value))) {
          event.put("source_" + name, value);
        }
      } else {
        event.put(name, value);
      }
    });
    return event.build();
  }

  private static Target builtIn(String method, Map<String, Object> params) {
    switch (method) {
      case "E_DLG_STATE_CHANGED": {
        int newState = integer(params.get("new_state"), -1);
        int oldState = integer(params.get("old_state"), -1);
        return switch (newState) {
          case 1 -> new Target("call", "initial");
          case 2 -> new Target("call", "ringing");
          case 3 -> new Target("call", "connected");
          case 4 -> oldState == 3 ? null : new Target("call", "connected");
          case 5 -> oldState >= 3 ? new Target("call", "hangup") : new Target("call", "missed");
          default -> null;
        };
      }
      case "E_ACC_CDR", "acc.cdr":
        return new Target("call", "cdr");
      case "E_ACC_MISSED_EVENT", "dialog.failed":
        return new Target("call", "missed");
      case "E_UL_CONTACT_INSERT":
        return new Target("registration", "registered");
      case "E_UL_CONTACT_DELETE":
        return new Target("registration", "unregistered");
      case "E_CALL_HOLD":
        return new Target("call", held(params) ? "hold" : "unhold");
      case "dialog.start":
        return new Target("call", "connected");
      case "dialog.end":
        return new Target("call", "hangup");
      default:
        return null;
    }
  }

  /**
   * The gateway's common fields, from whichever spelling the source used; they win over a
   * parameter of the same name ({@code "sip_code": "200"} becomes {@code 200}).
   */
  private static Map<String, Object> normalize(Target target, Map<String, Object> params) {
    Map<String, Object> common = new LinkedHashMap<>();
    putIfPresent(common, "call_id", first(params, "call_id", "callid"));
    if (target.eventClass.equals("registration")) {
      putIfPresent(common, "contact", first(params, "contact", "uri"));
      return common;
    }
    Object from = first(params, "from", "caller", "from_user");
    putIfPresent(common, "from", from != null ? from : userOf(first(params, "from_uri")));
    Object to = first(params, "to", "callee", "to_user");
    putIfPresent(common, "to", to != null ? to : userOf(first(params, "to_uri", "ruri")));
    Integer code = sipCode(params);
    putIfPresent(common, "sip_code", code);
    if (target.event.equals("missed") && code != null) {
      common.put("reason", params.get("reason") != null ? params.get("reason") : missedReason(code));
    }
    return common;
  }

  private static void putIfPresent(Map<String, Object> map, String name, Object value) {
    if (value != null) {
      map.put(name, value);
    }
  }

  private static Integer sipCode(Map<String, Object> params) {
    Object code = params.get("sip_code");
    if (code == null && params.get("trigger") instanceof String trigger && trigger.length() >= 3
        && Character.isDigit(trigger.charAt(0))) {
      code = trigger.substring(0, 3);
    }
    int value = integer(code, -1);
    return value >= 100 && value < 700 ? value : null;
  }

  static String missedReason(int code) {
    return switch (code) {
      case 487 -> "cancelled";
      case 486, 600 -> "busy";
      case 408, 480 -> "no_answer";
      case 603 -> "rejected";
      default -> "failed";
    };
  }

  private static boolean held(Map<String, Object> params) {
    Object state = first(params, "state", "status", "action", "hold");
    if (state instanceof Boolean flag) {
      return flag;
    }
    String text = String.valueOf(state).toLowerCase(Locale.ROOT);
    return !(text.contains("unhold") || text.contains("resume") || text.contains("off") || text.equals("0")
        || text.equals("false") || text.equals("active"));
  }

  private static Object first(Map<String, Object> params, String... names) {
    for (String name : names) {
      Object value = params.get(name);
      if (value != null && !(value instanceof String text && text.isEmpty())) {
        return value;
      }
    }
    return null;
  }

  private static Object userOf(Object uri) {
    if (!(uri instanceof String text)) {
      return null;
    }
    int colon = text.indexOf(':');
    int at = text.indexOf('@');
    if (at < 0) {
      return null;
    }
    return text.substring(colon >= 0 && colon < at ? colon + 1 : 0, at);
  }

  private static int integer(Object value, int otherwise) {
    if (value instanceof Number number) {
      return number.intValue();
    }
    if (value instanceof String text) {
      try {
        return Integer.parseInt(text.trim());
      } catch (NumberFormatException e) {
        return otherwise;
      }
    }
    return otherwise;
  }

  /** Seconds (Kamailio prints doubles with up to 17 digits) rounded to microseconds. */
  private static long timestamp(Map<String, Object> params, long arrivalMicros) {
    Object value = first(params, "ts", "time", "timestamp");
    BigDecimal seconds;
    try {
      if (value instanceof BigDecimal decimal) {
        seconds = decimal;
      } else if (value instanceof Number number) {
        seconds = new BigDecimal(number.toString());
      } else if (value instanceof String text) {
        seconds = new BigDecimal(text.trim());
      } else {
        return arrivalMicros;
      }
    } catch (NumberFormatException e) {
      return arrivalMicros;
    }
    if (seconds.signum() <= 0) {
      return arrivalMicros;
    }
    BigDecimal micros = seconds.compareTo(BigDecimal.valueOf(1_000_000_000_000L)) >= 0 ? seconds
        : seconds.movePointRight(6);
    return micros.setScale(0, RoundingMode.HALF_UP).longValue();
  }

  private static String eventName(String method) {
    StringBuilder name = new StringBuilder(method.length());
    for (char c : method.toLowerCase(Locale.ROOT).toCharArray()) {
      name.append(c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == ':' || c == '-') ? c : '_');
    }
    if (name.length() == 0) {
      return "notification";
    }
    return name.length() > 128 ? name.substring(0, 128) : name.toString();
  }
}
