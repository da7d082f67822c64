package dev.switchboard.subscription;

import dev.switchboard.config.Durations;
import dev.switchboard.event.Binding;
import dev.switchboard.event.Bindings;
import dev.switchboard.event.Event;
import dev.switchboard.webhook.WebhookSignature;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Strict readers for the bodies of {@code POST} and {@code PATCH} requests: unknown fields, fields
 * of the wrong type and invalid values are all reported at once as a 400. Tenancy and existence
 * are the verticle's to check; these only read.
 */
final class Requests {

  /** Ids a client may choose for an account: what softswitches put in {@code account_id}. */
  static final Pattern ACCOUNT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}");
  static final int MAX_NAME = 200;
  static final int MAX_BINDINGS = 64;
  private static final int MAX_RETRY_ATTEMPTS = 30;
  private static final long MAX_RETRY_DELAY_MILLIS = 7 * 86_400_000L;
  static final int MAX_FILTER_FIELDS = 32;
  static final int MAX_HEADERS = 32;
  static final int MAX_CUSTOM_DATA_BYTES = 16 * 1024;
  static final int MAX_URI = 2048;

  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}");
  private static final Pattern HEADER_VALUE = Pattern.compile("[^\\r\\n\\x00]{0,1024}");
  private static final Pattern SECRET = Pattern.compile("whsec_[A-Za-z0-9+/]{32,128}={0,2}");
  private static final Set<String> RESERVED_HEADERS = Set.of("host", "content-length", "content-type",
      "transfer-encoding", "connection", "user-agent", "webhook-id", "webhook-timestamp", "webhook-signature");

  private static final Set<String> SUBSCRIPTION_FIELDS = Set.of("name", "account_id", "include_subaccounts",
      "bindings", "filter", "target", "custom_data", "retry_schedule", "enabled", "disabled_reason", "expires_at", "secret");
  private static final Set<String> SUBSCRIPTION_READ_ONLY = Set.of("id", "created_at", "updated_at", "version", "static",
      "previous_secret", "previous_secret_expires_at");
  private static final Set<String> TARGET_FIELDS = Set.of("uri", "method", "format", "headers");
  private static final Set<String> ACCOUNT_READ_ONLY = Set.of("created_at", "updated_at", "version");
  private static final Set<String> KEY_READ_ONLY = Set.of("id", "created_at", "updated_at", "last_used_at", "version");

  private Requests() {
  }

  /**
   * Reads a subscription to create ({@code current == null}) or the patch of one.
   *
   * @param id the new subscription's id (ignored for a patch)
   * @param defaultAccount the account when the body names none
   * @param allowId whether the body may carry its own {@code id} (static subscriptions)
   */
  static Subscription subscription(JsonObject body, Subscription current, String id, String defaultAccount,
      long now, boolean allowId) {
    Fields given = new Fields(body);
    Set<String> known = allowId ? union(SUBSCRIPTION_FIELDS, Set.of("id")) : SUBSCRIPTION_FIELDS;
    given.only(known, allowId ? Set.of("created_at", "updated_at", "version", "static") : SUBSCRIPTION_READ_ONLY);
    JsonObject merged = body;
    if (current != null) {
      merged = Json.write(current);
      JsonObject target = merged.getJsonObject("target");
      for (String field : body.fieldNames()) {
        if (field.equals("target") && body.getValue("target") instanceof JsonObject patch) {
          target.mergeIn(patch);
        } else {
          merged.put(field, body.getValue(field));
        }
      }
    }
    Fields fields = current == null ? given : new Fields(merged);
    if (allowId) {
      id = fields.string("id", null, 128, ACCOUNT_ID);
      if (id == null) {
        fields.problem("id", "is required");
      }
    }
    String name = fields.string("name", "", MAX_NAME, null);
    String account = fields.has("account_id") ? fields.string("account_id", null, 128, ACCOUNT_ID) : defaultAccount;
    boolean includeSubaccounts = fields.bool("include_subaccounts", false);
    Bindings bindings = bindings(fields);
    Filter filter = filter(fields);
    Target target = target(fields);
    JsonObject customData = customData(fields);
    List<String> retrySchedule = retrySchedule(fields);
    boolean enabled = fields.bool("enabled", true);
    String reason = enabled ? null : fields.string("disabled_reason", "disabled through the API", 500, null);
    if (current != null && !enabled && current.enabled() && !body.containsKey("disabled_reason")) {
      reason = "disabled through the API";
    }
    Long expiresAt = fields.futureTime("expires_at", null, now, body.containsKey("expires_at"));
    String secret = fields.string("secret", null, 140, SECRET);
    if (secret != null && SECRET.matcher(secret).matches() && !decodes(secret)) {
      fields.problem("secret", "must be whsec_ followed by standard base64 of at least 24 bytes");
    }
    given.check();
    fields.check();
    if (current == null) {
      return new Subscription(id, name, account, includeSubaccounts, bindings, filter, target, customData, retrySchedule, enabled,
          reason, expiresAt, secret == null ? WebhookSignature.newSecret() : secret, null, null, now, now, 1, allowId);
    }
    return new Subscription(current.id(), name, account, includeSubaccounts, bindings, filter, target, customData, retrySchedule,
        enabled, reason, expiresAt, secret == null ? WebhookSignature.newSecret() : secret, current.previousSecret(), current.previousSecretUntil(), current.createdAt(), now, current.version() + 1, current.isStatic());
  }

  private static boolean decodes(String secret) {
    try {
      return WebhookSignature.key(secret).length >= 24;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** An optional list of 1 to 30 durations; {@code null} (absent or null) means the node's schedule. */
  private static List<String> retrySchedule(Fields fields) {
    Object value = fields.json().getValue("retry_schedule");
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonArray array) || array.isEmpty() || array.size() > MAX_RETRY_ATTEMPTS) {
      fields.problem("retry_schedule", "must be an array of 1 to " + MAX_RETRY_ATTEMPTS
          + " delays such as [\"0s\", \"30s\", \"5m\"], or null for the node's schedule");
      return null;
    }
    List<String> delays = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      try {
        String delay = String.valueOf(array.getValue(i));
        if (!(array.getValue(i) instanceof String) || Durations.parseMillis(delay) > MAX_RETRY_DELAY_MILLIS) {
          throw new IllegalArgumentException("must be a duration of at most 7d such as \"30s\"");
        }
        delays.add(delay);
      } catch (IllegalArgumentException e) {
        fields.problem("retry_schedule[" + i + "]", e.getMessage());
      }
    }
    return List.copyOf(delays);
  }

  private static Bindings bindings(Fields fields) {
    Object value = fields.json().getValue("bindings");
    if (value == null) {
      fields.problem("bindings", "is required, e.g. [\"call.*\", \"message.received\"] or [\"*\"]");
      return Bindings.ALL;
    }
    if (!(value instanceof JsonArray array) || array.isEmpty() || array.size() > MAX_BINDINGS) {
      fields.problem("bindings", "must be an array of 1 to " + MAX_BINDINGS + " bindings such as \"call.*\"");
      return Bindings.ALL;
    }
    List<Binding> parsed = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      Object item = array.getValue(i);
      try {
        if (!(item instanceof String text)) {
          throw new IllegalArgumentException("binding must be a string");
        }
        parsed.add(Binding.parse(text));
      } catch (IllegalArgumentException e) {
        fields.problem("bindings[" + i + "]", "is malformed: " + e.getMessage());
      }
    }
    return parsed.contains(Binding.ALL) ? Bindings.ALL : Bindings.of(parsed);
  }

  private static Filter filter(Fields fields) {
    Fields filter = fields.object("filter", false);
    if (filter == null) {
      return Filter.NONE;
    }
    JsonObject json = filter.json();
    if (json.size() > MAX_FILTER_FIELDS) {
      fields.problem("filter", "may hold at most " + MAX_FILTER_FIELDS + " fields");
    }
    List<Filter.Condition> conditions = new ArrayList<>();
    for (Map.Entry<String, Object> entry : json) {
      Object value = entry.getValue();
      if (value instanceof String || value instanceof Number || value instanceof Boolean) {
        conditions.add(new Filter.Condition(entry.getKey(), false, value));
      } else if (value instanceof JsonObject prefix && prefix.size() == 1 && prefix.getValue("prefix") instanceof String text) {
        conditions.add(new Filter.Condition(entry.getKey(), true, text));
      } else {
        filter.problem(entry.getKey(), "must be a string, number or boolean to compare with, or {\"prefix\": \"text\"};"
            + " filters apply to top-level scalar fields only");
      }
    }
    return new Filter(conditions);
  }

  private static Target target(Fields fields) {
    Fields target = fields.object("target", true);
    if (target == null) {
      return null;
    }
    target.only(TARGET_FIELDS, Set.of());
    String uri = target.string("uri", null, MAX_URI, null);
    if (uri == null) {
      target.problem("uri", "is required");
    } else if (!httpUri(uri)) {
      target.problem("uri", "must be an absolute http:// or https:// URI with a host");
    }
    String method = target.string("method", "POST", 10, null).toUpperCase(Locale.ROOT);
    if (!Target.METHODS.contains(method)) {
      target.problem("method", "must be one of " + Target.METHODS);
    }
    String format = target.string("format", "json", 10, null).toLowerCase(Locale.ROOT);
    if (!Target.FORMATS.contains(format)) {
      target.problem("format", "must be one of " + Target.FORMATS);
    }
    Map<String, String> headers = new LinkedHashMap<>();
    Fields given = target.object("headers", false);
    if (given != null) {
      if (given.json().size() > MAX_HEADERS) {
        target.problem("headers", "may hold at most " + MAX_HEADERS + " headers");
      }
      for (Map.Entry<String, Object> header : given.json()) {
        String name = header.getKey();
        if (!HEADER_NAME.matcher(name).matches()) {
          given.problem(name, "is not a valid header name");
        } else if (RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
          given.problem(name, "is set by the gateway and cannot be overridden");
        } else if (!(header.getValue() instanceof String value) || !HEADER_VALUE.matcher(value).matches()) {
          given.problem(name, "must be a string of at most 1024 characters without line breaks");
        } else {
          headers.put(name, value);
        }
      }
    }
    return new Target(uri, method, format, headers);
  }

  private static boolean httpUri(String text) {
    try {
      URI uri = new URI(text);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private static JsonObject customData(Fields fields) {
    Fields data = fields.object("custom_data", false);
    if (data == null) {
      return new JsonObject();
    }
    for (String name : data.json().fieldNames()) {
      if (Event.RESERVED.contains(name)) {
        data.problem(name, "is an event field the gateway sets and cannot be overridden");
      }
    }
    if (data.json().encode().length() > MAX_CUSTOM_DATA_BYTES) {
      fields.problem("custom_data", "must encode to at most " + MAX_CUSTOM_DATA_BYTES + " bytes");
    }
    return data.json().copy();
  }

  /** Reads an account to create ({@code current == null}) or the patch of one. */
  static Account account(JsonObject body, Account current, String generatedId, long now) {
    Fields fields = new Fields(body);
    fields.only(current == null ? Set.of("id", "name", "parent_id") : Set.of("name", "parent_id"),
        current == null ? ACCOUNT_READ_ONLY : union(ACCOUNT_READ_ONLY, Set.of("id")));
    String id = current == null ? fields.string("id", generatedId, 128, ACCOUNT_ID) : current.id();
    String name = fields.string("name", current == null ? null : current.name(), MAX_NAME, null);
    if (name == null || name.isBlank()) {
      fields.problem("name", "is required and must not be blank");
    }
    String parent = fields.has("parent_id") ? fields.string("parent_id", null, 128, ACCOUNT_ID)
        : current == null ? null : current.parentId();
    if (id != null && id.equals(parent)) {
      fields.problem("parent_id", "cannot be the account itself");
    }
    fields.check();
    return current == null ? new Account(id, name, parent, now, now, 1)
        : new Account(id, name, parent, current.createdAt(), now, current.version() + 1);
  }

  /** Reads a key to create ({@code current == null}) or the patch of one (name and expiry only). */
  static ApiKey key(JsonObject body, ApiKey current, String id, String hash, String defaultAccount, long now) {
    Fields fields = new Fields(body);
    fields.only(current == null ? Set.of("name", "account_id", "include_subaccounts", "expires_at")
        : Set.of("name", "expires_at"), current == null ? KEY_READ_ONLY
        : union(KEY_READ_ONLY, Set.of("account_id", "include_subaccounts")));
    String name = fields.string("name", current == null ? "" : current.name(), MAX_NAME, null);
    Long expiresAt = fields.futureTime("expires_at", current == null ? null : current.expiresAt(), now,
        body.containsKey("expires_at"));
    if (current != null) {
      fields.check();
      return new ApiKey(current.id(), name, current.accountId(), current.includeSubaccounts(), current.hash(),
          current.createdAt(), now, current.lastUsedAt(), expiresAt, current.version() + 1);
    }
    String account = fields.has("account_id") ? fields.string("account_id", null, 128, ACCOUNT_ID) : defaultAccount;
    boolean includeSubaccounts = fields.bool("include_subaccounts", false);
    fields.check();
    return new ApiKey(id, name, account, includeSubaccounts, hash, now, now, null, expiresAt, 1);
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new HashSet<>(a);
    all.addAll(b);
    return Set.copyOf(all);
  }
}
