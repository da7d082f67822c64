package dev.switchboard.ingest.hep;

/** A packet that is not valid HEP v3; the message says what is wrong. */
public final class HepFormatException extends Exception {

  /** @param message what is wrong with the packet */
  public HepFormatException(String message) {
    super(message, null, false, false);
  }
}
