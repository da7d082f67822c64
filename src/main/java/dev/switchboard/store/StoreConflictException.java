package dev.switchboard.store;

/** A write lost a race: the row changed (or the id was taken) since the caller read it. */
public final class StoreConflictException extends RuntimeException {

  /** @param message what conflicted */
  public StoreConflictException(String message) {
    super(message, null, false, false);
  }
}
