package dev.switchboard.ingest.sip;

/** Bytes that are not a SIP message; the message says what is wrong. */
public final class SipFormatException extends Exception {

  /** @param message what is wrong */
  public SipFormatException(String message) {
    super(message, null, false, false);
  }
}
