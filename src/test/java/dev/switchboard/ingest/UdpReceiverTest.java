package dev.switchboard.ingest;

import static dev.switchboard.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class UdpReceiverTest {

  @Test
  void datagramsReachTheContextInOrderAndTheBacklogIsBounded(Vertx vertx) throws Exception {
    int port = FreePorts.udpAndTcp();
    Context context = vertx.getOrCreateContext();
    List<String> handled = new CopyOnWriteArrayList<>();
    List<Boolean> onContext = new CopyOnWriteArrayList<>();
    UdpReceiver receiver = result(UdpReceiver.open(vertx, context, "127.0.0.1", port, 1 << 20, 10, datagram -> {
      handled.add(new String(datagram.data()));
      onContext.add(Vertx.currentContext() == context);
    }));
    assertTrue(receiver.receiveBufferBytes() >= 1 << 19, "the kernel granted a large buffer");
    CountDownLatch release = new CountDownLatch(1);
    // Hold the context so that datagrams pile up behind it.
    context.runOnContext(ignored -> {
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    try (DatagramSocket sender = new DatagramSocket()) {
      for (int i = 0; i < 50; i++) {
        byte[] data = ("d" + i).getBytes();
        sender.send(new DatagramPacket(data, data.length, InetAddress.getLoopbackAddress(), port));
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (receiver.dropped() < 40 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    release.countDown();
    while (handled.size() < 10 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(40, receiver.dropped());
    assertEquals(List.of("d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9"), handled);
    assertTrue(onContext.stream().allMatch(Boolean::booleanValue));
    result(receiver.close());
    try (DatagramSocket rebind = new DatagramSocket(port, InetAddress.getLoopbackAddress())) {
      assertEquals(port, rebind.getLocalPort(), "closing frees the port");
    }
  }
}
