package dev.switchboard.ingest;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Random;

/** Writes a stream the way TCP may deliver it: in pieces of random sizes. */
public final class Pieces {

  private Pieces() {
  }

  /** Writes the bytes in pieces of 1 to {@code maxPiece} bytes, flushing each; the same seed, the same pieces. */
  public static void write(OutputStream out, byte[] bytes, long seed, int maxPiece) throws IOException {
    Random random = new Random(seed);
    for (int at = 0; at < bytes.length; ) {
      int piece = Math.min(bytes.length - at, 1 + random.nextInt(maxPiece));
      out.write(bytes, at, piece);
      out.flush();
      at += piece;
    }
  }
}
