package dev.switchboard.subscription;

import dev.switchboard.http.ApiException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A page of a list: {@code limit} (1 to 500, default 100) and an opaque {@code cursor} (the last
 * id of the previous page). Lists are in id order, which for generated ids is creation order.
 */
record Page(int limit, String after) {

  static final int DEFAULT_PAGE = 100;
  static final int MAX_PAGE = 500;

  /** Reads the query; any parameter other than {@code limit}, {@code cursor} and the filters is refused. */
  static Page of(JsonObject query, Set<String> filters) {
    for (String name : query.fieldNames()) {
      if (!name.equals("limit") && !name.equals("cursor") && !filters.contains(name)) {
        throw new ApiException(400, "invalid_query", "unknown query parameter '" + name + "' (accepted: limit, cursor"
            + (filters.isEmpty() ? "" : ", " + String.join(", ", new TreeSet<>(filters))) + ")");
      }
    }
    int limit = DEFAULT_PAGE;
    String given = query.getString("limit");
    if (given != null) {
      try {
        limit = Integer.parseInt(given);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > MAX_PAGE) {
        throw new ApiException(400, "invalid_query", "limit must be a whole number from 1 to " + MAX_PAGE);
      }
    }
    String after = null;
    String cursor = query.getString("cursor");
    if (cursor != null) {
      try {
        after = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new ApiException(400, "invalid_query", "cursor is not one this API gave out");
      }
    }
    return new Page(limit, after);
  }

  /** The page of those entries that pass {@code keep}, with the next page's cursor when there is one. */
  <T> Reply over(NavigableMap<String, T> all, Predicate<T> keep, Function<T, JsonObject> render) {
    NavigableMap<String, T> rest = after == null ? all : all.tailMap(after, false);
    JsonArray data = new JsonArray();
    String last = null;
    String next = null;
    for (Map.Entry<String, T> entry : rest.entrySet()) {
      if (!keep.test(entry.getValue())) {
        continue;
      }
      if (data.size() == limit) {
        next = Base64.getUrlEncoder().withoutPadding().encodeToString(last.getBytes(StandardCharsets.UTF_8));
        break;
      }
      data.add(render.apply(entry.getValue()));
      last = entry.getKey();
    }
    return Reply.of(200, new JsonObject().put("data", data).put("next_cursor", next));
  }
}
