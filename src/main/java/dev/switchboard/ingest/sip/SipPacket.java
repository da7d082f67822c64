package dev.switchboard.ingest.sip;

/**
 * A SIP message as a capture agent saw it on the wire.
 *
 * @param message the parsed message
 * @param timestampMicros when the agent captured it (Unix microseconds; its clock, not ours)
 * @param srcIp the sender's address, {@code null} when unknown
 * @param src the sender as {@code ip:port}, {@code null} when unknown
 * @param dst the receiver as {@code ip:port}, {@code null} when unknown
 * @param captureId the capture agent's id, -1 when unknown
 * @param correlationId the agent's correlation id (links B2BUA legs), {@code null} when none
 */
public record SipPacket(SipMessage message, long timestampMicros, String srcIp, String src, String dst, long captureId,
    String correlationId) {
}
