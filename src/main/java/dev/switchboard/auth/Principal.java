package dev.switchboard.auth;

/**
 * Who a key speaks for: the whole system, or one account (with its sub-accounts when the key
 * allows it).
 *
 * @param accountId the account, or {@code null} for the system key
 * @param includeSubaccounts whether the key also covers the account's sub-accounts
 */
public record Principal(String accountId, boolean includeSubaccounts) {

  /** The system key's principal: sees everything. */
  public static final Principal SYSTEM = new Principal(null, true);

  /** Whether this is the system principal. */
  public boolean isSystem() {
    return accountId == null;
  }
}
