package dev.switchboard.ingest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Recordings of real Kamailio traffic (copied from shared/interop/captures into test resources):
 * {@code interop-20calls} (20 calls, 10 calls/s) and {@code burst-200calls} (200 calls at 100/s).
 */
public final class Captures {

  private Captures() {
  }

  /** The lines of a capture file, e.g. {@code interop-20calls/udp.raw} or {@code burst-200calls/hep.raw.gz}. */
  public static List<String> lines(String name) {
    try (InputStream raw = Captures.class.getResourceAsStream("/captures/" + name)) {
      if (raw == null) {
        throw new IllegalArgumentException("no capture " + name);
      }
      InputStream in = name.endsWith(".gz") ? new GZIPInputStream(raw) : raw;
      return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines()
          .filter(line -> !line.isBlank()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every HEP datagram of a {@code hep.raw} capture, in arrival order. */
  public static List<byte[]> hepDatagrams(String name) {
    return lines(name).stream().map(line -> HexFormat.of().parseHex(line.trim())).toList();
  }
}
