package dev.switchboard.ingest.hep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.ingest.Captures;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class HepDecoderTest {

  @Test
  void everyGenericChunkTypeOverIpv4() throws Exception {
    byte[] packet = new HepBuilder()
        .uint8(0x01, 2).uint8(0x02, 17)
        .bytes(0x03, HepBuilder.ipv4("192.0.2.10")).bytes(0x04, HepBuilder.ipv4("198.51.100.7"))
        .uint16(0x07, 5060).uint16(0x08, 5080)
        .uint32(0x09, 1_795_498_095L).uint32(0x0a, 830_071)
        .uint8(0x0b, 1).uint32(0x0c, 2001)
        .uint16(0x0d, 30)
        .text(0x0e, "capture-secret")
        .text(0x11, "corr-1")
        .uint16(0x12, 100)
        .chunk(0x0028, 0x0001, new byte[] {1, 2, 3})
        .bytes(0x0f, "OPTIONS sip:a@b SIP/2.0\r\n\r\n".getBytes(StandardCharsets.UTF_8))
        .build();
    HepPacket hep = HepDecoder.decode(packet);

    assertEquals(2, hep.ipFamily());
    assertEquals(17, hep.ipProtocol());
    assertEquals("192.0.2.10:5060", hep.src());
    assertEquals("198.51.100.7:5080", hep.dst());
    assertEquals(1_795_498_095_830_071L, hep.timestampMicros());
    assertEquals(HepPacket.SIP, hep.protocolType());
    assertEquals(2001, hep.captureId());
    assertEquals("capture-secret", hep.authKey());
    assertEquals("corr-1", hep.correlationId());
    assertEquals("OPTIONS sip:a@b SIP/2.0\r\n\r\n", new String(hep.payload(), StandardCharsets.UTF_8));
  }

  @Test
  void ipv6AddressesAndAnyChunkOrder() throws Exception {
    byte[] packet = new HepBuilder()
        .bytes(0x0f, "x".getBytes(StandardCharsets.UTF_8))
        .uint16(0x08, 5060).uint16(0x07, 5062)
        .bytes(0x06, InetAddress.getByName("2001:db8::2").getAddress())
        .bytes(0x05, InetAddress.getByName("2001:db8::1").getAddress())
        .uint8(0x01, 10).uint8(0x0b, 100)
        .build();
    HepPacket hep = HepDecoder.decode(packet);

    assertEquals(10, hep.ipFamily());
    assertEquals("[2001:db8:0:0:0:0:0:1]:5062", hep.src());
    assertEquals("[2001:db8:0:0:0:0:0:2]:5060", hep.dst());
    assertEquals(HepPacket.LOG, hep.protocolType());
    assertEquals(-1, hep.captureId());
    assertEquals(0, hep.timestampMicros());
    assertNull(hep.authKey());
  }

  @Test
  void compressedPayloadsZlibAndGzip() throws Exception {
    byte[] sip = "INVITE sip:1000@example.com SIP/2.0\r\nCall-ID: zipped\r\n\r\n".repeat(5)
        .getBytes(StandardCharsets.UTF_8);
    Deflater deflater = new Deflater();
    deflater.setInput(sip);
    deflater.finish();
    byte[] buffer = new byte[4096];
    byte[] zlib = Arrays.copyOf(buffer, deflater.deflate(buffer));
    deflater.end();
    ByteArrayOutputStream gzip = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gzip)) {
      out.write(sip);
    }
    for (byte[] compressed : List.of(zlib, gzip.toByteArray())) {
      HepPacket hep = HepDecoder.decode(new HepBuilder().uint8(0x0b, 1).bytes(0x10, compressed).build());
      assertArrayEquals(sip, hep.payload());
    }
    assertThrows(HepFormatException.class,
        () -> HepDecoder.decode(new HepBuilder().bytes(0x10, new byte[] {1, 2, 3, 4}).build()));
  }

  @Test
  void truncatedAndGarbagePacketsAreRejectedNeverThrowingAnythingElse() {
    byte[] good = HepBuilder.sip("OPTIONS sip:a@b SIP/2.0\r\n\r\n", 1, "10.0.0.1", 1, "10.0.0.2", 2, 3).build();
    for (int length = 0; length < good.length; length++) {
      byte[] truncated = Arrays.copyOf(good, length);
      assertThrows(HepFormatException.class, () -> HepDecoder.decode(truncated), "cut at " + length);
    }
    byte[] lyingLength = good.clone();
    lyingLength[5]--;
    assertThrows(HepFormatException.class, () -> HepDecoder.decode(lyingLength));
    byte[] badChunkLength = new HepBuilder().uint8(0x01, 2).build();
    badChunkLength[11] = 3;
    assertThrows(HepFormatException.class, () -> HepDecoder.decode(badChunkLength));
    assertThrows(HepFormatException.class, () -> HepDecoder.decode(new HepBuilder().uint16(0x01, 2).build()));
    assertThrows(HepFormatException.class, () -> HepDecoder.decode("HEP2 is not version 3".getBytes()));

    Random random = new Random(7);
    int rejected = 0;
    for (int i = 0; i < 5_000; i++) {
      byte[] garbage = good.clone();
      garbage[6 + random.nextInt(garbage.length - 6)] = (byte) random.nextInt(256);
      try {
        HepDecoder.decode(garbage);
      } catch (HepFormatException e) {
        rejected++;
      }
    }
    assertTrue(rejected > 0, "some flipped bytes break the chunk structure");
  }

  @Test
  void everyCapturedPacketDecodes() throws Exception {
    Map<Integer, Integer> byType = new TreeMap<>();
    for (byte[] datagram : Captures.hepDatagrams("interop-20calls/hep.raw")) {
      HepPacket hep = HepDecoder.decode(datagram);
      byType.merge(hep.protocolType(), 1, Integer::sum);
      assertEquals(2001, hep.captureId());
      assertEquals("127.0.0.1", hep.srcIp());
      assertTrue(hep.timestampMicros() > 1_795_000_000_000_000L);
      if (hep.protocolType() == HepPacket.LOG) {
        assertTrue(hep.correlationId().endsWith("@127.0.0.1"));
      }
    }
    assertEquals(Map.of(HepPacket.SIP, 260, HepPacket.LOG, 40), byType);
  }
}
