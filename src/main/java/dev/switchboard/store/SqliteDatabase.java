package dev.switchboard.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.List;
import java.util.Properties;

/**
 * The embedded database file, {@code data_dir/switchboard.db}: SQLite in WAL mode, its schema
 * migrated at open ({@link Schema}). One connection, used only from a one-thread worker pool with
 * ordered execution (shared by name with every other opener of the same file in this process), so
 * statements never run on an event loop and writes never contend. Each store built on it
 * ({@link SqliteStore}, and the fan-out's outbox) runs its statements through {@link #call}.
 */
public final class SqliteDatabase {

  /** The database file's name inside the data directory. */
  public static final String FILE_NAME = "switchboard.db";

  /** Work to do with the connection, on the database's worker thread. */
  @FunctionalInterface
  public interface Work<T> {
    /** Does it. */
    T run(Connection connection) throws Exception;
  }

  private final WorkerExecutor worker;
  private final Connection connection;

  private SqliteDatabase(WorkerExecutor worker, Connection connection) {
    this.worker = worker;
    this.connection = connection;
  }

  /** Opens (creating when needed) and migrates the database in {@code dataDir}. */
  public static Future<SqliteDatabase> open(Vertx vertx, Path dataDir) {
    return open(vertx, dataDir, FILE_NAME, Schema.MIGRATIONS);
  }

  /**
   * Opens (creating when needed) another database file in {@code dataDir}, with its own list of
   * migrations.
   */
  static Future<SqliteDatabase> open(Vertx vertx, Path dataDir, String fileName, List<Schema.Migration> migrations) {
    Path file = dataDir.toAbsolutePath().normalize().resolve(fileName);
    WorkerExecutor worker = vertx.createSharedWorkerExecutor("switchboard-sqlite-" + file, 1);
    return worker.executeBlocking(() -> {
      Files.createDirectories(file.getParent());
      createPrivate(file);
      // Nothing here reads generated keys; left on, the driver runs a query after every insert.
      Properties properties = new Properties();
      properties.setProperty("jdbc.get_generated_keys", "false");
      Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file, properties);
      try (Statement statement = connection.createStatement()) {
        statement.execute("PRAGMA journal_mode = WAL");
        statement.execute("PRAGMA synchronous = FULL");
        statement.execute("PRAGMA busy_timeout = 5000");
        statement.execute("PRAGMA cache_size = -16384");
        Schema.migrate(connection, migrations);
      } catch (SQLException | RuntimeException e) {
        connection.close();
        throw e;
      }
      return new SqliteDatabase(worker, connection);
    }, true).onFailure(failure -> worker.close());
  }

  /** Runs work on the database's thread, after all work submitted before it. */
  public <T> Future<T> call(Work<T> work) {
    return worker.executeBlocking(() -> work.run(connection), true);
  }

  /** Runs work in one transaction: all of it is committed, or none. */
  public <T> Future<T> transaction(Work<T> work) {
    return call(connection -> {
      connection.setAutoCommit(false);
      try {
        T result = work.run(connection);
        connection.commit();
        return result;
      } catch (Exception e) {
        connection.rollback();
        throw e;
      } finally {
        connection.setAutoCommit(true);
      }
    });
  }

  /**
   * Runs one statement that must change exactly one row.
   *
   * @param conflict the {@link StoreConflictException}'s message when it changes none or breaks a
   *     unique key
   */
  public Future<Void> changeOne(String sql, String conflict, Object... parameters) {
    return call(connection -> {
      int changed;
      try (PreparedStatement statement = connection.prepareStatement(sql)) {
        for (int i = 0; i < parameters.length; i++) {
          if (parameters[i] == null) {
            statement.setNull(i + 1, Types.NULL);
          } else {
            statement.setObject(i + 1, parameters[i]);
          }
        }
        changed = statement.executeUpdate();
      } catch (SQLException e) {
        if (e.getMessage() != null && e.getMessage().contains("UNIQUE constraint failed")) {
          throw new StoreConflictException(conflict);
        }
        throw e;
      }
      if (changed != 1) {
        throw new StoreConflictException(conflict);
      }
      return null;
    });
  }

  /** Closes the connection after the work already submitted, and releases the worker. */
  public Future<Void> close() {
    Future<Void> closed = call(connection -> {
      connection.close();
      return null;
    });
    return closed.eventually(() -> worker.close());
  }

  /** The file holds webhook secrets: readable by the gateway's user only (where the file system can say so). */
  private static void createPrivate(Path file) throws IOException {
    if (Files.exists(file)) {
      return;
    }
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException notPosix) {
      Files.createFile(file);
    } catch (FileAlreadyExistsException raced) {
      // Another opener created it first and chose the mode.
    }
  }
}
