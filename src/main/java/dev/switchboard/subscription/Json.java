package dev.switchboard.subscription;

import dev.switchboard.event.Binding;
import dev.switchboard.event.Bindings;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON form of accounts, keys and subscriptions: what the API shows and what the store keeps
 * (the store's form adds nothing but the key hash, which has its own column). Times are ISO-8601
 * UTC text.
 */
public final class Json {

  private Json() {
  }

  /** Unix milliseconds as ISO-8601 text, {@code null} stays {@code null}. */
  public static String time(Long millis) {
    return millis == null ? null : Instant.ofEpochMilli(millis).toString();
  }

  /** ISO-8601 text as Unix milliseconds, {@code null} stays {@code null}. */
  public static Long millis(String iso) {
    return iso == null ? null : Instant.parse(iso).toEpochMilli();
  }

  /** An account as the API shows it. */
  public static JsonObject write(Account account) {
    return new JsonObject()
        .put("id", account.id())
        .put("name", account.name())
        .put("parent_id", account.parentId())
        .put("created_at", time(account.createdAt()))
        .put("updated_at", time(account.updatedAt()))
        .put("version", account.version());
  }

  /** Reads {@link #write(Account)}'s form. */
  public static Account readAccount(JsonObject json) {
    return new Account(json.getString("id"), json.getString("name"), json.getString("parent_id"),
        millis(json.getString("created_at")), millis(json.getString("updated_at")), json.getLong("version"));
  }

  /** A key as the API shows it: never its secret nor its hash. */
  public static JsonObject write(ApiKey key) {
    return new JsonObject()
        .put("id", key.id())
        .put("name", key.name())
        .put("account_id", key.accountId())
        .put("include_subaccounts", key.includeSubaccounts())
        .put("created_at", time(key.createdAt()))
        .put("updated_at", time(key.updatedAt()))
        .put("last_used_at", time(key.lastUsedAt()))
        .put("expires_at", time(key.expiresAt()))
        .put("version", key.version());
  }

  /** Reads {@link #write(ApiKey)}'s form, with the hash and last use kept beside it. */
  public static ApiKey readKey(JsonObject json, String hash, Long lastUsedAt) {
    return new ApiKey(json.getString("id"), json.getString("name"), json.getString("account_id"),
        json.getBoolean("include_subaccounts"), hash, millis(json.getString("created_at")),
        millis(json.getString("updated_at")), lastUsedAt, millis(json.getString("expires_at")),
        json.getLong("version"));
  }

  /** A subscription as the store keeps it and the API shows it (without the time left). */
  public static JsonObject write(Subscription subscription) {
    JsonArray bindings = new JsonArray();
    subscription.bindings().asList().forEach(binding -> bindings.add(binding.toString()));
    JsonObject filter = new JsonObject();
    for (Filter.Condition condition : subscription.filter().conditions()) {
      filter.put(condition.field(), condition.prefix()
          ? new JsonObject().put("prefix", condition.value()) : condition.value());
    }
    Target target = subscription.target();
    return new JsonObject()
        .put("id", subscription.id())
        .put("name", subscription.name())
        .put("account_id", subscription.accountId())
        .put("include_subaccounts", subscription.includeSubaccounts())
        .put("bindings", bindings)
        .put("filter", filter)
        .put("target", new JsonObject()
            .put("uri", target.uri())
            .put("method", target.method())
            .put("format", target.format())
            .put("headers", new JsonObject(new LinkedHashMap<>(target.headers()))))
        .put("custom_data", subscription.customData().copy())
        .put("retry_schedule", subscription.retrySchedule() == null ? null : new JsonArray(subscription.retrySchedule()))
        .put("enabled", subscription.enabled())
        .put("disabled_reason", subscription.disabledReason())
        .put("expires_at", time(subscription.expiresAt()))
        .put("secret", subscription.secret())
        .put("previous_secret", subscription.previousSecret())
        .put("previous_secret_expires_at", time(subscription.previousSecretUntil()))
        .put("created_at", time(subscription.createdAt()))
        .put("updated_at", time(subscription.updatedAt()))
        .put("version", subscription.version())
        .put("static", subscription.isStatic());
  }

  /** A subscription as the API shows it: {@link #write(Subscription)} and, when it expires, the seconds left. */
  public static JsonObject show(Subscription subscription, long nowMillis) {
    JsonObject json = write(subscription);
    if (subscription.expiresAt() != null) {
      json.put("expires_in_seconds", Math.max(0, (subscription.expiresAt() - nowMillis) / 1000));
    }
    return json;
  }

  /** Reads {@link #write(Subscription)}'s form (trusted: the store's own). */
  public static Subscription readSubscription(JsonObject json) {
    List<Binding> bindings = new ArrayList<>();
    json.getJsonArray("bindings").forEach(text -> bindings.add(Binding.parse((String) text)));
    List<Filter.Condition> conditions = new ArrayList<>();
    json.getJsonObject("filter").forEach(entry -> conditions.add(entry.getValue() instanceof JsonObject prefix
        ? new Filter.Condition(entry.getKey(), true, prefix.getString("prefix"))
        : new Filter.Condition(entry.getKey(), false, entry.getValue())));
    JsonObject target = json.getJsonObject("target");
    Map<String, String> headers = new LinkedHashMap<>();
    target.getJsonObject("headers").forEach(entry -> headers.put(entry.getKey(), (String) entry.getValue()));
    return new Subscription(json.getString("id"), json.getString("name"), json.getString("account_id"),
        json.getBoolean("include_subaccounts"), Bindings.of(bindings), new Filter(conditions),
        new Target(target.getString("uri"), target.getString("method"), target.getString("format"), headers),
        json.getJsonObject("custom_data"), retrySchedule(json.getJsonArray("retry_schedule")), json.getBoolean("enabled"), json.getString("disabled_reason"),
        millis(json.getString("expires_at")), json.getString("secret"), json.getString("previous_secret"),
        millis(json.getString("previous_secret_expires_at")), millis(json.getString("created_at")),
        millis(json.getString("updated_at")), json.getLong("version"), json.getBoolean("static", false));
  }

  private static List<String> retrySchedule(JsonArray delays) {
    return delays == null ? null : delays.stream().map(String::valueOf).toList();
  }
}
