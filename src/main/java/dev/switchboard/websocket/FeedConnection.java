package dev.switchboard.websocket;

import dev.switchboard.auth.Principal;
import dev.switchboard.event.Bindings;
import dev.switchboard.event.Event;
import io.vertx.core.http.ServerWebSocket;

/**
 * One websocket client of the feed: what it may see, what it asked for, and how many events it
 * missed because it read too slowly. Used on its verticle's event loop only.
 */
final class FeedConnection {

  private final ServerWebSocket socket;
  private final Principal principal;
  private final Bindings bindings;
  private final Scope scope;
  private long dropped;
  private long droppedSinceNotice;
  private boolean noticePending;

  /** Which accounts' events a principal may see. */
  @FunctionalInterface
  interface Scope {
    /** Without the account tree: a key sees exactly its own account. */
    Scope OWN_ACCOUNT_ONLY = (principal, accountId) -> principal.isSystem() || principal.accountId().equals(accountId);

    boolean covers(Principal principal, String accountId);
  }

  FeedConnection(ServerWebSocket socket, Principal principal, Bindings bindings, Scope scope) {
    this.socket = socket;
    this.principal = principal;
    this.bindings = bindings;
    this.scope = scope;
  }

  ServerWebSocket socket() {
    return socket;
  }

  Principal principal() {
    return principal;
  }

  long dropped() {
    return dropped;
  }

  /** Whether this client may see the event and asked for it. */
  boolean wants(Event event) {
    return bindings.matches(event) && scope.covers(principal, event.accountId());
  }

  /**
   * Sends the event, or drops it when the client's buffer is full.
   *
   * @return whether it was sent
   */
  boolean offer(Event event) {
    if (socket.writeQueueFull()) {
      dropped++;
      droppedSinceNotice++;
      if (!noticePending) {
        noticePending = true;
        socket.drainHandler(ignored -> sendDropNotice());
      }
      return false;
    }
    socket.writeTextMessage(event.toJson());
    return true;
  }

  /** Tells the client, once it reads again, how many events it missed. */
  private void sendDropNotice() {
    noticePending = false;
    socket.drainHandler(null);
    Event notice = dropNotice(droppedSinceNotice, dropped);
    droppedSinceNotice = 0;
    socket.writeTextMessage(notice.toJson());
  }

  /** The {@code system.events_dropped} notice. */
  static Event dropNotice(long droppedSinceNotice, long droppedTotal) {
    return Event.builder("system", "events_dropped")
        .put("dropped", droppedSinceNotice)
        .put("dropped_total", droppedTotal)
        .build();
  }
}
