package dev.switchboard.subscription;

import dev.switchboard.auth.Principal;
import dev.switchboard.auth.Secrets;
import dev.switchboard.bus.Addresses;
import dev.switchboard.config.Durations;
import dev.switchboard.event.Event;
import dev.switchboard.event.EventCatalog;
import dev.switchboard.event.EventIdGenerator;
import dev.switchboard.event.EventJson;
import dev.switchboard.http.ApiException;
import dev.switchboard.store.SqliteStore;
import dev.switchboard.store.Store;
import dev.switchboard.store.StoreConflictException;
import dev.switchboard.webhook.WebhookRequest;
import dev.switchboard.webhook.WebhookSignature;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Owns accounts, keys and subscriptions: serves the {@code /v1} REST commands that
 * {@link SubscriptionApi} forwards over the event bus, keeps everything in the {@link Store}, and
 * keeps the {@link MatchIndex} that other verticles read through {@link SubscriptionIndex}.
 *
 * <p>All state lives on this verticle's event loop; the store is written before memory and the
 * index change, and the reply goes out only after both, so a deleted or disabled subscription
 * matches nothing once the API has answered. Changes run one at a time, in arrival order, so a
 * partial update never works from a stale copy.
 *
 * <p>Config: {@code authkey}, {@code data_dir}, {@code subscriptions.*}.
 */
public final class SubscriptionVerticle extends VerticleBase {

  private static final Logger LOG = System.getLogger(SubscriptionVerticle.class.getName());
  private static final int MAX_ACCOUNT_DEPTH = 32;
  private static final long SWEEP_MILLIS = 1_000;
  private static final long KEY_USE_FLUSH_MILLIS = 10_000;

  private final EventIdGenerator ids = new EventIdGenerator();
  private final NavigableMap<String, Account> accounts = new TreeMap<>();
  private final Map<String, Set<String>> children = new HashMap<>();
  private final NavigableMap<String, ApiKey> keys = new TreeMap<>();
  private final Map<String, ApiKey> keysByHash = new HashMap<>();
  private final NavigableMap<String, Subscription> subscriptions = new TreeMap<>();
  private final Map<String, Long> keyUse = new HashMap<>();
  /** Filed subscriptions with an expiry, soonest first; entries for replaced versions are skipped. */
  private final PriorityQueue<Subscription> expiring = new PriorityQueue<>(Comparator.comparing(Subscription::expiresAt));
  private final MatchIndex index = new MatchIndex(System::currentTimeMillis);
  private Store store;
  private WebClient client;
  private String systemKey;
  private long testTimeoutMillis;
  private long secretRotationGraceMillis;
  private Future<?> changes = Future.succeededFuture();

  @Override
  public Future<?> start() {
    systemKey = config().getString("authkey");
    JsonObject settings = config().getJsonObject("subscriptions");
    testTimeoutMillis = settings.getLong("test_timeout_ms");
    secretRotationGraceMillis = Durations.parseMillis(settings.getString("secret_rotation_grace"));
    client = WebClient.create(vertx, new WebClientOptions()
        .setConnectTimeout((int) Math.min(testTimeoutMillis, 5_000))
        .setFollowRedirects(false), new PoolOptions().setHttp1MaxSize(4).setMaxWaitQueueSize(16));
    return SqliteStore.open(vertx, Path.of(config().getString("data_dir")))
        .compose(opened -> {
          store = opened;
          return store.load();
        })
        .compose(contents -> {
          contents.accounts().forEach(this::putAccount);
          accounts.keySet().forEach(this::refreshChain);
          contents.keys().forEach(this::putKey);
          putStoredSubscriptions(contents.subscriptions());
          loadStatic(settings.getJsonArray("static"));
          vertx.sharedData().getLocalMap(SubscriptionIndex.LOCAL_MAP).put(SubscriptionIndex.KEY, index);
          vertx.setPeriodic(SWEEP_MILLIS, ignored -> sweepExpired());
          vertx.setPeriodic(KEY_USE_FLUSH_MILLIS, ignored -> flushKeyUse());
          MessageConsumer<JsonObject> api = vertx.eventBus().localConsumer(Addresses.SUBSCRIPTION_API, this::command);
          MessageConsumer<String> auth = vertx.eventBus().localConsumer(Addresses.AUTHENTICATE, this::authenticate);
          MessageConsumer<JsonObject> disable = vertx.eventBus().localConsumer(Addresses.SUBSCRIPTION_DISABLE,
              this::disable);
          return Future.all(api.completion(), auth.completion(), disable.completion());
        })
        .recover(failure -> store == null ? Future.failedFuture(failure)
            : store.close().transform(closed -> Future.failedFuture(failure)));
  }

  @Override
  public Future<?> stop() {
    vertx.sharedData().getLocalMap(SubscriptionIndex.LOCAL_MAP).remove(SubscriptionIndex.KEY, index);
    if (client != null) {
      client.close();
    }
    if (store == null) {
      return Future.succeededFuture();
    }
    return changes.transform(ignored -> flushKeyUse()).eventually(store::close);
  }

  /** The live index (for tests and benchmarks on this node). */
  public SubscriptionIndex index() {
    return index;
  }

  private void loadStatic(JsonArray declared) {
    long now = System.currentTimeMillis();
    for (int i = 0; i < declared.size(); i++) {
      if (!(declared.getValue(i) instanceof JsonObject body)) {
        throw new IllegalArgumentException("subscriptions.static[" + i + "]: must be an object");
      }
      JsonObject withSecret = body.copy();
      if (!withSecret.containsKey("secret") && body.getValue("id") instanceof String id) {
        withSecret.put("secret", staticSecret(id));
      }
      Subscription subscription;
      try {
        subscription = Requests.subscription(withSecret, null, null, null, now, true);
      } catch (ApiException e) {
        throw new IllegalArgumentException("subscriptions.static[" + i + "]: " + e.getMessage(), e);
      }
      if (subscriptions.containsKey(subscription.id())) {
        throw new IllegalArgumentException("subscriptions.static[" + i + "]: id '" + subscription.id()
            + "' is already used by another subscription");
      }
      putSubscription(subscription);
    }
  }

  /** A static subscription's secret when configuration gives none: stable while the authkey is. */
  private String staticSecret(String id) {
    byte[] key = WebhookSignature.hmac(systemKey.getBytes(StandardCharsets.UTF_8), "static-subscription:" + id);
    return WebhookSignature.PREFIX + Base64.getEncoder().encodeToString(key);
  }

  // ---- commands ---------------------------------------------------------------------------

  private void command(Message<JsonObject> message) {
    JsonObject command = message.body();
    Future<Reply> reply;
    try {
      Principal principal = principal(command.getString("key"));
      reply = dispatch(command.getString("op"), principal, command);
    } catch (ApiException e) {
      reply = Future.failedFuture(e);
    }
    reply.onComplete(done -> {
      if (done.succeeded()) {
        message.reply(done.result().json());
      } else if (done.cause() instanceof ApiException e) {
        message.reply(new JsonObject().put("status", e.status()).put("body", e.body()));
      } else if (done.cause() instanceof StoreConflictException e) {
        message.reply(new JsonObject().put("status", 409).put("body", new ApiException(409, "conflict",
            e.getMessage() + "; read it again and retry").body()));
      } else {
        LOG.log(Level.ERROR, "subscription command " + command.getString("op") + " failed", done.cause());
        message.reply(new JsonObject().put("status", 500).put("body", new ApiException(500, "internal_error",
            "the gateway failed to handle this request; see its log").body()));
      }
    });
  }

  private Future<Reply> dispatch(String op, Principal principal, JsonObject command) {
    String id = command.getString("id");
    JsonObject query = command.getJsonObject("query", new JsonObject());
    switch (op) {
      case "event_types.list":
        return Future.succeededFuture(eventTypes());
      case "accounts.list":
        return Future.succeededFuture(listAccounts(principal, query));
      case "accounts.get":
        return Future.succeededFuture(Reply.of(200, visibleAccount(principal, id)));
      case "accounts.create":
        return serially(() -> createAccount(principal, body(command)));
      case "accounts.update":
        return serially(() -> updateAccount(principal, id, body(command), command.getString("if_match")));
      case "accounts.delete":
        return serially(() -> deleteAccount(principal, id, command.getString("if_match")));
      case "keys.list":
        return Future.succeededFuture(listKeys(principal, query));
      case "keys.get":
        return Future.succeededFuture(Reply.of(200, visibleKey(principal, id)));
      case "keys.create":
        return serially(() -> createKey(principal, body(command)));
      case "keys.update":
        return serially(() -> updateKey(principal, id, body(command), command.getString("if_match")));
      case "keys.delete":
        return serially(() -> deleteKey(principal, id, command.getString("if_match")));
      case "subscriptions.list":
        return Future.succeededFuture(listSubscriptions(principal, query));
      case "subscriptions.get":
        return withHealth(Reply.of(200, visibleSubscription(principal, id)), id);
      case "subscriptions.create":
        return serially(() -> createSubscription(principal, body(command)));
      case "subscriptions.update":
        return serially(() -> updateSubscription(principal, id, body(command), command.getString("if_match")));
      case "subscriptions.delete":
        return serially(() -> deleteSubscription(principal, id, command.getString("if_match")));
      case "subscriptions.test":
        return test(visibleSubscription(principal, id));
      default:
        return Future.failedFuture(new ApiException(404, "not_found", "no such operation: " + op));
    }
  }

  /** Runs changes one after another, each seeing the state the previous one left. */
  private <T> Future<T> serially(Supplier<Future<T>> change) {
    Future<T> result = changes.transform(ignored -> {
      try {
        return change.get();
      } catch (ApiException e) {
        return Future.failedFuture(e);
      }
    });
    changes = result;
    return result;
  }

  // ---- authentication -----------------------------------------------------------------------

  private Principal principal(String key) {
    if (key == null) {
      throw new ApiException(401, "unauthorized", "a key is required: send 'Authorization: Bearer KEY'");
    }
    if (Secrets.matches(key, systemKey)) {
      return Principal.SYSTEM;
    }
    long now = System.currentTimeMillis();
    ApiKey found = keysByHash.get(hash(key));
    if (found == null || !found.validAt(now)) {
      throw new ApiException(401, "unauthorized", "the key is unknown, revoked or expired");
    }
    ApiKey used = found.usedAt(now);
    keys.put(used.id(), used);
    keysByHash.put(used.hash(), used);
    keyUse.put(used.id(), now);
    return found.principal();
  }

  private void authenticate(Message<String> message) {
    try {
      Principal principal = principal(message.body());
      message.reply(new JsonObject().put("account_id", principal.accountId())
          .put("include_subaccounts", principal.includeSubaccounts()));
    } catch (ApiException e) {
      message.fail(401, e.getMessage());
    }
  }

  private Future<Void> flushKeyUse() {
    if (keyUse.isEmpty() || store == null) {
      return Future.succeededFuture();
    }
    Map<String, Long> batch = new HashMap<>(keyUse);
    keyUse.clear();
    return store.recordKeyUse(batch)
        .onFailure(failure -> LOG.log(Level.WARNING, "cannot record key use: " + failure.getMessage()))
        .recover(failure -> Future.succeededFuture());
  }

  static String hash(String key) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is unavailable", e);
    }
  }

  // ---- tenancy ------------------------------------------------------------------------------

  private void requireCovers(Principal principal, String accountId, String what) {
    if (!index.covers(principal, accountId)) {
      throw new ApiException(403, "forbidden", "this key may not touch " + what);
    }
  }

  private void requireAccount(String accountId, String field) {
    if (accountId != null && !accounts.containsKey(accountId)) {
      throw new ApiException(400, "invalid_request", field + ": no account '" + accountId + "'",
          new JsonArray().add(new JsonObject().put("field", field).put("message", "no account '" + accountId + "'")),
          null);
    }
  }

  private static void requireVersion(String ifMatch, long version) {
    if (ifMatch == null) {
      return;
    }
    String text = ifMatch.trim();
    if (text.equals("*")) {
      return;
    }
    if (text.startsWith("W/")) {
      text = text.substring(2);
    }
    text = text.replace("\"", "");
    long expected;
    try {
      expected = Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new ApiException(400, "invalid_if_match", "If-Match must hold a version number such as \"3\"");
    }
    if (expected != version) {
      throw new ApiException(409, "version_conflict", "the resource is at version " + version
          + ", not " + expected + "; read it again and retry");
    }
  }

  // ---- accounts -----------------------------------------------------------------------------

  private Account visibleAccount(Principal principal, String id) {
    Account account = accounts.get(id);
    if (account == null) {
      throw new ApiException(404, "not_found", "no account '" + id + "'");
    }
    requireCovers(principal, id, "account '" + id + "'");
    return account;
  }

  private Reply listAccounts(Principal principal, JsonObject query) {
    Page page = Page.of(query, Set.of("parent_id"));
    String parent = query.getString("parent_id");
    return page.over(accounts, account -> index.covers(principal, account.id())
        && (parent == null || parent.equals(account.parentId())), Json::write);
  }

  private Future<Reply> createAccount(Principal principal, JsonObject body) {
    long now = System.currentTimeMillis();
    Account account = Requests.account(body, null, "acc_" + ids.next(), now);
    if (account.parentId() == null && !principal.isSystem()) {
      throw new ApiException(403, "forbidden", "only the system key creates top-level accounts; give parent_id");
    }
    requireAccount(account.parentId(), "parent_id");
    if (account.parentId() != null) {
      requireCovers(principal, account.parentId(), "account '" + account.parentId() + "'");
      if (!principal.isSystem() && !principal.includeSubaccounts()) {
        throw new ApiException(403, "forbidden", "this key does not cover sub-accounts, so it cannot create one");
      }
    }
    if (accounts.containsKey(account.id())) {
      throw new ApiException(409, "conflict", "account '" + account.id() + "' exists");
    }
    return store.insert(account).map(stored -> {
      putAccount(account);
      refreshChain(account.id());
      return Reply.of(201, account);
    });
  }

  private Future<Reply> updateAccount(Principal principal, String id, JsonObject body, String ifMatch) {
    Account current = visibleAccount(principal, id);
    requireVersion(ifMatch, current.version());
    Account next = Requests.account(body, current, null, System.currentTimeMillis());
    if (!Objects.equals(current.parentId(), next.parentId())) {
      if (id.equals(principal.accountId())) {
        throw new ApiException(403, "forbidden", "a key cannot move its own account");
      }
      if (next.parentId() == null && !principal.isSystem()) {
        throw new ApiException(403, "forbidden", "only the system key makes an account top-level");
      }
      requireAccount(next.parentId(), "parent_id");
      if (next.parentId() != null) {
        requireCovers(principal, next.parentId(), "account '" + next.parentId() + "'");
        if (subtree(id).contains(next.parentId())) {
          throw new ApiException(409, "conflict", "parent_id '" + next.parentId() + "' is below '" + id
              + "': accounts form a tree");
        }
      }
    }
    return store.update(next, current.version()).map(stored -> {
      removeAccount(current);
      putAccount(next);
      subtree(id).forEach(this::refreshChain);
      return Reply.of(200, next);
    });
  }

  private Future<Reply> deleteAccount(Principal principal, String id, String ifMatch) {
    Account current = visibleAccount(principal, id);
    requireVersion(ifMatch, current.version());
    if (id.equals(principal.accountId())) {
      throw new ApiException(403, "forbidden", "a key cannot delete its own account");
    }
    boolean hasChildren = !children.getOrDefault(id, Set.of()).isEmpty();
    boolean hasKeys = keys.values().stream().anyMatch(key -> id.equals(key.accountId()));
    boolean hasSubscriptions = subscriptions.values().stream().anyMatch(sub -> id.equals(sub.accountId()));
    if (hasChildren || hasKeys || hasSubscriptions) {
      throw new ApiException(409, "account_in_use", "account '" + id + "' still has "
          + (hasChildren ? "sub-accounts" : hasKeys ? "keys" : "subscriptions") + "; delete those first");
    }
    return store.deleteAccount(id).map(stored -> {
      removeAccount(current);
      index.forgetChain(id);
      return Reply.noContent();
    });
  }

  private void putAccount(Account account) {
    accounts.put(account.id(), account);
    if (account.parentId() != null) {
      children.computeIfAbsent(account.parentId(), ignored -> new TreeSet<>()).add(account.id());
    }
  }

  private void removeAccount(Account account) {
    accounts.remove(account.id());
    if (account.parentId() != null) {
      Set<String> siblings = children.get(account.parentId());
      if (siblings != null) {
        siblings.remove(account.id());
      }
    }
  }

  private void refreshChain(String id) {
    List<String> chain = new ArrayList<>();
    String at = id;
    while (at != null && chain.size() < MAX_ACCOUNT_DEPTH && !chain.contains(at)) {
      chain.add(at);
      Account account = accounts.get(at);
      at = account == null ? null : account.parentId();
    }
    index.chain(id, chain);
  }

  private List<String> subtree(String id) {
    List<String> all = new ArrayList<>();
    all.add(id);
    for (int i = 0; i < all.size(); i++) {
      all.addAll(children.getOrDefault(all.get(i), Set.of()));
    }
    return all;
  }

  // ---- keys ---------------------------------------------------------------------------------

  private ApiKey visibleKey(Principal principal, String id) {
    ApiKey key = keys.get(id);
    if (key == null) {
      throw new ApiException(404, "not_found", "no key '" + id + "'");
    }
    requireCovers(principal, key.accountId(), "key '" + id + "'");
    return key;
  }

  private Reply listKeys(Principal principal, JsonObject query) {
    Page page = Page.of(query, Set.of("account_id"));
    String account = query.getString("account_id");
    return page.over(keys, key -> index.covers(principal, key.accountId())
        && (account == null || account.equals(key.accountId())), Json::write);
  }

  private Future<Reply> createKey(Principal principal, JsonObject body) {
    String secret = Secrets.newKey("ak_");
    ApiKey key = Requests.key(body, null, "key_" + ids.next(), hash(secret), principal.accountId(),
        System.currentTimeMillis());
    requireAccount(key.accountId(), "account_id");
    requireCovers(principal, key.accountId(), key.accountId() == null ? "system keys" : "account '" + key.accountId() + "'");
    if (key.includeSubaccounts() && !principal.includeSubaccounts()) {
      throw new ApiException(403, "forbidden", "this key does not cover sub-accounts, so neither can a key it creates");
    }
    return store.insert(key).map(stored -> {
      putKey(key);
      return Reply.of(201, Json.write(key).put("secret", secret), key.version());
    });
  }

  private Future<Reply> updateKey(Principal principal, String id, JsonObject body, String ifMatch) {
    ApiKey current = visibleKey(principal, id);
    requireVersion(ifMatch, current.version());
    ApiKey next = Requests.key(body, current, null, null, null, System.currentTimeMillis());
    return store.update(next, current.version()).map(stored -> {
      putKey(next);
      return Reply.of(200, Json.write(next), next.version());
    });
  }

  private Future<Reply> deleteKey(Principal principal, String id, String ifMatch) {
    ApiKey current = visibleKey(principal, id);
    requireVersion(ifMatch, current.version());
    return store.deleteKey(id).map(stored -> {
      keys.remove(id);
      keysByHash.remove(current.hash());
      keyUse.remove(id);
      return Reply.noContent();
    });
  }

  private void putKey(ApiKey key) {
    keys.put(key.id(), key);
    keysByHash.put(key.hash(), key);
  }

  // ---- subscriptions ------------------------------------------------------------------------

  /**
   * Adds the fan-out's delivery health (last success and failure, consecutive failures, pending
   * count); a reply without it when the fan-out does not answer in time.
   */
  private Future<Reply> withHealth(Reply reply, String id) {
    return vertx.eventBus().<JsonObject>request(Addresses.DELIVERY_API,
            new JsonObject().put("op", "health").put("subscription_id", id),
            new DeliveryOptions().setLocalOnly(true).setSendTimeout(2_000))
        .map(health -> {
          reply.body().put("health", health.body());
          return reply;
        })
        .otherwise(reply);
  }

  private Subscription visibleSubscription(Principal principal, String id) {
    Subscription subscription = subscriptions.get(id);
    if (subscription == null) {
      throw new ApiException(404, "not_found", "no subscription '" + id + "'");
    }
    requireCovers(principal, subscription.accountId(), "subscription '" + id + "'");
    return subscription;
  }

  private Reply listSubscriptions(Principal principal, JsonObject query) {
    Page page = Page.of(query, Set.of("account_id", "enabled"));
    String account = query.getString("account_id");
    String enabled = query.getString("enabled");
    if (enabled != null && !enabled.equals("true") && !enabled.equals("false")) {
      throw new ApiException(400, "invalid_query", "enabled must be true or false");
    }
    long now = System.currentTimeMillis();
    return page.over(subscriptions, sub -> index.covers(principal, sub.accountId())
        && (account == null || account.equals(sub.accountId()))
        && (enabled == null || Boolean.parseBoolean(enabled) == sub.enabled()), sub -> Json.show(sub, now));
  }

  private Future<Reply> createSubscription(Principal principal, JsonObject body) {
    long now = System.currentTimeMillis();
    Subscription subscription = Requests.subscription(body, null, "sub_" + ids.next(), principal.accountId(), now,
        false);
    requireAccount(subscription.accountId(), "account_id");
    requireCovers(principal, subscription.accountId(), subscription.accountId() == null
        ? "system subscriptions" : "account '" + subscription.accountId() + "'");
    return store.insert(subscription).map(stored -> {
      putSubscription(subscription);
      return Reply.of(201, Json.show(subscription, now), subscription.version());
    });
  }

  private Future<Reply> updateSubscription(Principal principal, String id, JsonObject body, String ifMatch) {
    Subscription current = writableSubscription(principal, id, ifMatch);
    long now = System.currentTimeMillis();
    Subscription patched = Requests.subscription(body, current, null, null, now, false);
    // A new secret: receivers get signatures with both until they have switched.
    Subscription next = patched.secret().equals(current.secret()) ? patched
        : patched.withPreviousSecret(current.secret(), now + secretRotationGraceMillis);
    if (!Objects.equals(current.accountId(), next.accountId())) {
      requireAccount(next.accountId(), "account_id");
      requireCovers(principal, next.accountId(), next.accountId() == null
          ? "system subscriptions" : "account '" + next.accountId() + "'");
    }
    return store.update(next, current.version()).map(stored -> {
      putSubscription(next);
      return Reply.of(200, Json.show(next, now), next.version());
    });
  }

  private Future<Reply> deleteSubscription(Principal principal, String id, String ifMatch) {
    Subscription current = writableSubscription(principal, id, ifMatch);
    return store.deleteSubscription(id).map(stored -> {
      subscriptions.remove(id);
      index.replace(current, null);
      return Reply.noContent();
    });
  }

  private Subscription writableSubscription(Principal principal, String id, String ifMatch) {
    Subscription current = visibleSubscription(principal, id);
    if (current.isStatic()) {
      throw new ApiException(409, "read_only", "subscription '" + id
          + "' is declared in the configuration (subscriptions.static); change it there");
    }
    requireVersion(ifMatch, current.version());
    return current;
  }

  private void disable(Message<JsonObject> message) {
    String id = message.body().getString("id");
    String reason = message.body().getString("reason", "disabled by the gateway");
    serially(() -> {
      Subscription current = subscriptions.get(id);
      if (current == null) {
        return Future.failedFuture(new ApiException(404, "not_found", "no subscription '" + id + "'"));
      }
      Subscription next = current.disabled(reason, System.currentTimeMillis());
      Future<Void> stored = current.isStatic() ? Future.succeededFuture() : store.update(next, current.version());
      return stored.map(done -> {
        putSubscription(next);
        return Json.write(next);
      });
    }).onComplete(done -> {
      if (done.succeeded()) {
        message.reply(done.result());
      } else {
        message.fail(done.cause() instanceof ApiException e ? e.status() : 500, done.cause().getMessage());
      }
    });
  }

  /** The stored subscriptions, at start: filed in the index in one go. */
  private void putStoredSubscriptions(Collection<Subscription> stored) {
    stored.forEach(this::remember);
    index.fileAll(stored);
  }

  private void putSubscription(Subscription subscription) {
    index.replace(remember(subscription), subscription);
  }

  /** Keeps a subscription (and when it expires); the version it replaces, or {@code null}. */
  private Subscription remember(Subscription subscription) {
    Subscription previous = subscriptions.put(subscription.id(), subscription);
    if (subscription.enabled() && subscription.expiresAt() != null) {
      expiring.add(subscription);
    }
    return previous;
  }

  /** Takes expired subscriptions out of the index (matching already skips them; this frees their slots). */
  private void sweepExpired() {
    long now = System.currentTimeMillis();
    while (!expiring.isEmpty() && expiring.peek().expiresAt() <= now) {
      Subscription expired = expiring.poll();
      if (subscriptions.get(expired.id()) == expired) {
        index.replace(expired, null);
      }
    }
  }

  private Future<Reply> test(Subscription subscription) {
    Event sample = EventCatalog.sample(subscription.bindings().asList().get(0),
        subscription.accountId()).stamped(ids.next(), config().getString("node_id"));
    long started = System.nanoTime();
    return WebhookRequest.send(client, subscription, sample, sample.id() + "." + subscription.id(), testTimeoutMillis)
        .map(response -> new JsonObject().put("delivered", response.statusCode() / 100 == 2)
            .put("status", response.statusCode()))
        .recover(failure -> Future.succeededFuture(new JsonObject().put("delivered", false)
            .put("error", String.valueOf(failure.getMessage()))))
        .map(outcome -> Reply.of(200, outcome
            .put("latency_ms", (System.nanoTime() - started) / 1_000_000)
            .put("event", sample.toJsonObject())));
  }

  private static Reply eventTypes() {
    JsonArray types = new JsonArray();
    for (EventCatalog.EventType type : EventCatalog.all()) {
      types.add(new JsonObject()
          .put("type", type.type())
          .put("class", type.eventClass())
          .put("event", type.event())
          .put("variable_event", type.variableEvent())
          .put("source", String.join(", ", EventCatalog.ids(type.sources())))
          .put("sources", new JsonArray(EventCatalog.ids(type.sources())))
          .put("description", type.description())
          .put("fields", new JsonArray(new ArrayList<>(EventCatalog.describe(type))))
          .put("extra_fields", type.passthrough().isEmpty() ? null : new JsonObject()
              .put("sources", new JsonArray(EventCatalog.ids(type.passthrough())))
              .put("description", EventCatalog.PASSTHROUGH))
          .put("sample", type.sample("acc_example").toJsonObject()));
    }
    return Reply.of(200, new JsonObject().put("data", types).put("note", "POST /v1/events also accepts"
        + " events of any other class and name, and jsonrpc.mappings in the configuration may name others;"
        + " subscriptions bind to them the same way. A type whose event is * has a variable name"
        + " (variable_event says how it is made); bind to it as class.* or by the name"));
  }

  private static JsonObject body(JsonObject command) {
    String text = command.getString("body");
    if (text == null || text.isBlank()) {
      throw new ApiException(400, "invalid_body", "the body must be a JSON object");
    }
    try {
      return new JsonObject(new LinkedHashMap<>(EventJson.parseObject(text)));
    } catch (IOException e) {
      throw new ApiException(400, "malformed_json", "the body is not a JSON object: "
          + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
    }
  }
}
