package dev.switchboard.ingest.sip;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds synthetic SIP traffic as a proxy would mirror it: every message appears twice (as the
 * proxy received it and as it sent it on), with capture timestamps a few microseconds apart.
 */
final class SipFlow {

  static final String ACTIVE_SDP = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
      + "m=audio 4000 RTP/AVP 0\r\na=sendrecv\r\n";
  static final String HOLD_SDP = "v=0\r\no=- 1 2 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
      + "m=audio 4000 RTP/AVP 0\r\na=sendonly\r\n";

  final String callId;
  final String fromTag = "caller-tag";
  final String toTag = "callee-tag";
  final String fromHeader;
  final String toHeader;
  long clockMicros = 1_700_000_000_000_000L;
  final List<SipPacket> packets = new ArrayList<>();

  SipFlow(String callId) {
    this(callId, "\"Alice Smith\" <sip:alice@pbx.example.com>", "<sip:+15551234@pbx.example.com>");
  }

  SipFlow(String callId, String from, String to) {
    this.callId = callId;
    this.fromHeader = from;
    this.toHeader = to;
  }

  /** Advances the capture clock. */
  SipFlow after(long millis) {
    clockMicros += millis * 1_000;
    return this;
  }

  SipFlow invite() {
    return request("INVITE", 1, false, ACTIVE_SDP, fromTag, "");
  }

  SipFlow reInvite(long cseq, String sdp, boolean fromCaller) {
    return request("INVITE", cseq, true, sdp, fromCaller ? fromTag : toTag, "");
  }

  SipFlow cancel() {
    return request("CANCEL", 1, false, null, fromTag, "");
  }

  SipFlow bye(long cseq, boolean fromCaller) {
    return request("BYE", cseq, true, null, fromCaller ? fromTag : toTag, "");
  }

  SipFlow ack(long cseq) {
    return request("ACK", cseq, true, null, fromTag, "");
  }

  SipFlow response(int code, String reason, long cseq, String method) {
    boolean tagged = code > 100;
    String text = "SIP/2.0 " + code + " " + reason + "\r\n"
        + "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-1\r\n"
        + "From: " + fromHeader + ";tag=" + fromTag + "\r\n"
        + "To: " + toHeader + (tagged ? ";tag=" + toTag : "") + "\r\n"
        + "Call-ID: " + callId + "\r\n"
        + "CSeq: " + cseq + " " + method + "\r\n"
        + "Content-Length: 0\r\n\r\n";
    return twice(text, "10.0.0.2:5060", "10.0.0.9:5060", "10.0.0.9:5060", "10.0.0.1:5060");
  }

  /** A branch's answer to the proxy, which the proxy does not pass on (it fails over). */
  SipFlow branchResponse(int code, String reason, String branch) {
    String text = "SIP/2.0 " + code + " " + reason + "\r\n"
        + "Via: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bK-fork\r\n"
        + "From: " + fromHeader + ";tag=" + fromTag + "\r\n"
        + "To: " + toHeader + ";tag=branch-" + code + "\r\n"
        + "Call-ID: " + callId + "\r\n"
        + "CSeq: 1 INVITE\r\n"
        + "Content-Length: 0\r\n\r\n";
    packets.add(packet(text, branch, "10.0.0.9:5060"));
    clockMicros += 5;
    return this;
  }

  SipFlow request(String method, long cseq, boolean inDialog, String sdp, String senderTag, String extraHeaders) {
    boolean fromCaller = senderTag.equals(fromTag);
    String from = fromCaller ? fromHeader + ";tag=" + fromTag : toHeader + ";tag=" + toTag;
    String to = fromCaller ? toHeader + (inDialog ? ";tag=" + toTag : "") : fromHeader + ";tag=" + fromTag;
    String body = sdp == null ? "" : sdp;
    String text = method + " sip:+15551234@pbx.example.com SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-" + method + cseq + "\r\n"
        + "From: " + from + "\r\n"
        + "To: " + to + "\r\n"
        + "Call-ID: " + callId + "\r\n"
        + "CSeq: " + cseq + " " + method + "\r\n"
        + extraHeaders
        + (sdp == null ? "" : "Content-Type: application/sdp\r\n")
        + "Content-Length: " + body.length() + "\r\n\r\n" + body;
    return fromCaller ? twice(text, "10.0.0.1:5060", "10.0.0.9:5060", "10.0.0.9:5060", "10.0.0.2:5060")
        : twice(text, "10.0.0.2:5060", "10.0.0.9:5060", "10.0.0.9:5060", "10.0.0.1:5060");
  }

  /** The message as received by the proxy, then as sent on 5 µs later. */
  SipFlow twice(String text, String src1, String dst1, String src2, String dst2) {
    packets.add(packet(text, src1, dst1));
    clockMicros += 5;
    packets.add(packet(text, src2, dst2));
    clockMicros += 5;
    return this;
  }

  SipFlow once(String text) {
    packets.add(packet(text, "10.0.0.1:5060", "10.0.0.9:5060"));
    clockMicros += 5;
    return this;
  }

  private SipPacket packet(String text, String src, String dst) {
    try {
      SipMessage message = SipMessage.parse(text.getBytes(StandardCharsets.UTF_8));
      return new SipPacket(message, clockMicros, src.substring(0, src.indexOf(':')), src, dst, 7, null);
    } catch (SipFormatException e) {
      throw new IllegalStateException(e);
    }
  }
}
