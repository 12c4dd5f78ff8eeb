#pragma once
// The binlog side of the one value encoder: a decoded row-image value becomes a COPY text field
// through the very same typemap::append_copy_field the snapshot uses, after being rendered to the
// exact text MySQL's SELECT returns for it on the snapshot's session (utf8mb4, time_zone UTC):
//   - numbers, DECIMAL, FLOAT/DOUBLE, YEAR, dates and times, JSON: binlog::append_text, which
//     prints them as the text protocol does (TIMESTAMP from its epoch seconds in UTC);
//   - CHAR, VARCHAR, TEXT, ENUM and SET labels: converted from the column's character set to
//     UTF-8 (utf8mb3/utf8mb4 bytes pass unchanged, and the typemap policy judges them, as it
//     judges SELECT's bytes);
//   - BINARY, VARBINARY, BLOB, BIT, GEOMETRY: the raw bytes (the decoder restores the trailing
//     zero bytes the binlog strips from BINARY(n)).
// The decoder and the text protocol agree on CHAR: both drop trailing spaces. What SELECT shows
// beyond the value itself (ZEROFILL, FLOAT(M,D)) is not in the binlog: DisplayFormat brings it
// from the catalog.
#include <cstdint>
#include <optional>
#include <string>

#include "binlog/events.hpp"
#include "binlog/value.hpp"
#include "schema/table.hpp"
#include "typemap/value_encoder.hpp"

namespace my2pg::replica {

// How SELECT displays a numeric column's values, as declared. FLOAT(M,D) and DOUBLE(M,D) show
// exactly D decimals (where a plain FLOAT shows 6 significant digits: 12345.6787 against
// 12345.7, two different float4 values); ZEROFILL pads with leading zeros (00042).
struct DisplayFormat {
  uint32_t zerofill_width = 0;       // 0: no ZEROFILL
  std::optional<uint32_t> decimals;  // FLOAT(M,D), DOUBLE(M,D): D
};
// From the column's declared type (information_schema.COLUMNS.COLUMN_TYPE).
DisplayFormat display_format(const schema::Column& column);

// Appends one binlog value as a COPY text field (\N for NULL), encoded by `codec` (the column's
// typemap codec, as the snapshot uses it). Returns nullptr on success, else the reason the value
// cannot be stored (the caller names table, column, key and position); `out` is then unchanged.
// Beyond typemap's reasons, a value is refused when the column's definition lacks what its text
// needs: the character set of text (TABLE_MAP charset metadata), ENUM/SET labels, the
// signedness of a negative integer, or the document of a partial JSON update. The reason is a
// static string or a thread-local buffer valid until the next call on the same thread. Throws
// DecodeError as binlog::append_text does (corrupt JSON, an ENUM index beyond the labels).
// `display` is the column's display_format; the default suits every column declared without
// ZEROFILL or (M,D) on FLOAT/DOUBLE.
const char* append_copy_field(const typemap::ColumnCodec& codec, const binlog::Value& value,
                              const binlog::ColumnInfo& column, std::string& out,
                              const DisplayFormat& display = {});

}  // namespace my2pg::replica
