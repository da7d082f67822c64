package dev.switchboard.subscription;

import dev.switchboard.auth.Principal;
import dev.switchboard.event.Event;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import java.util.List;

/**
 * The read-only face of the subscription verticle's match index, for the hot path of other
 * verticles on the same node (intake matching every event, the websocket feed checking account
 * scope). Safe to call from any thread, never blocks, never touches the store. Changes made
 * through the API are visible here before the API answers.
 */
public interface SubscriptionIndex extends Shareable {

  /** The local map the subscription verticle publishes its index in. */
  String LOCAL_MAP = "switchboard.subscription";
  /** The index's key in {@link #LOCAL_MAP}. */
  String KEY = "index";

  /**
   * The enabled, unexpired subscriptions that want this event: its account's, its ancestors' that
   * include sub-accounts, and the system subscriptions; each once.
   */
  List<Subscription> match(Event event);

  /** A subscription by id, enabled or not, or {@code null} when there is none (deleted). */
  Subscription find(String id);

  /** Whether a principal may see what belongs to this account ({@code null}: system-level). */
  boolean covers(Principal principal, String accountId);

  /** This node's index, or {@code null} when the subscription verticle is not deployed. */
  static SubscriptionIndex lookup(Vertx vertx) {
    return (SubscriptionIndex) vertx.sharedData().getLocalMap(LOCAL_MAP).get(KEY);
  }
}
