package dev.switchboard.ingest.sip;

import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * Holds packets for a short window and lets them out in capture-time order, so that a packet
 * which arrives a few milliseconds after a later one (HEP over UDP, several proxy workers) is
 * still handled first. Bounded: past the limit the earliest packet leaves at once.
 */
final class ReorderBuffer {

  private record Held(long timestampMicros, long sequence, long arrivalMicros, SipPacket packet) {
  }

  private final PriorityQueue<Held> queue = new PriorityQueue<>((a, b) -> a.timestampMicros != b.timestampMicros
      ? Long.compare(a.timestampMicros, b.timestampMicros) : Long.compare(a.sequence, b.sequence));
  private final long windowMicros;
  private final int limit;
  private long sequence;

  ReorderBuffer(long windowMicros, int limit) {
    this.windowMicros = windowMicros;
    this.limit = limit;
  }

  /** Adds a packet; packets without a capture time are ordered by their arrival. */
  void add(SipPacket packet, long arrivalMicros, Consumer<SipPacket> release) {
    long timestamp = packet.timestampMicros() > 0 ? packet.timestampMicros() : arrivalMicros;
    queue.add(new Held(timestamp, sequence++, arrivalMicros, packet));
    while (queue.size() > limit) {
      release.accept(queue.poll().packet);
    }
  }

  /** Lets out, in capture-time order, the packets at the front that have waited the window. */
  void releaseDue(long nowMicros, Consumer<SipPacket> release) {
    Held head;
    while ((head = queue.peek()) != null && head.arrivalMicros + windowMicros <= nowMicros) {
      release.accept(queue.poll().packet);
    }
  }

  /** Lets everything out, in capture-time order. */
  void releaseAll(Consumer<SipPacket> release) {
    Held head;
    while ((head = queue.poll()) != null) {
      release.accept(head.packet);
    }
  }

  int size() {
    return queue.size();
  }
}
