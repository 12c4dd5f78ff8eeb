#pragma once
// One value encoder for both paths into PostgreSQL (snapshot rows and, later, binlog row images):
// a MySQL value in its text-protocol form becomes one field of COPY text format.
#include <cstdint>
#include <string>
#include <string_view>

#include "schema/table.hpp"
#include "typemap/type_rules.hpp"

namespace my2pg::typemap {

enum class ValueKind {
  plain,      // numbers, decimals, YEAR: already valid PostgreSQL input, no escaping needed
  text,       // character data (UTF-8): escaped for COPY; NUL bytes and bad UTF-8 per policy
  bytes,      // binary data: bytea hex
  bits,       // BIT(n): big-endian bytes to an n-digit bit string
  date,       // DATE: zero or partly-zero dates per policy
  datetime,   // DATETIME: as date
  timestamp,  // TIMESTAMP read in UTC: as date, then "+00" appended
  time,       // TIME: as is, an interval ("-838:59:59", "100:15:30.5")
  boolean_from_integer,  // an integer to boolean: "0" -> f, "1" -> t, anything else refused
  boolean_from_bit,      // BIT(1) to boolean: the one raw byte 0x00 -> f, 0x01 -> t
  geometry_bytea,        // MySQL's geometry (4-byte SRID + WKB) as EWKB bytes in bytea
  geometry_postgis,      // the same EWKB, as hex text for a PostGIS geometry column
  jsonb,  // JSON text into jsonb: as text, but the escape \u0000 (which jsonb cannot store) is
          // refused, naming the json target that keeps it
};

struct ColumnCodec {
  ValueKind kind = ValueKind::text;
  uint32_t bits = 0;     // width of BIT(n)
  ValuePolicy policy{};  // zero dates, NUL bytes, invalid UTF-8
};

// How values of this source column are encoded (decided by the MySQL type, never guessed), with
// the default policies, which refuse what PostgreSQL cannot store.
ColumnCodec codec_for(const schema::Column& column);
// As above, for the target a rule chose: its value policies and any conversion (to boolean).
ColumnCodec codec_for(const schema::Column& column, const TargetType& target);

// MySQL's internal geometry value (a little-endian SRID, then WKB) as EWKB: the WKB with the SRID
// flag and the SRID after its type when the SRID is not 0 (PostGIS reads it as is). False when the
// value is too short to be one.
bool mysql_geometry_to_ewkb(std::string_view value, std::string& out);

// Appends `value` as a COPY text field to `out`. Returns nullptr on success, else a short reason
// why the value cannot be represented (the caller names table, column and key); `out` is then as
// it was. The reason is a static string or, when it quotes the value, a thread-local buffer that
// stays valid until the next call on the same thread.
const char* append_copy_field(const ColumnCodec& codec, std::string_view value, std::string& out);

// ---- Pieces of append_copy_field shared with the COPY binary encoder (binary_encoder.hpp), so
// that both paths accept, change and refuse the same values with the same reasons. ----

enum class TextForm {
  copy_text,  // COPY text format: backslash, tab, newline and carriage return escaped
  raw,        // the characters themselves (COPY binary format, digests)
};
// Appends character data with NUL bytes and invalid UTF-8 handled per `policy` (refused, NULs
// stripped, bad sequences replaced by U+FFFD). Returns nullptr or the reason; `out` is then as
// it was.
const char* append_text(std::string_view value, const ValuePolicy& policy, TextForm form,
                        std::string& out);

// What a DATE, DATETIME or TIMESTAMP value becomes: itself, or, when its year, month or day is
// zero ('0000-00-00', '2024-00-10'), what the zero_dates policy says.
enum class DateValue { as_is, null, minus_infinity, refused };
DateValue classify_date(std::string_view value, ZeroDates zero_dates);
extern const char* const kZeroDateRefusal;  // the reason for DateValue::refused

// An integer "0" or "1" as a boolean; anything else: the reason it is refused (a thread-local
// buffer quoting the value, valid until the next call on the thread).
const char* boolean_from_integer(std::string_view value, bool& result);
// BIT(1)'s single byte 0x00 or 0x01 as a boolean; anything else: the reason it is refused.
const char* boolean_from_bit(std::string_view value, bool& result);

}  // namespace my2pg::typemap
