package dev.switchboard.subscription;

import dev.switchboard.event.Bindings;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A webhook target and the events it wants. Immutable: a change makes a new instance with a
 * higher {@code version}.
 *
 * @param accountId the owning account, or {@code null} for a system subscription (every event)
 * @param includeSubaccounts whether events of the account's sub-accounts match too
 * @param customData merged into every payload; never modified
 * @param retrySchedule the delay before each attempt ({@code "0s", "5s", ...}), or {@code null} for
 *     the node's {@code fanout.retry_schedule}
 * @param disabledReason why it is disabled, or {@code null}
 * @param expiresAt when it stops matching, Unix milliseconds, or {@code null} for never
 * @param secret the {@code whsec_} signing secret
 * @param previousSecret the secret it replaced, still signed with until {@code previousSecretUntil}, or {@code null}
 * @param previousSecretUntil Unix milliseconds, or {@code null}
 * @param isStatic declared in configuration: read-only over the API, not in the store
 */
public record Subscription(String id, String name, String accountId, boolean includeSubaccounts, Bindings bindings,
    Filter filter, Target target, JsonObject customData, List<String> retrySchedule, boolean enabled, String disabledReason, Long expiresAt,
    String secret, String previousSecret, Long previousSecretUntil, long createdAt, long updatedAt, long version, boolean isStatic) {

  /** Whether it receives events at this time: enabled and not expired. */
  public boolean activeAt(long nowMillis) {
    return enabled && (expiresAt == null || expiresAt > nowMillis);
  }

  /** This subscription disabled for a reason, as a new version. */
  public Subscription disabled(String reason, long nowMillis) {
    return new Subscription(id, name, accountId, includeSubaccounts, bindings, filter, target, customData, retrySchedule, false,
        reason, expiresAt, secret, previousSecret, previousSecretUntil, createdAt, nowMillis, version + 1, isStatic);
  }

  /** This subscription still signing with {@code previous} until the given time (a secret rotation). */
  public Subscription withPreviousSecret(String previous, Long until) {
    return new Subscription(id, name, accountId, includeSubaccounts, bindings, filter, target, customData, retrySchedule, enabled,
        disabledReason, expiresAt, secret, previous, until, createdAt, updatedAt, version, isStatic);
  }

  /** The secrets to sign with now: the current one, and the previous one during its grace period. */
  public List<String> signingSecrets(long nowMillis) {
    return previousSecret != null && previousSecretUntil != null && previousSecretUntil > nowMillis
        ? List.of(secret, previousSecret) : List.of(secret);
  }
}
