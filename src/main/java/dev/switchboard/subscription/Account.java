package dev.switchboard.subscription;

/**
 * A customer of the gateway. Accounts form a tree: a reseller is the parent of its customers'
 * accounts. Events carry the {@code account_id} they belong to.
 *
 * @param id the id events carry in {@code account_id}
 * @param parentId the parent account, or {@code null} for a top-level account
 * @param createdAt creation time, Unix milliseconds
 * @param updatedAt last change, Unix milliseconds
 * @param version starts at 1, increases with every change (for {@code If-Match})
 */
public record Account(String id, String name, String parentId, long createdAt, long updatedAt, long version) {
}
