package dev.switchboard.ops;

import java.util.logging.LogManager;

/**
 * The JDK's log manager resets (and so silences) logging from its own shutdown hook, racing ours:
 * the lines that say a node stopped cleanly would be lost. This one keeps logging until
 * {@link #finish()} is called at the end of the gateway's shutdown.
 */
public final class ShutdownLogManager extends LogManager {

  private volatile boolean finished;

  /** Called by the JDK when {@code java.util.logging.manager} names this class. */
  public ShutdownLogManager() {
    super();
  }

  @Override
  public void reset() {
    if (finished || !shuttingDown()) {
      super.reset();
    }
  }

  /** Ends logging: flushes and closes the handlers. Safe to call when another manager is in use. */
  public static void finish() {
    if (LogManager.getLogManager() instanceof ShutdownLogManager manager) {
      manager.finished = true;
      manager.reset();
    }
  }

  private static boolean shuttingDown() {
    try {
      Thread probe = new Thread(() -> { });
      Runtime.getRuntime().addShutdownHook(probe);
      Runtime.getRuntime().removeShutdownHook(probe);
      return false;
    } catch (IllegalStateException e) {
      return true;
    }
  }
}
