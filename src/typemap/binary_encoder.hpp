#pragma once
// COPY binary format for the snapshot copy: the MySQL text-protocol values that append_copy_field
// turns into COPY text fields, encoded as PostgreSQL's binary receive functions take them, so that
// the stored rows are the same either way. Columns whose codec and PostgreSQL type have no binary
// form here are not capable; a table with one of them is copied in text format.
//
// A stream: append_binary_header, then per row append_binary_row_start and one
// append_binary_field or append_binary_null per column, then append_binary_trailer.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "typemap/value_encoder.hpp"

namespace my2pg::typemap {

struct TargetColumn;

// What a column's values become on the wire, one per supported pair of codec kind and
// PostgreSQL type.
enum class BinaryForm : uint8_t {
  none,                  // not capable: the column goes in COPY text format
  int2,                  // plain -> smallint: 2 bytes big-endian
  int4,                  // plain -> integer: 4 bytes
  int8,                  // plain -> bigint: 8 bytes
  numeric,               // plain -> numeric: ndigits, weight, sign, dscale, base-10000 digits
  float4,                // plain -> real: IEEE single, big-endian
  float8,                // plain -> double precision: IEEE double, big-endian
  ascii,                 // plain -> text, varchar, char: the digits as they are
  text,                  // text -> text, varchar, char: UTF-8 bytes after the value policies
  bytea,                 // bytes -> bytea: the bytes
  date,                  // date -> date: days from 2000-01-01, 4 bytes
  timestamp,             // datetime, timestamp -> timestamp(tz): microseconds from 2000-01-01
  boolean_from_integer,  // 0/1 -> boolean: 1 byte
  boolean_from_bit,      // BIT(1) -> boolean: 1 byte
};

// Derived once per column; append_binary_field dispatches on `form` alone.
struct BinaryCodec {
  BinaryForm form = BinaryForm::none;
  ColumnCodec codec{};  // the column's text-path codec: its kind and value policies
};

BinaryCodec binary_codec_for(const TargetColumn& column);
// Whether values of this column can be sent in COPY binary format (by its codec kind and its
// PostgreSQL type).
bool binary_capable(const TargetColumn& column);

// The stream's header (signature, flags, header extension length), its trailer (field count
// -1), a row's start (its field count) and a NULL field (length -1).
void append_binary_header(std::string& out);
void append_binary_trailer(std::string& out);
void append_binary_row_start(uint16_t fields, std::string& out);
void append_binary_null(std::string& out);

// Appends one field (int32 length, then the bytes) for the MySQL text-protocol `value` (not
// NULL): what PostgreSQL stores is what it stores for append_copy_field's text of the same value.
// The value policies apply as there (a zero date under zero_dates: null becomes a NULL field),
// with the same refusals and reason strings. Where the text path would have PostgreSQL reject
// the value (an integer out of the target's range, an invalid calendar day), this refuses it
// instead, with PostgreSQL's wording. Returns nullptr or the reason, `out` then as it was.
// `codec.form` must not be BinaryForm::none.
const char* append_binary_field(const BinaryCodec& codec, std::string_view value, std::string& out);

// For digests: the field as append_copy_field sends it, without COPY's escapes (what PostgreSQL's
// text input would read), for a value append_binary_field accepted: `value` itself when unchanged,
// else a view of `scratch`; std::nullopt when the field is NULL (a zero date under
// zero_dates: null).
std::optional<std::string_view> binary_field_text(const BinaryCodec& codec, std::string_view value,
                                                  std::string& scratch);

}  // namespace my2pg::typemap
