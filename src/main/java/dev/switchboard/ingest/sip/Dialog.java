package dev.switchboard.ingest.sip;

/** What the tracker remembers about one call (one Call-ID); kept small, the table can be large. */
final class Dialog {

  static final byte EARLY = 0;
  static final byte CONNECTED = 1;
  static final byte ENDED = 2;

  final String callId;
  final String callerTag;
  final String from;
  final String fromName;
  final String to;
  final String toName;
  final String direction;
  final String accountId;
  final long captureId;
  final String correlationId;
  final long startMicros;
  long inviteCseq;
  long connectMicros;
  long lastTimestampMicros;
  long lastArrivalMicros;
  /** Where the first INVITE came from: the caller, as the capture point sees it. */
  String callerAddress;
  String lastSrc;
  String lastDst;
  byte state = EARLY;
  boolean ringing;
  boolean held;
  boolean cancelled;

  Dialog(String callId, String callerTag, String from, String fromName, String to, String toName, String direction,
      String accountId, long captureId, String correlationId, long startMicros) {
    this.callId = callId;
    this.callerTag = callerTag;
    this.from = from;
    this.fromName = fromName;
    this.to = to;
    this.toName = toName;
    this.direction = direction;
    this.accountId = accountId;
    this.captureId = captureId;
    this.correlationId = correlationId;
    this.startMicros = startMicros;
  }
}
