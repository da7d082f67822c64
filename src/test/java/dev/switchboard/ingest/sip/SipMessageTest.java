package dev.switchboard.ingest.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.ingest.Captures;
import dev.switchboard.ingest.hep.HepDecoder;
import dev.switchboard.ingest.hep.HepPacket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SipMessageTest {

  private static SipMessage parse(String text) throws SipFormatException {
    return SipMessage.parse(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void everyCapturedSipMessageParses() throws Exception {
    Map<String, Integer> firstLines = new TreeMap<>();
    for (byte[] datagram : Captures.hepDatagrams("interop-20calls/hep.raw")) {
      HepPacket hep = HepDecoder.decode(datagram);
      if (hep.protocolType() != HepPacket.SIP) {
        continue;
      }
      SipMessage message = SipMessage.parse(hep.payload());
      firstLines.merge(message.isRequest() ? message.method() : String.valueOf(message.statusCode()), 1, Integer::sum);
      assertTrue(message.callId().endsWith("@127.0.0.1"));
      assertTrue(message.cseqNumber() >= 1);
      assertTrue(message.from().tag().contains("SIPpTag"), message.from().tag());
    }
    // shared/interop/captures/interop-20calls/summary.json
    assertEquals(Map.of("INVITE", 40, "100", 20, "180", 40, "200", 80, "ACK", 40, "BYE", 40), firstLines);
  }

  @Test
  void capturedInviteInDetail() throws Exception {
    HepPacket hep = HepDecoder.decode(Captures.hepDatagrams("interop-20calls/hep.raw").get(0));
    SipMessage invite = SipMessage.parse(hep.payload());

    assertEquals("INVITE", invite.method());
    assertEquals("sip:1000@127.0.0.1:5060", invite.requestUri());
    assertEquals("1-11307@127.0.0.1", invite.callId());
    assertEquals(1, invite.cseqNumber());
    assertEquals("INVITE", invite.cseqMethod());
    assertEquals("sipp", invite.from().displayName());
    assertEquals("sipp", invite.from().user());
    assertEquals("127.0.0.1", invite.from().host());
    assertEquals("11307SIPpTag001", invite.from().tag());
    assertEquals("1000", invite.to().user());
    assertNull(invite.to().tag());
    assertEquals("application/sdp", invite.contentType());
    assertEquals(129, invite.bodyLength(), "sipp's padded 'Content-Length:   129'");
    assertEquals(SdpHold.Direction.ACTIVE, invite.sdpDirection());
  }

  @Test
  void compactHeadersFoldedLinesBareLineFeedsAndMultipleValues() throws Exception {
    SipMessage message = parse("SIP/2.0 200 OK\n"
        + "v: SIP/2.0/UDP a;branch=1, SIP/2.0/UDP b;branch=2\n"
        + "V: SIP/2.0/UDP c;branch=3\n"
        + "f: \"Doe, John\" <sip:john@example.com>;tag=abc\n"
        + "t: sip:+100@example.com;tag=xyz\n"
        + "i: compact@test\n"
        + "CSeq: 5\n invite\n"
        + "m: <sip:john@10.1.1.1>;expires=60, <sip:john@10.1.1.2>;expires=0\n"
        + "x-custom-header: kept\n"
        + "l: 0\n\n");

    assertEquals(200, message.statusCode());
    assertEquals("OK", message.reasonPhrase());
    assertEquals(3, message.headers("Via").size());
    assertEquals("Doe, John", message.from().displayName());
    assertEquals("xyz", message.to().tag());
    assertEquals("+100", message.to().user());
    assertEquals("compact@test", message.callId());
    assertEquals(5, message.cseqNumber());
    assertEquals("INVITE", message.cseqMethod());
    List<NameAddress> contacts = message.contacts();
    assertEquals(2, contacts.size());
    assertEquals("0", contacts.get(1).parameter("expires"));
    assertEquals("kept", message.header("X-Custom-Header"));
    assertEquals(0, message.bodyLength());
  }

  @Test
  void malformedMessagesAreRejectedOrReadLeniently() throws Exception {
    assertThrows(SipFormatException.class, () -> parse(""));
    assertThrows(SipFormatException.class, () -> parse("garbage without line end"));
    assertThrows(SipFormatException.class, () -> parse("HELLO WORLD\r\n\r\n"));
    assertThrows(SipFormatException.class, () -> parse("SIP/2.0 2x0 OK\r\n\r\n"));
    assertThrows(SipFormatException.class, () -> parse("SIP/2.0 099 Low\r\n\r\n"));
    assertThrows(SipFormatException.class, () -> parse("INV\u00e9TE sip:a@b SIP/2.0\r\n\r\n"));
    assertThrows(SipFormatException.class, () -> SipMessage.parse(new byte[] {0, 1, 2, '\n', (byte) 0xff}));

    SipMessage noHeaders = parse("OPTIONS sip:a@b SIP/2.0\r\nthis line has no colon\r\n");
    assertNull(noHeaders.callId());
    assertEquals(-1, noHeaders.cseqNumber());
    assertNull(noHeaders.from());

    SipMessage badLength = parse("MESSAGE sip:a@b SIP/2.0\r\nCall-ID: x\r\nContent-Length: many\r\n\r\nhello");
    assertEquals("hello", badLength.bodyText());
    SipMessage shortLength = parse("MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 2\r\n\r\nhello");
    assertEquals("he", shortLength.bodyText());
    SipMessage longLength = parse("MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 99\r\n\r\nhello");
    assertEquals("hello", longLength.bodyText());
    assertFalse(longLength.hasSdp());
  }

  @Test
  void holdDetectionAtSessionAndMediaLevel() throws Exception {
    assertEquals(SdpHold.Direction.HELD, sdp("c=IN IP4 10.0.0.1\r\nm=audio 4000 RTP/AVP 0\r\na=sendonly\r\n"));
    assertEquals(SdpHold.Direction.HELD, sdp("c=IN IP4 10.0.0.1\r\nm=audio 4000 RTP/AVP 0\r\na=inactive\r\n"));
    assertEquals(SdpHold.Direction.HELD, sdp("c=IN IP4 10.0.0.1\r\nm=audio 4000 RTP/AVP 0\r\na=recvonly\r\n"));
    assertEquals(SdpHold.Direction.HELD, sdp("c=IN IP4 0.0.0.0\r\nm=audio 4000 RTP/AVP 0\r\n"));
    assertEquals(SdpHold.Direction.HELD, sdp("a=sendonly\r\nm=audio 4000 RTP/AVP 0\r\nm=video 4002 RTP/AVP 96\r\n"));
    assertEquals(SdpHold.Direction.ACTIVE, sdp("a=sendonly\r\nm=audio 4000 RTP/AVP 0\r\na=sendrecv\r\n"));
    assertEquals(SdpHold.Direction.ACTIVE,
        sdp("m=audio 4000 RTP/AVP 0\r\na=sendonly\r\nm=video 4002 RTP/AVP 96\r\na=sendrecv\r\n"));
    assertEquals(SdpHold.Direction.HELD,
        sdp("m=audio 4000 RTP/AVP 0\r\na=sendonly\r\nm=video 0 RTP/AVP 96\r\n"), "a disabled stream does not count");
    assertEquals(SdpHold.Direction.ACTIVE, sdp("c=IN IP4 10.0.0.1\r\nm=audio 4000 RTP/AVP 0\r\n"));
    assertEquals(SdpHold.Direction.NONE, sdp("c=IN IP4 10.0.0.1\r\n"));
  }

  private static SdpHold.Direction sdp(String lines) throws SipFormatException {
    String body = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\n" + lines;
    return parse("INVITE sip:a@b SIP/2.0\r\nContent-Type: application/sdp\r\nContent-Length: " + body.length()
        + "\r\n\r\n" + body).sdpDirection();
  }
}
