package dev.switchboard.intake;

/** Intake did not accept a batch: saturated, stopping or not running. The source should retry. */
public final class IntakeUnavailableException extends RuntimeException {

  /** @param reason what an operator should read */
  public IntakeUnavailableException(String reason, Throwable cause) {
    super(reason, cause, false, false);
  }
}
