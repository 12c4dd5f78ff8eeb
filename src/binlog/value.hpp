#pragma once
// One decoded column value of a row image. Decoding allocates nothing: numbers and temporal
// parts are held inline, everything else as a span into the event's bytes (valid while the event
// is). Text forms are produced on demand by value_format.hpp.
#include <cstdint>
#include <span>

#include "binlog/constants.hpp"

namespace my2pg::binlog {

enum class ValueKind : uint8_t {
  null,
  signed_int,    // i: TINY..LONGLONG, signed
  unsigned_int,  // u: TINY..LONGLONG, unsigned
  float32,       // f
  float64,       // d
  decimal,       // bytes: MySQL's binary decimal; precision, scale in Value
  year,          // u: 0 or 1901..2155
  date,          // t
  time,          // t (negative, hours beyond 24)
  datetime,      // t
  timestamp,     // u: seconds since the epoch (UTC), t.micros for the fraction
  string,        // bytes in the column's charset (CHAR, VARCHAR, TEXT)
  bytes,         // BINARY, VARBINARY, BLOB
  bit,           // bytes: big-endian, `bits` wide
  enum_index,    // u: 1-based member index, 0 for ''
  set_bits,      // u: member bitmap
  json,          // bytes: MySQL binary JSON (empty span: JSON null stored as empty)
  json_text,     // bytes: JSON text (a partial update applied to the before image)
  geometry,      // bytes: SRID + WKB
  vector,        // bytes: little-endian float32 values
  json_diff,     // bytes: a PARTIAL_UPDATE_ROWS JSON diff vector (after its 4-byte length) whose
                 // before image is not in the event (binlog_row_image=MINIMAL), so it cannot be
                 // applied here: operations, paths and binary JSON values as MySQL logs them.
                 // Not a value: append_text shows the JSON_REPLACE(...) expression it stands for
};

struct Temporal {
  int32_t year = 0;
  uint8_t month = 0, day = 0;
  uint32_t hour = 0;  // TIME may reach 838
  uint8_t minute = 0, second = 0;
  uint32_t micros = 0;
  bool negative = false;  // TIME only
};

struct Value {
  ValueKind kind = ValueKind::null;
  ColumnType type = ColumnType::MYSQL_TYPE_NULL;  // the column's binlog type
  uint8_t fsp = 0;                                // fractional digits of temporal types
  uint8_t precision = 0, scale = 0;               // NEWDECIMAL
  uint16_t bits = 0;                              // BIT width
  union {
    int64_t i;
    uint64_t u;
    double d;
    float f;
  };
  Temporal t{};
  std::span<const uint8_t> bytes;

  Value() : u(0) {}
  bool is_null() const { return kind == ValueKind::null; }
};

}  // namespace my2pg::binlog
