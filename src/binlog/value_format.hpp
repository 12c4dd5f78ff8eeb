#pragma once
// Text forms of decoded values, exactly as MySQL's text protocol (SELECT) returns them, so that
// a value reaches PostgreSQL through the same encoder whether it came from the snapshot or from
// the binlog: integers, exact decimals, 'YYYY-MM-DD hh:mm:ss.ffffff' with the column's fsp,
// TIME '-838:59:59', ENUM/SET labels from the table map's strings, JSON printed as MySQL prints
// it, raw bytes for strings, BIT and GEOMETRY.
#include <span>
#include <string>

#include "binlog/events.hpp"

namespace my2pg::binlog {

// Appends `v`'s text form to `out`. ENUM and SET need the column's member strings (FULL row
// metadata); without them the 1-based index or bitmap is printed as a number. TIMESTAMP prints
// in UTC. Throws DecodeError for a value that cannot be printed (e.g. corrupt JSON).
void append_text(const Value& v, const ColumnInfo& column, std::string& out);

// 16 bytes as a UUID: 8-4-4-4-12 lower-case hex digits.
void append_uuid(std::span<const uint8_t> bytes, std::string& out);

}  // namespace my2pg::binlog
