package dev.switchboard.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Ports for the softswitch listeners in tests: there port 0 means "off", so tests pick a port that
 * is free on loopback for both UDP and TCP and configure it.
 */
public final class FreePorts {

  private FreePorts() {
  }

  /** A port free right now for TCP and UDP on 127.0.0.1. */
  public static int udpAndTcp() {
    for (int attempt = 0; attempt < 50; attempt++) {
      try (ServerSocket tcp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        int port = tcp.getLocalPort();
        try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
          return udp.getLocalPort();
        } catch (IOException takenForUdp) {
          // try another
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    throw new IllegalStateException("no port free for both UDP and TCP");
  }
}
