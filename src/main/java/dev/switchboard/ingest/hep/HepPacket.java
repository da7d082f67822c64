package dev.switchboard.ingest.hep;

/**
 * One decoded HEP v3 packet: where the mirrored message went, when, from which capture agent, and
 * its payload (already inflated when it came compressed).
 *
 * @param ipFamily 2 for IPv4, 10 for IPv6, 0 when the packet did not say
 * @param ipProtocol the transport of the mirrored message (17 UDP, 6 TCP), 0 when unknown
 * @param srcIp the source address as text, {@code null} when absent
 * @param dstIp the destination address as text, {@code null} when absent
 * @param srcPort the source port, 0 when absent
 * @param dstPort the destination port, 0 when absent
 * @param timestampMicros the capture time in Unix microseconds, 0 when absent
 * @param protocolType what the payload is: {@link #SIP}, {@link #LOG} or another HEP type
 * @param captureId the capture agent id, -1 when absent
 * @param authKey the capture password (chunk 0x000E), {@code null} when absent
 * @param payload the payload bytes (never {@code null}; empty when absent)
 * @param correlationId the correlation id (chunk 0x0011), {@code null} when absent
 */
public record HepPacket(int ipFamily, int ipProtocol, String srcIp, String dstIp, int srcPort, int dstPort,
    long timestampMicros, int protocolType, long captureId, String authKey, byte[] payload, String correlationId) {

  /** Protocol type of a SIP payload. */
  public static final int SIP = 1;
  /** Protocol type of a log line (Kamailio {@code hlog}). */
  public static final int LOG = 100;

  /** The source as {@code ip:port} ({@code [ip]:port} for IPv6), {@code null} without an address. */
  public String src() {
    return endpoint(srcIp, srcPort);
  }

  /** The destination as {@code ip:port} ({@code [ip]:port} for IPv6), {@code null} without an address. */
  public String dst() {
    return endpoint(dstIp, dstPort);
  }

  private static String endpoint(String ip, int port) {
    if (ip == null) {
      return null;
    }
    return ip.indexOf(':') >= 0 ? "[" + ip + "]:" + port : ip + ":" + port;
  }
}
