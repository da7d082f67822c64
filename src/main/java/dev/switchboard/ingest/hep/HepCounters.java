package dev.switchboard.ingest.hep;

import java.util.concurrent.atomic.AtomicLong;

/** What the HEP collector has seen since it started; readable from any thread. */
public final class HepCounters {

  final AtomicLong packets = new AtomicLong();
  final AtomicLong malformed = new AtomicLong();
  final AtomicLong unauthorized = new AtomicLong();
  final AtomicLong notAllowed = new AtomicLong();
  final AtomicLong sip = new AtomicLong();
  final AtomicLong sipUnparsable = new AtomicLong();
  final AtomicLong logs = new AtomicLong();
  final AtomicLong otherTypes = new AtomicLong();

  /** Packets received (datagrams, or TCP frames), good or bad. */
  public long packets() {
    return packets.get();
  }

  /** Packets that were not HEP v3 (garbage, truncated, bad chunks, bad TCP framing). */
  public long malformed() {
    return malformed.get();
  }

  /** Packets without the configured capture password. */
  public long unauthorized() {
    return unauthorized.get();
  }

  /** Packets (or TCP connections) from outside the allowed networks. */
  public long notAllowed() {
    return notAllowed.get();
  }

  /** SIP packets handed to the SIP layer. */
  public long sip() {
    return sip.get();
  }

  /** SIP payloads that were not SIP messages. */
  public long sipUnparsable() {
    return sipUnparsable.get();
  }

  /** LOG packets passed on as {@code log} events. */
  public long logs() {
    return logs.get();
  }

  /** Packets of other protocol types, counted and ignored. */
  public long otherTypes() {
    return otherTypes.get();
  }
}
