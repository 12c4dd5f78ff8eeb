#pragma once
// MySQL's binary JSON (the JSON column format in row events) and partial-update diffs.
#include <cstdint>
#include <span>
#include <string>

namespace my2pg::binlog {

// Appends the document as text exactly as MySQL prints it (SELECT, mysqlbinlog -v): ", " and
// ": " separators, keys in stored order, doubles as MySQL formats them, opaque values (DECIMAL,
// DATE, TIME, DATETIME, BLOB...) in MySQL's textual forms. An empty input is JSON null.
// Throws DecodeError for a malformed document (every offset and length is bounds-checked).
void append_json_text(std::span<const uint8_t> binary, std::string& out);

// Applies a PARTIAL_UPDATE_ROWS JSON diff vector (`diff`, as logged for one column) to the
// before image `before` (binary JSON) and returns the full after image as JSON text.
std::string apply_json_diff(std::span<const uint8_t> before, std::span<const uint8_t> diff);

}  // namespace my2pg::binlog
