package dev.switchboard.ingest.jsonrpc;

import java.util.concurrent.atomic.AtomicLong;

/** What one softswitch event transport has received since it started; readable from any thread. */
public final class TransportCounters {

  final AtomicLong frames = new AtomicLong();
  final AtomicLong malformed = new AtomicLong();
  final AtomicLong notAllowed = new AtomicLong();
  final AtomicLong events = new AtomicLong();

  /** Datagrams or stream frames received, good or bad. */
  public long frames() {
    return frames.get();
  }

  /** Datagrams or frames that were not a JSON object (or array of them), or broke the framing. */
  public long malformed() {
    return malformed.get();
  }

  /** Datagrams or connections from outside the allowed networks. */
  public long notAllowed() {
    return notAllowed.get();
  }

  /** Events handed to intake. */
  public long events() {
    return events.get();
  }
}
