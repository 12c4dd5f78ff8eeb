#pragma once
// MySQL's temporal encodings and their text forms. The "packed" integers are MySQL's in-memory
// longlong forms (TIME_to_longlong_*_packed), which DATETIME2/TIME2 decode to and which JSON
// stores for opaque DATETIME, DATE and TIME values.
#include <cstdint>
#include <string>

#include "binlog/value.hpp"

namespace my2pg::binlog {

// (int part << 24) + microseconds, where the int part is
// (year * 13 + month) << 22 | day << 17 | hour << 12 | minute << 6 | second.
Temporal temporal_from_datetime_packed(int64_t packed);
// (int part << 24) + microseconds, negative for negative times; int part = h << 12 | m << 6 | s.
Temporal temporal_from_time_packed(int64_t packed);
// Seconds since 1970-01-01 UTC and microseconds, as a UTC date and time.
Temporal temporal_from_unix(int64_t seconds, uint32_t micros);

// 'YYYY-MM-DD'
void append_date(const Temporal& t, std::string& out);
// 'YYYY-MM-DD hh:mm:ss' and, when fsp > 0, '.' and fsp fraction digits.
void append_datetime(const Temporal& t, unsigned fsp, std::string& out);
// '[-]hh:mm:ss' (hours may have three digits) and, when fsp > 0, '.' and fsp fraction digits.
void append_time(const Temporal& t, unsigned fsp, std::string& out);

}  // namespace my2pg::binlog
