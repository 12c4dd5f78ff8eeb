#pragma once
// The source table model: what the catalog says about a table, independent of the target.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace my2pg::schema {

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
};

struct Table {
  std::string database;
  std::string name;
  std::vector<Column> columns;
  std::vector<std::string> primary_key;  // column names in key order; empty when there is none
  std::optional<uint64_t> auto_increment_next;  // the table's AUTO_INCREMENT counter, if any

  std::string qualified_name() const { return database + "." + name; }
};

}  // namespace my2pg::schema
