package dev.switchboard.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.config.ConfigLoader;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFilesTest {

  @TempDir
  Path dataDir;

  @Test
  void keysAreGeneratedOnceKeptPrivateAndNeverPrinted() throws Exception {
    JsonObject config = ConfigLoader.defaults().put("data_dir", dataDir.toString());

    KeyFiles.Outcome first = KeyFiles.ensure(config);
    KeyFiles.Outcome second = KeyFiles.ensure(config);

    String authkey = first.config().getString("authkey");
    String ingestKey = first.config().getJsonObject("ingest").getString("key");
    assertTrue(authkey.startsWith("sk_") && authkey.length() > 40, authkey);
    assertTrue(ingestKey.startsWith("ik_") && ingestKey.length() > 40, ingestKey);
    assertNotEquals(authkey, ingestKey);
    assertEquals(authkey, second.config().getString("authkey"), "the same key on the next start");
    assertEquals(ingestKey, second.config().getJsonObject("ingest").getString("key"));
    assertEquals(authkey, Files.readString(dataDir.resolve(KeyFiles.AUTHKEY_FILE)).trim());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve(KeyFiles.AUTHKEY_FILE))));
    for (String note : first.notes()) {
      assertFalse(note.contains(authkey) || note.contains(ingestKey), note);
    }
    assertTrue(first.notes().get(0).contains("generated"), first.notes().toString());
    assertTrue(second.notes().get(0).contains(dataDir.resolve(KeyFiles.AUTHKEY_FILE).toString()), second.notes().toString());
    assertEquals("", config.getString("authkey"), "the caller's configuration is not changed");
  }

  @Test
  void configuredKeysAreUsedAsGiven() {
    JsonObject config = ConfigLoader.defaults().put("data_dir", dataDir.toString()).put("authkey", "sk_mine");
    config.getJsonObject("ingest").put("key", "ik_mine");
    KeyFiles.Outcome outcome = KeyFiles.ensure(config);
    assertEquals("sk_mine", outcome.config().getString("authkey"));
    assertEquals("ik_mine", outcome.config().getJsonObject("ingest").getString("key"));
    assertFalse(Files.exists(dataDir.resolve("keys")));
  }
}
