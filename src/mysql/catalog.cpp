#include "mysql/catalog.hpp"

namespace my2pg::mysql {

CatalogRows read_catalog(Connection& conn, const std::string& database) {
  const std::string db = conn.quote(database);
  CatalogRows rows;
  rows.columns = conn.query(
      "SELECT c.TABLE_NAME, c.COLUMN_NAME, c.IS_NULLABLE, LOWER(c.DATA_TYPE) AS DATA_TYPE, "
      "c.COLUMN_TYPE, c.EXTRA, c.CHARACTER_MAXIMUM_LENGTH, c.NUMERIC_PRECISION, c.NUMERIC_SCALE, "
      "c.DATETIME_PRECISION, c.CHARACTER_SET_NAME "
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
  if (conn.flavor() == Flavor::mariadb) {
    // MariaDB's JSON is LONGTEXT with a column check json_valid(`name`) named after the column.
    rows.json_checks = conn.query(
        "SELECT TABLE_NAME, CONSTRAINT_NAME AS COLUMN_NAME FROM "
        "information_schema.CHECK_CONSTRAINTS "
        "WHERE CONSTRAINT_SCHEMA = " +
        db +
        " AND LEVEL = 'Column' "
        "AND CHECK_CLAUSE = CONCAT('json_valid(`', CONSTRAINT_NAME, '`)')");
  }
  return rows;
}

}  // namespace my2pg::mysql
