#pragma once
// The source table model: what the catalog says about a database, independent of the target.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace my2pg::schema {

enum class DefaultKind {
  none,               // no DEFAULT clause
  null,               // DEFAULT NULL
  literal,            // a constant; `value` is its text, unquoted ('abc' -> abc, b'101' -> b'101')
  current_timestamp,  // CURRENT_TIMESTAMP[(fsp)] / NOW()
  expression,         // any other expression (MySQL 8.0.13+, MariaDB 10.2+); `value` is its SQL
};

struct ColumnDefault {
  DefaultKind kind = DefaultKind::none;
  std::string value;
};

enum class Generated { no, virtual_column, stored };

struct Column {
  std::string name;
  std::string data_type;    // lower case, as information_schema.DATA_TYPE ("int", "varchar")
  std::string column_type;  // full type as declared ("int(10) unsigned", "enum('a','b')")
  bool nullable = true;
  bool is_unsigned = false;
  bool auto_increment = false;
  bool is_json = false;                // MySQL JSON, or MariaDB LONGTEXT with a json_valid() check
  std::optional<int64_t> char_length;  // characters, for character types
  std::optional<int64_t> precision;    // digits for DECIMAL, bits for BIT
  std::optional<int64_t> scale;
  std::optional<int64_t> fsp;  // fractional seconds for TIME, DATETIME, TIMESTAMP
  std::string charset;         // empty for non-character types
  std::string collation;
  ColumnDefault default_value;
  bool on_update_current_timestamp = false;  // ON UPDATE CURRENT_TIMESTAMP[(fsp)]
  Generated generated = Generated::no;
  std::string generation_expression;
  std::string comment;
};

struct IndexPart {
  std::string column;             // empty for a functional part
  std::optional<int64_t> prefix;  // leading characters (bytes for binary types) indexed
  bool descending = false;
  std::string expression;  // MySQL 8.0.13+ functional key part
};

struct Index {
  std::string name;
  bool unique = false;
  std::string kind;  // BTREE, HASH, FULLTEXT, SPATIAL (as information_schema.STATISTICS)
  std::vector<IndexPart> parts;
};

struct ForeignKey {
  std::string name;
  std::vector<std::string> columns;
  std::string ref_database, ref_table;
  std::vector<std::string> ref_columns;
  std::string on_update = "RESTRICT", on_delete = "RESTRICT";  // RESTRICT, CASCADE, SET NULL...
};

struct CheckConstraint {
  std::string name;
  std::string clause;    // MySQL's SQL, identifiers in backquotes
  bool enforced = true;  // MySQL 8.0.16+ allows NOT ENFORCED
};

struct Table {
  std::string database;
  std::string name;
  std::vector<Column> columns;
  std::vector<std::string> primary_key;  // column names in key order; empty when there is none
  std::optional<uint64_t> auto_increment_next;  // the table's AUTO_INCREMENT counter, if any
  std::vector<Index> indexes;                   // unique and secondary, not the primary key
  std::vector<ForeignKey> foreign_keys;
  std::vector<CheckConstraint> checks;
  std::string comment;
  std::string engine;
  std::string collation;  // the table's default, for columns added later without one
  bool partitioned = false;
  std::optional<uint64_t> data_length;     // the server's estimate of its size, in bytes
  std::optional<uint64_t> estimated_rows;  // the server's estimate of its rows

  std::string qualified_name() const { return database + "." + name; }
  const Column* column(const std::string& column_name) const {
    for (const auto& c : columns)
      if (c.name == column_name) return &c;
    return nullptr;
  }
};

// Something in the source database that is not a base table (views, triggers, routines,
// events): listed so the report can say what was not migrated.
struct OtherObject {
  std::string kind;  // "view", "trigger", "procedure", "function", "event"
  std::string name;
  std::string detail;  // e.g. the trigger's table and timing
};

struct Catalog {
  std::string database;
  std::vector<Table> tables;  // in name order
  std::vector<OtherObject> others;
};

}  // namespace my2pg::schema
