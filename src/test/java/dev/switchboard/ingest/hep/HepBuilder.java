package dev.switchboard.ingest.hep;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Writes HEP v3 packets chunk by chunk, the way capture agents do. */
public final class HepBuilder {

  private final ByteArrayOutputStream chunks = new ByteArrayOutputStream();

  /** A SIP packet over UDP/IPv4 with the usual chunks, like Kamailio's siptrace sends. */
  public static HepBuilder sip(String payload, long timestampMicros, String srcIp, int srcPort, String dstIp,
      int dstPort, long captureId) {
    return new HepBuilder()
        .uint8(0x01, 2).uint8(0x02, 17)
        .bytes(0x03, ipv4(srcIp)).bytes(0x04, ipv4(dstIp))
        .uint16(0x07, srcPort).uint16(0x08, dstPort)
        .uint32(0x09, timestampMicros / 1_000_000).uint32(0x0a, timestampMicros % 1_000_000)
        .uint8(0x0b, 1).uint32(0x0c, captureId)
        .bytes(0x0f, payload.getBytes(StandardCharsets.UTF_8));
  }

  public HepBuilder chunk(int vendor, int type, byte[] value) {
    ByteBuffer header = ByteBuffer.allocate(6).putShort((short) vendor).putShort((short) type)
        .putShort((short) (value.length + 6));
    chunks.writeBytes(header.array());
    chunks.writeBytes(value);
    return this;
  }

  public HepBuilder bytes(int type, byte[] value) {
    return chunk(0, type, value);
  }

  public HepBuilder uint8(int type, int value) {
    return bytes(type, new byte[] {(byte) value});
  }

  public HepBuilder uint16(int type, int value) {
    return bytes(type, ByteBuffer.allocate(2).putShort((short) value).array());
  }

  public HepBuilder uint32(int type, long value) {
    return bytes(type, ByteBuffer.allocate(4).putInt((int) value).array());
  }

  public HepBuilder text(int type, String value) {
    return bytes(type, value.getBytes(StandardCharsets.UTF_8));
  }

  /** The whole packet: magic, total length, chunks. */
  public byte[] build() {
    byte[] body = chunks.toByteArray();
    return ByteBuffer.allocate(6 + body.length).put("HEP3".getBytes(StandardCharsets.US_ASCII))
        .putShort((short) (6 + body.length)).put(body).array();
  }

  public static byte[] ipv4(String address) {
    String[] parts = address.split("\\.");
    byte[] bytes = new byte[4];
    for (int i = 0; i < 4; i++) {
      bytes[i] = (byte) Integer.parseInt(parts[i]);
    }
    return bytes;
  }
}
