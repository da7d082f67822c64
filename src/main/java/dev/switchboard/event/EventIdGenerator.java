package dev.switchboard.event;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Makes event ids: UUIDv7 (RFC 9562), whose text sorts by creation time. Within one millisecond a
 * 12-bit counter keeps ids from one generator strictly increasing; when it runs out the generator
 * borrows the next millisecond rather than lose order.
 */
public final class EventIdGenerator {

  private long lastMillis = -1;
  private int counter;

  /** A new id, greater than every id this generator made before. */
  public synchronized String next() {
    long now = System.currentTimeMillis();
    if (now > lastMillis) {
      lastMillis = now;
      counter = ThreadLocalRandom.current().nextInt(1 << 11);
    } else if (++counter > 0xFFF) {
      lastMillis++;
      counter = 0;
    }
    long high = (lastMillis << 16) | 0x7000L | counter;
    long low = (ThreadLocalRandom.current().nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(high, low).toString();
  }
}
