package dev.switchboard.ingest.jsonrpc;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One softswitch notification read from a JSON object: either JSON-RPC 2.0
 * ({@code {"jsonrpc":"2.0","method":"E_X","params":{...},"id":1}}) or a plain object whose
 * {@code event} names it (Kamailio {@code send_data}, {@code evapi}).
 *
 * @param method the method or event name
 * @param params the parameters (a plain object's own fields; positional params under {@code params})
 * @param id the JSON-RPC request id, {@code null} for a notification
 * @param request whether the sender expects a reply (a JSON-RPC object with an {@code id})
 */
record Notification(String method, Map<String, Object> params, Object id, boolean request) {

  /** The notification in an object, or {@code null} when it is a JSON-RPC reply (nothing to ingest). */
  static Notification read(Map<String, Object> object, String plainDefaultMethod) {
    if (object.containsKey("jsonrpc") || (object.containsKey("method") && object.containsKey("params"))) {
      if (!(object.get("method") instanceof String method)) {
        return null;
      }
      Object params = object.get("params");
      Map<String, Object> fields;
      if (params instanceof Map<?, ?> map) {
        @SuppressWarnings("unchecked")
        Map<String, Object> named = (Map<String, Object>) map;
        fields = named;
      } else {
        fields = new LinkedHashMap<>();
        if (params instanceof List<?> || params != null) {
          fields.put("params", params);
        }
      }
      return new Notification(method, fields, object.get("id"), object.containsKey("id") && object.get("id") != null);
    }
    Object event = object.get("event");
    String method = event instanceof String name && !name.isBlank() ? name : plainDefaultMethod;
    return new Notification(method, object, null, false);
  }
}
