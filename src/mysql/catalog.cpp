#include "mysql/catalog.hpp"

namespace my2pg::mysql {
namespace {

bool has_column(Connection& conn, const std::string& table, const std::string& column) {
  const RowSet r = conn.query(
      "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'information_schema' "
      "AND TABLE_NAME = " +
      conn.quote(table) + " AND COLUMN_NAME = " + conn.quote(column));
  return !r.rows.empty() && r.rows[0][0] && *r.rows[0][0] != "0";
}

}  // namespace

CatalogRows read_catalog(Connection& conn, const std::string& database) {
  const std::string db = conn.quote(database);
  CatalogRows rows;
  rows.mariadb = conn.flavor() == Flavor::mariadb;
  rows.columns = conn.query(
      "SELECT c.TABLE_NAME, c.COLUMN_NAME, c.IS_NULLABLE, LOWER(c.DATA_TYPE) AS DATA_TYPE, "
      "c.COLUMN_TYPE, c.EXTRA, c.CHARACTER_MAXIMUM_LENGTH, c.NUMERIC_PRECISION, c.NUMERIC_SCALE, "
      "c.DATETIME_PRECISION, c.CHARACTER_SET_NAME, c.COLLATION_NAME, c.COLUMN_DEFAULT, "
      "c.GENERATION_EXPRESSION, c.COLUMN_COMMENT "
      "FROM information_schema.COLUMNS c JOIN information_schema.TABLES t "
      "ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME "
      "WHERE c.TABLE_SCHEMA = " +
      db +
      " AND t.TABLE_TYPE = 'BASE TABLE' "
      "ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION");
  rows.primary_keys = conn.query(
      "SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.STATISTICS "
      "WHERE TABLE_SCHEMA = " +
      db +
      " AND INDEX_NAME = 'PRIMARY' "
      "ORDER BY TABLE_NAME, SEQ_IN_INDEX");
  rows.counters = conn.query(
      "SELECT TABLE_NAME, AUTO_INCREMENT FROM information_schema.TABLES "
      "WHERE TABLE_SCHEMA = " +
      db + " AND TABLE_TYPE = 'BASE TABLE'");
  rows.tables = conn.query(
      "SELECT TABLE_NAME, TABLE_TYPE, ENGINE, TABLE_COMMENT, CREATE_OPTIONS, DATA_LENGTH, "
      "TABLE_ROWS, TABLE_COLLATION "
      "FROM information_schema.TABLES WHERE TABLE_SCHEMA = " +
      db + " ORDER BY TABLE_NAME");
  // Functional key parts (MySQL 8.0.13+) are in STATISTICS.EXPRESSION, which others lack.
  const std::string expression =
      has_column(conn, "STATISTICS", "EXPRESSION") ? "EXPRESSION" : "NULL AS EXPRESSION";
  rows.indexes = conn.query(
      "SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME, SUB_PART, "
      "COLLATION, INDEX_TYPE, " +
      expression + " FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = " + db +
      " AND INDEX_NAME <> 'PRIMARY' ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX");
  rows.foreign_keys = conn.query(
      "SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_SCHEMA, "
      "k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, r.UPDATE_RULE, r.DELETE_RULE "
      "FROM information_schema.KEY_COLUMN_USAGE k "
      "JOIN information_schema.REFERENTIAL_CONSTRAINTS r "
      "ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME "
      "AND r.TABLE_NAME = k.TABLE_NAME "
      "WHERE k.TABLE_SCHEMA = " +
      db +
      " AND k.REFERENCED_TABLE_NAME IS NOT NULL "
      "ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION");
  if (rows.mariadb) {
    // MariaDB's JSON is LONGTEXT with a column check json_valid(`name`) named after the column.
    rows.json_checks = conn.query(
        "SELECT TABLE_NAME, CONSTRAINT_NAME AS COLUMN_NAME FROM "
        "information_schema.CHECK_CONSTRAINTS "
        "WHERE CONSTRAINT_SCHEMA = " +
        db +
        " AND LEVEL = 'Column' "
        "AND CHECK_CLAUSE = CONCAT('json_valid(`', CONSTRAINT_NAME, '`)')");
    rows.checks = conn.query(
        "SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE, LEVEL "
        "FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = " +
        db + " ORDER BY TABLE_NAME, CONSTRAINT_NAME");
  } else if (has_column(conn, "CHECK_CONSTRAINTS", "CHECK_CLAUSE")) {  // MySQL 8.0.16+
    const std::string enforced =
        has_column(conn, "TABLE_CONSTRAINTS", "ENFORCED") ? "tc.ENFORCED" : "'YES' AS ENFORCED";
    rows.checks = conn.query(
        "SELECT tc.TABLE_NAME, cc.CONSTRAINT_NAME, cc.CHECK_CLAUSE, 'Table' AS LEVEL, " + enforced +
        " "
        "FROM information_schema.CHECK_CONSTRAINTS cc "
        "JOIN information_schema.TABLE_CONSTRAINTS tc "
        "ON tc.CONSTRAINT_SCHEMA = cc.CONSTRAINT_SCHEMA "
        "AND tc.CONSTRAINT_NAME = cc.CONSTRAINT_NAME AND tc.CONSTRAINT_TYPE = 'CHECK' "
        "WHERE cc.CONSTRAINT_SCHEMA = " +
        db + " ORDER BY tc.TABLE_NAME, cc.CONSTRAINT_NAME");
  }
  rows.triggers = conn.query(
      "SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION "
      "FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = " +
      db + " ORDER BY TRIGGER_NAME");
  rows.routines = conn.query(
      "SELECT ROUTINE_NAME, ROUTINE_TYPE FROM information_schema.ROUTINES "
      "WHERE ROUTINE_SCHEMA = " +
      db + " ORDER BY ROUTINE_NAME");
  rows.events =
      conn.query("SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = " + db +
                 " ORDER BY EVENT_NAME");
  return rows;
}

}  // namespace my2pg::mysql
