package dev.switchboard.subscription;

import dev.switchboard.auth.Principal;

/**
 * An API and websocket key. Only the SHA-256 hash of the secret is kept; the secret itself is
 * shown once, when the key is created.
 *
 * @param accountId the account the key speaks for, or {@code null} for a system key
 * @param includeSubaccounts whether the key also covers the account's sub-accounts
 * @param hash hex SHA-256 of the secret
 * @param lastUsedAt last successful use, Unix milliseconds, or {@code null} when never used
 * @param expiresAt when it stops working, Unix milliseconds, or {@code null} for never
 */
public record ApiKey(String id, String name, String accountId, boolean includeSubaccounts, String hash,
    long createdAt, long updatedAt, Long lastUsedAt, Long expiresAt, long version) {

  /** Whether the key works at this time. */
  public boolean validAt(long nowMillis) {
    return expiresAt == null || expiresAt > nowMillis;
  }

  /** Who the key speaks for. */
  public Principal principal() {
    return accountId == null ? Principal.SYSTEM : new Principal(accountId, includeSubaccounts);
  }

  /** This key, used at that time. */
  public ApiKey usedAt(long nowMillis) {
    return new ApiKey(id, name, accountId, includeSubaccounts, hash, createdAt, updatedAt, nowMillis, expiresAt, version);
  }
}
