package dev.switchboard.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The embedded store's schema, as an ordered list of migrations. The database's
 * {@code PRAGMA user_version} says how many have been applied; at start the missing ones run, each
 * in its own transaction. A capability that needs tables (the delivery outbox, the attempts log)
 * adds a migration at the end of {@link #MIGRATIONS}; released migrations are never edited.
 */
public final class Schema {

  /** One step of the schema. */
  public record Migration(int version, String description, List<String> statements) {
  }

  /** Every migration, in order; {@code version} is the position counted from 1. */
  public static final List<Migration> MIGRATIONS = List.of(
      new Migration(1, "accounts, API keys and subscriptions", List.of(
          "CREATE TABLE accounts (id TEXT PRIMARY KEY, parent_id TEXT, version INTEGER NOT NULL, doc TEXT NOT NULL)",
          "CREATE INDEX accounts_parent ON accounts (parent_id)",
          "CREATE TABLE api_keys (id TEXT PRIMARY KEY, account_id TEXT, key_hash TEXT NOT NULL UNIQUE,"
              + " version INTEGER NOT NULL, last_used_at INTEGER, doc TEXT NOT NULL)",
          "CREATE INDEX api_keys_account ON api_keys (account_id)",
          "CREATE TABLE subscriptions (id TEXT PRIMARY KEY, account_id TEXT, version INTEGER NOT NULL, doc TEXT NOT NULL)",
          "CREATE INDEX subscriptions_account ON subscriptions (account_id)")));

  private Schema() {
  }

  /**
   * Brings a database up to the last of its list of migrations ({@link #MIGRATIONS} for
   * {@code switchboard.db}; another file has its own list).
   *
   * @return the version it was at before
   * @throws IllegalStateException when the database was written by a newer Switchboard
   */
  static int migrate(Connection connection, List<Migration> migrations) throws SQLException {
    int current = userVersion(connection);
    int latest = migrations.size();
    if (current > latest) {
      throw new IllegalStateException("the database is at schema version " + current
          + " but this Switchboard knows only up to " + latest + "; run a newer version");
    }
    for (Migration migration : migrations.subList(current, latest)) {
      boolean autoCommit = connection.getAutoCommit();
      connection.setAutoCommit(false);
      try (Statement statement = connection.createStatement()) {
        for (String sql : migration.statements()) {
          statement.execute(sql);
        }
        statement.execute("PRAGMA user_version = " + migration.version());
        connection.commit();
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw new SQLException("schema migration " + migration.version() + " (" + migration.description()
            + ") failed: " + e.getMessage(), e);
      } finally {
        connection.setAutoCommit(autoCommit);
      }
    }
    return current;
  }

  static int userVersion(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        var rows = statement.executeQuery("PRAGMA user_version")) {
      return rows.next() ? rows.getInt(1) : 0;
    }
  }
}
