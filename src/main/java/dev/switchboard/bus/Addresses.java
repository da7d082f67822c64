package dev.switchboard.bus;

/**
 * Every event bus address the gateway uses, in one place. Verticles meet only here, which is what
 * makes clustering a switch: with a cluster manager the same addresses span every node.
 */
public final class Addresses {

  /**
   * Where ingest adapters hand events over ({@link EventBatch} in, JSON array of ids out). Local to
   * each node: the node that accepted an event is the one that journals and delivers it.
   */
  public static final String INTAKE = "switchboard.intake";

  /** Every accepted event, published once to all nodes ({@code Event} bodies). */
  public static final String EVENTS = "switchboard.events";

  /** Readiness probe of this node's intake (local; any body in, {@code "up"} out). */
  public static final String INTAKE_READY = "switchboard.intake.ready";

  /**
   * The subscription verticle's REST commands (local; a JSON command in, a JSON reply with
   * {@code status}, {@code body} and optionally {@code etag} out). Carries the caller's key, so it
   * never leaves the node.
   */
  public static final String SUBSCRIPTION_API = "switchboard.subscription.api";

  /**
   * Turns a presented key into a principal (local; the key in, {@code {"account_id",
   * "include_subaccounts"}} out, or a 401 failure).
   */
  public static final String AUTHENTICATE = "switchboard.subscription.authenticate";

  /**
   * Disables a subscription for a reason, as the fan-out does after repeated failures (local;
   * {@code {"id", "reason"}} in, the subscription's JSON out, or a 404 failure). Takes effect in the
   * match index before the reply.
   */
  public static final String SUBSCRIPTION_DISABLE = "switchboard.subscription.disable";

  /**
   * The fan-out's journal (local; a {@code fanout.JournalRequest} in, an empty reply once the
   * deliveries are durable, or a 503 failure). Intake asks before it acknowledges a batch.
   */
  public static final String OUTBOX_JOURNAL = "switchboard.fanout.journal";

  /**
   * The fan-out's delivery log and replay (local; {@code {"op": "attempts" | "replay" | "health",
   * "subscription_id", ...}} in, a JSON reply out). Callers authorize first.
   */
  public static final String DELIVERY_API = "switchboard.fanout.api";

  private Addresses() {
  }
}
