package dev.switchboard.ingest.hep;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decodes HEP v3: the {@code HEP3} magic, a 16-bit total length, then chunks of 16-bit vendor,
 * 16-bit type and 16-bit length (header included), all in network byte order. Generic chunks
 * (vendor 0, types 0x0001-0x0012) are read by type in any order; vendor chunks and generic types
 * this collector has no use for are skipped, not rejected.
 */
public final class HepDecoder {

  /** Bytes before the first chunk: the magic and the total length. */
  public static final int HEADER_BYTES = 6;
  /** The largest payload a compressed chunk may inflate to. */
  static final int MAX_INFLATED_BYTES = 1 << 20;

  private static final int CHUNK_HEADER_BYTES = 6;

  private HepDecoder() {
  }

  /**
   * Whether {@code bytes} starts with the HEP v3 magic at {@code offset}, and the total length it
   * announces; -1 when the magic is wrong. Used to frame packets on a TCP stream.
   */
  public static int totalLength(byte[] bytes, int offset) {
    if (bytes.length - offset < HEADER_BYTES || bytes[offset] != 'H' || bytes[offset + 1] != 'E'
        || bytes[offset + 2] != 'P' || bytes[offset + 3] != '3') {
      return -1;
    }
    return uint16(bytes, offset + 4);
  }

  /** Decodes one whole packet. */
  public static HepPacket decode(byte[] bytes) throws HepFormatException {
    return decode(bytes, 0, bytes.length);
  }

  /**
   * Decodes one packet of {@code length} bytes at {@code offset}.
   *
   * @throws HepFormatException when the bytes are not one well-formed HEP v3 packet
   */
  public static HepPacket decode(byte[] bytes, int offset, int length) throws HepFormatException {
    if (length < HEADER_BYTES) {
      throw new HepFormatException("shorter than the HEP header (" + length + " bytes)");
    }
    int total = totalLength(bytes, offset);
    if (total < 0) {
      throw new HepFormatException("no HEP3 magic");
    }
    if (total != length) {
      throw new HepFormatException("header says " + total + " bytes, packet has " + length);
    }
    int ipFamily = 0;
    int ipProtocol = 0;
    String srcIp = null;
    String dstIp = null;
    int srcPort = 0;
    int dstPort = 0;
    long seconds = 0;
    long micros = 0;
    int protocolType = 0;
    long captureId = -1;
    String authKey = null;
    byte[] payload = null;
    String correlationId = null;
    int end = offset + length;
    int at = offset + HEADER_BYTES;
    while (at < end) {
      if (end - at < CHUNK_HEADER_BYTES) {
        throw new HepFormatException("truncated chunk header at byte " + (at - offset));
      }
      int vendor = uint16(bytes, at);
      int type = uint16(bytes, at + 2);
      int chunkLength = uint16(bytes, at + 4);
      if (chunkLength < CHUNK_HEADER_BYTES || chunkLength > end - at) {
        throw new HepFormatException("chunk 0x" + Integer.toHexString(type) + " has length " + chunkLength
            + " with " + (end - at) + " bytes left");
      }
      int value = at + CHUNK_HEADER_BYTES;
      int size = chunkLength - CHUNK_HEADER_BYTES;
      if (vendor == 0) {
        switch (type) {
          case 0x01 -> ipFamily = uint8(bytes, value, size, type);
          case 0x02 -> ipProtocol = uint8(bytes, value, size, type);
          case 0x03 -> srcIp = address(bytes, value, size, 4, type);
          case 0x04 -> dstIp = address(bytes, value, size, 4, type);
          case 0x05 -> srcIp = address(bytes, value, size, 16, type);
          case 0x06 -> dstIp = address(bytes, value, size, 16, type);
          case 0x07 -> srcPort = uint16(bytes, value, size, type);
          case 0x08 -> dstPort = uint16(bytes, value, size, type);
          case 0x09 -> seconds = uint32(bytes, value, size, type);
          case 0x0a -> micros = uint32(bytes, value, size, type);
          case 0x0b -> protocolType = uint8(bytes, value, size, type);
          case 0x0c -> captureId = uint32(bytes, value, size, type);
          case 0x0e -> authKey = text(bytes, value, size);
          case 0x0f -> payload = copy(bytes, value, size);
          case 0x10 -> payload = inflate(bytes, value, size);
          case 0x11 -> correlationId = text(bytes, value, size);
          default -> {
            // 0x0d keep-alive timer, 0x12 VLAN and the newer QoS/metadata types carry nothing we use.
          }
        }
      }
      at += chunkLength;
    }
    long timestamp = seconds == 0 && micros == 0 ? 0 : seconds * 1_000_000L + micros;
    return new HepPacket(ipFamily, ipProtocol, srcIp, dstIp, srcPort, dstPort, timestamp, protocolType, captureId,
        authKey, payload == null ? new byte[0] : payload, correlationId);
  }

  static int uint16(byte[] bytes, int at) {
    return ((bytes[at] & 0xFF) << 8) | (bytes[at + 1] & 0xFF);
  }

  private static int uint8(byte[] bytes, int at, int size, int type) throws HepFormatException {
    expectSize(size, 1, type);
    return bytes[at] & 0xFF;
  }

  private static int uint16(byte[] bytes, int at, int size, int type) throws HepFormatException {
    expectSize(size, 2, type);
    return uint16(bytes, at);
  }

  private static long uint32(byte[] bytes, int at, int size, int type) throws HepFormatException {
    expectSize(size, 4, type);
    return ((long) uint16(bytes, at) << 16) | uint16(bytes, at + 2);
  }

  private static void expectSize(int size, int expected, int type) throws HepFormatException {
    if (size != expected) {
      throw new HepFormatException("chunk 0x" + Integer.toHexString(type) + " has " + size + " value bytes, expected "
          + expected);
    }
  }

  private static String address(byte[] bytes, int at, int size, int expected, int type) throws HepFormatException {
    expectSize(size, expected, type);
    if (size == 4) {
      return (bytes[at] & 0xFF) + "." + (bytes[at + 1] & 0xFF) + "." + (bytes[at + 2] & 0xFF) + "." + (bytes[at + 3] & 0xFF);
    }
    try {
      return InetAddress.getByAddress(copy(bytes, at, size)).getHostAddress();
    } catch (UnknownHostException impossibleForSixteenBytes) {
      throw new HepFormatException("bad IPv6 address in chunk 0x" + Integer.toHexString(type));
    }
  }

  private static String text(byte[] bytes, int at, int size) {
    int length = size;
    while (length > 0 && bytes[at + length - 1] == 0) {
      length--;
    }
    return new String(bytes, at, length, StandardCharsets.UTF_8);
  }

  private static byte[] copy(byte[] bytes, int at, int size) {
    byte[] value = new byte[size];
    System.arraycopy(bytes, at, value, 0, size);
    return value;
  }

  /** Compressed payloads are zlib (HOMER agents) or gzip; both are accepted, bounded in size. */
  private static byte[] inflate(byte[] bytes, int at, int size) throws HepFormatException {
    boolean gzip = size >= 18 && (bytes[at] & 0xFF) == 0x1f && (bytes[at + 1] & 0xFF) == 0x8b;
    int skip = gzip ? gzipHeaderLength(bytes, at, size) : 0;
    Inflater inflater = new Inflater(gzip);
    try {
      inflater.setInput(bytes, at + skip, size - skip - (gzip ? 8 : 0));
      ByteArrayOutputStream out = new ByteArrayOutputStream(size * 4);
      byte[] buffer = new byte[8192];
      while (!inflater.finished()) {
        int n = inflater.inflate(buffer);
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          throw new HepFormatException("compressed payload is truncated");
        }
        out.write(buffer, 0, n);
        if (out.size() > MAX_INFLATED_BYTES) {
          throw new HepFormatException("compressed payload inflates past " + MAX_INFLATED_BYTES + " bytes");
        }
      }
      return out.toByteArray();
    } catch (DataFormatException e) {
      throw new HepFormatException("compressed payload is not zlib or gzip: " + e.getMessage());
    } finally {
      inflater.end();
    }
  }

  private static int gzipHeaderLength(byte[] bytes, int at, int size) throws HepFormatException {
    int flags = bytes[at + 3] & 0xFF;
    int length = 10;
    if ((flags & 0x04) != 0) {
      length += 2 + ((bytes[at + length] & 0xFF) | ((bytes[at + length + 1] & 0xFF) << 8));
    }
    for (int flag : new int[] {0x08, 0x10}) {
      if ((flags & flag) != 0) {
        while (length < size && bytes[at + length] != 0) {
          length++;
        }
        length++;
      }
    }
    if ((flags & 0x02) != 0) {
      length += 2;
    }
    if (length + 8 > size) {
      throw new HepFormatException("gzip payload header is truncated");
    }
    return length;
  }
}
