package dev.switchboard.subscription;

import io.vertx.core.json.JsonObject;

/** A reply: status, body, and the version for the {@code ETag} header. */
record Reply(int status, JsonObject body, Long version) {

  static Reply of(int status, Account account) {
    return new Reply(status, Json.write(account), account.version());
  }

  static Reply of(int status, ApiKey key) {
    return new Reply(status, Json.write(key), key.version());
  }

  static Reply of(int status, Subscription subscription) {
    return new Reply(status, Json.show(subscription, System.currentTimeMillis()), subscription.version());
  }

  static Reply of(int status, JsonObject body) {
    return new Reply(status, body, null);
  }

  static Reply of(int status, JsonObject body, long version) {
    return new Reply(status, body, version);
  }

  static Reply noContent() {
    return new Reply(204, null, null);
  }

  JsonObject json() {
    JsonObject json = new JsonObject().put("status", status).put("body", body);
    return version == null ? json : json.put("etag", "\"" + version + "\"");
  }
}
