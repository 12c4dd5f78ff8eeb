#pragma once
// One value encoder for both paths into PostgreSQL (snapshot rows and, later, binlog row images):
// a MySQL value in its text-protocol form becomes one field of COPY text format.
#include <cstdint>
#include <string>
#include <string_view>

#include "schema/table.hpp"

namespace my2pg::typemap {

enum class ValueKind {
  plain,      // numbers, decimals, YEAR: already valid PostgreSQL input, no escaping needed
  text,       // character data: escaped for COPY; a NUL byte cannot be stored in PostgreSQL text
  bytes,      // binary data: bytea hex
  bits,       // BIT(n): big-endian bytes to an n-digit bit string
  date,       // DATE: zero or partly-zero dates refused
  datetime,   // DATETIME: as date
  timestamp,  // TIMESTAMP read in UTC: as date, then "+00" appended
  time,       // TIME: as is, an interval ("-838:59:59", "100:15:30.5")
};

struct ColumnCodec {
  ValueKind kind = ValueKind::text;
  uint32_t bits = 0;  // width of BIT(n)
};

// How values of this source column are encoded (decided by the MySQL type, never guessed).
ColumnCodec codec_for(const schema::Column& column);

// Appends `value` as a COPY text field to `out`. Returns nullptr on success, else a short reason
// why the value cannot be represented (the caller names table, column and key).
const char* append_copy_field(const ColumnCodec& codec, std::string_view value, std::string& out);

}  // namespace my2pg::typemap
