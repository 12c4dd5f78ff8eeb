#pragma once
// What the schema statement tracker knows of MySQL's and MariaDB's data types: character sets
// and their default collations, type families, the widths, precisions and sizes the server
// shows in information_schema, and how it stores a literal default for a column.
#include <cstdint>
#include <optional>
#include <string>

#include "schema/sql_tokens.hpp"
#include "schema/table.hpp"

namespace my2pg::schema {

// --- character sets ---

// The charset name lower-cased, with utf8 as utf8mb3 (MariaDB 10.6+ and MySQL 8 spell it so).
std::string canonical_charset(std::string name);

// The collation name lower-cased, with utf8_ as utf8mb3_.
std::string canonical_collation(std::string name);

// The charset a collation belongs to: its name up to the first '_'.
std::string charset_of_collation(const std::string& collation);

// The most bytes one character of `charset` takes (4 for a charset not in the table).
int charset_maxlen(const std::string& charset);

// The collation the server gives `charset` when none is named.
std::string default_collation(const std::string& charset, bool mariadb);

// --- types ---

// The groups of data types that the server treats alike.
enum class Family {
  integer,
  decimal,
  floating,
  bit,
  character,
  text,
  binary,
  blob,
  temporal,
  year,
  choice,
  json,
  other
};

// The family of a canonical data type name ("varchar"); other for names it does not know.
Family family_of(const std::string& data_type);

// The column holds characters: CHAR, VARCHAR, the TEXT types, ENUM and SET.
bool is_character(const Column& c);

// The display width MariaDB shows for an integer type declared without one.
int64_t default_int_width(const std::string& base, bool is_unsigned);

// information_schema's NUMERIC_PRECISION of an integer type.
int64_t int_precision(const std::string& base, bool is_unsigned);

// The smallest TEXT (or BLOB) type that holds `bytes`.
std::string text_type_for_bytes(int64_t bytes, bool blob);

// The most bytes a TEXT or BLOB type holds.
int64_t text_bytes(const std::string& base);

// --- default values ---

// A literal DEFAULT (written as a `token` of text `text`) as the server stores it for `c`.
ColumnDefault literal_default(SqlToken::Type token, const std::string& text, const Column& c);

// CURRENT_TIMESTAMP[(fsp)] as information_schema shows a column's default or ON UPDATE.
std::string current_timestamp_text(std::optional<int64_t> fsp, bool mariadb);

}  // namespace my2pg::schema
