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

  private Addresses() {
  }
}
