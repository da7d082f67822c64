package dev.switchboard.auth;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes sure the gateway never runs open: a key left empty in the configuration is read from the
 * data directory, or generated there at first start (file mode 0600). Blocking file I/O: call it
 * from a worker thread or before Vert.x starts.
 */
public final class KeyFiles {

  /** The system authkey's file, below the data directory. */
  public static final String AUTHKEY_FILE = "keys/authkey";
  /** The ingest key's file, below the data directory. */
  public static final String INGEST_KEY_FILE = "keys/ingest-key";

  private KeyFiles() {
  }

  /** What {@link #ensure} did, for the startup banner; never holds a secret. */
  public record Outcome(JsonObject config, List<String> notes) {
  }

  /**
   * Fills {@code authkey} and {@code ingest.key} when empty.
   *
   * @return a copy of the configuration with both keys set, and lines saying where each came from
   */
  public static Outcome ensure(JsonObject config) {
    JsonObject resolved = config.copy();
    Path dataDir = Path.of(resolved.getString("data_dir")).toAbsolutePath().normalize();
    List<String> notes = new ArrayList<>();
    String authkey = resolved.getString("authkey");
    if (authkey.isEmpty()) {
      resolved.put("authkey", fromFile(dataDir.resolve(AUTHKEY_FILE), "sk_", "system authkey", notes));
    } else {
      notes.add("system authkey: from configuration (authkey / SWITCHBOARD_AUTHKEY)");
    }
    JsonObject ingest = resolved.getJsonObject("ingest");
    if (ingest.getString("key").isEmpty()) {
      ingest.put("key", fromFile(dataDir.resolve(INGEST_KEY_FILE), "ik_", "ingest key", notes));
    } else {
      notes.add("ingest key: from configuration (ingest.key / SWITCHBOARD_INGEST_KEY)");
    }
    return new Outcome(resolved, notes);
  }

  private static String fromFile(Path file, String prefix, String what, List<String> notes) {
    try {
      if (Files.exists(file)) {
        String key = Files.readString(file, StandardCharsets.UTF_8).trim();
        if (key.isEmpty()) {
          throw new IllegalStateException(file + " is empty; delete it to have a new " + what + " generated");
        }
        notes.add(what + ": in " + file);
        return key;
      }
      Files.createDirectories(file.getParent());
      String key = Secrets.newKey(prefix);
      try {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException notPosix) {
        Files.createFile(file);
      } catch (FileAlreadyExistsException raced) {
        return fromFile(file, prefix, what, notes);
      }
      Files.writeString(file, key + "\n", StandardCharsets.UTF_8);
      notes.add(what + ": generated at first start, read it with: cat " + file);
      return key;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the " + what + " file " + file, e);
    }
  }
}
