package dev.switchboard.store;

import dev.switchboard.subscription.Account;
import dev.switchboard.subscription.ApiKey;
import dev.switchboard.subscription.Subscription;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;

/**
 * Where accounts, keys and subscriptions are kept. Every method is asynchronous and safe to call
 * from an event loop: an implementation does its blocking I/O elsewhere. Writes that name an
 * expected version fail with {@link StoreConflictException} when the stored row has another
 * version (or, for inserts, when the id is taken), so two writers can never lose each other's
 * change.
 *
 * <p>{@link SqliteStore} is the embedded default; a shared store for clusters implements the
 * same interface.
 */
public interface Store {

  /** Everything stored, read once at start. */
  Future<Contents> load();

  /** Adds an account; fails with {@link StoreConflictException} when the id is taken. */
  Future<Void> insert(Account account);

  /** Replaces an account whose stored version is {@code expectedVersion}. */
  Future<Void> update(Account account, long expectedVersion);

  /** Removes an account (its keys and subscriptions must be gone first). */
  Future<Void> deleteAccount(String id);

  /** Adds a key. */
  Future<Void> insert(ApiKey key);

  /** Replaces a key whose stored version is {@code expectedVersion}. */
  Future<Void> update(ApiKey key, long expectedVersion);

  /** Records when keys were last used (key id to Unix milliseconds); keys gone meanwhile are skipped. */
  Future<Void> recordKeyUse(Map<String, Long> lastUsed);

  /** Removes a key. */
  Future<Void> deleteKey(String id);

  /** Adds a subscription. */
  Future<Void> insert(Subscription subscription);

  /** Replaces a subscription whose stored version is {@code expectedVersion}. */
  Future<Void> update(Subscription subscription, long expectedVersion);

  /** Removes a subscription. */
  Future<Void> deleteSubscription(String id);

  /** Releases the store's resources; pending writes finish first. */
  Future<Void> close();

  /** The whole stored state. */
  record Contents(List<Account> accounts, List<ApiKey> keys, List<Subscription> subscriptions) {
  }
}
