package dev.switchboard.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Reads the configuration from, in order of precedence (later wins): the built-in defaults (the
 * bundled {@code conf/switchboard.json}), the file given with {@code --conf}, environment variables
 * and system properties. Every key {@code a.b_c} has the variable {@code SWITCHBOARD_A_B_C} and
 * the property {@code switchboard.a.b_c}; arrays are given there comma-separated. Unknown keys and
 * values of the wrong type stop startup with an error naming the key.
 */
public final class ConfigLoader {

  /** Where the defaults live inside the jar. */
  public static final String DEFAULTS_RESOURCE = "conf/switchboard.json";

  private static final String ENV_PREFIX = "SWITCHBOARD_";
  private static final String PROPERTY_PREFIX = "switchboard.";

  private ConfigLoader() {
  }

  /** The built-in defaults. */
  public static JsonObject defaults() {
    try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(DEFAULTS_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(DEFAULTS_RESOURCE + " is missing from the class path");
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Loads and validates the configuration.
   *
   * @param file the operator's file, or {@code null} for none
   * @param env environment variables (normally {@link System#getenv()})
   * @param properties system properties (normally {@link System#getProperties()})
   * @return the merged configuration, or a failure with a {@link ConfigException}
   */
  public static Future<JsonObject> load(Vertx vertx, Path file, Map<String, String> env, Properties properties) {
    JsonObject defaults = defaults();
    ConfigRetrieverOptions options = new ConfigRetrieverOptions()
        .setScanPeriod(0)
        .addStore(new ConfigStoreOptions().setType("json").setConfig(defaults));
    if (file != null) {
      options.addStore(new ConfigStoreOptions().setType("file").setFormat("json")
          .setConfig(new JsonObject().put("path", file.toString())));
    }
    ConfigRetriever retriever = ConfigRetriever.create(vertx, options);
    return retriever.getConfig()
        .eventually(() -> {
          retriever.close();
          return Future.succeededFuture();
        })
        .recover(failure -> Future.failedFuture(new ConfigException(List.of(
            "--conf " + file + ": " + failure.getMessage()))))
        .map(merged -> resolve(defaults, merged, env, properties));
  }

  /**
   * Applies environment variables and system properties to a merged configuration and checks it
   * against the defaults' keys and types.
   *
   * @throws ConfigException naming every bad key
   */
  public static JsonObject resolve(JsonObject defaults, JsonObject merged, Map<String, String> env, Properties properties) {
    List<String> problems = new ArrayList<>();
    JsonObject config = merged.copy();
    unknownKeys("", defaults, config, problems);
    overlay("", defaults, config, env, properties, problems);
    typeCheck("", defaults, config, problems);
    if (problems.isEmpty()) {
      ConfigRules.check(config, problems);
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return config;
  }

  /** The environment variable for a key, e.g. {@code http.port} gives {@code SWITCHBOARD_HTTP_PORT}. */
  public static String envName(String key) {
    return ENV_PREFIX + key.replace('.', '_').toUpperCase(Locale.ROOT);
  }

  private static void unknownKeys(String prefix, JsonObject schema, JsonObject config, List<String> problems) {
    for (String key : config.fieldNames()) {
      String path = prefix + key;
      if (!schema.containsKey(key)) {
        problems.add(path + ": unknown key (see conf/switchboard.json for every key)");
      } else if (schema.getValue(key) instanceof JsonObject section && config.getValue(key) instanceof JsonObject given
          && !section.isEmpty()) {
        unknownKeys(path + ".", section, given, problems);
      }
    }
  }

  private static void overlay(String prefix, JsonObject schema, JsonObject config, Map<String, String> env,
      Properties properties, List<String> problems) {
    for (String key : schema.fieldNames()) {
      String path = prefix + key;
      Object kind = schema.getValue(key);
      if (kind instanceof JsonObject section && !section.isEmpty()) {
        JsonObject target = config.getValue(key) instanceof JsonObject existing ? existing : new JsonObject();
        config.put(key, target);
        overlay(path + ".", section, target, env, properties, problems);
        continue;
      }
      String envName = envName(path);
      String text = env.get(envName);
      String source = envName;
      String property = properties.getProperty(PROPERTY_PREFIX + path);
      if (property != null) {
        text = property;
        source = "-D" + PROPERTY_PREFIX + path;
      }
      if (text != null) {
        try {
          config.put(key, coerce(text, kind));
        } catch (IllegalArgumentException e) {
          problems.add(path + " (from " + source + "): " + e.getMessage());
        }
      }
    }
  }

  private static Object coerce(String text, Object kind) {
    String trimmed = text.trim();
    if (kind instanceof Integer) {
      try {
        return Integer.parseInt(trimmed);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + text + "' is not a whole number");
      }
    }
    if (kind instanceof Long) {
      try {
        return Long.parseLong(trimmed);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + text + "' is not a whole number");
      }
    }
    if (kind instanceof Boolean) {
      if (trimmed.equalsIgnoreCase("true") || trimmed.equalsIgnoreCase("false")) {
        return Boolean.parseBoolean(trimmed);
      }
      throw new IllegalArgumentException("'" + text + "' is not true or false");
    }
    if (kind instanceof JsonArray) {
      if (trimmed.startsWith("[")) {
        try {
          return new JsonArray(trimmed);
        } catch (RuntimeException e) {
          throw new IllegalArgumentException("is not a JSON array: " + e.getMessage());
        }
      }
      JsonArray items = new JsonArray();
      for (String item : trimmed.split(",")) {
        if (!item.isBlank()) {
          items.add(item.trim());
        }
      }
      return items;
    }
    if (kind instanceof JsonObject) {
      try {
        return new JsonObject(trimmed);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("is not a JSON object: " + e.getMessage());
      }
    }
    return text;
  }

  private static void typeCheck(String prefix, JsonObject schema, JsonObject config, List<String> problems) {
    for (String key : schema.fieldNames()) {
      String path = prefix + key;
      Object kind = schema.getValue(key);
      Object value = config.getValue(key);
      if (kind instanceof JsonObject section && !section.isEmpty()) {
        if (value instanceof JsonObject given) {
          typeCheck(path + ".", section, given, problems);
        } else {
          problems.add(path + ": must be an object");
        }
      } else if (!sameKind(kind, value)) {
        problems.add(path + ": must be " + describe(kind) + " (got " + (value == null ? "null" : "'" + value + "'") + ")");
      }
    }
  }

  private static boolean sameKind(Object kind, Object value) {
    if (kind instanceof Integer || kind instanceof Long) {
      return (value instanceof Integer || value instanceof Long)
          && (kind instanceof Long || ((Number) value).longValue() == ((Number) value).intValue());
    }
    return value != null && kind.getClass().isInstance(value);
  }

  private static String describe(Object kind) {
    if (kind instanceof Integer || kind instanceof Long) {
      return "a whole number";
    }
    if (kind instanceof Boolean) {
      return "true or false";
    }
    if (kind instanceof JsonArray) {
      return "an array";
    }
    if (kind instanceof JsonObject) {
      return "an object";
    }
    return "a string";
  }
}
