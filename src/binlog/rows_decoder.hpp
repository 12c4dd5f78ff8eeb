#pragma once
// TABLE_MAP and row events: column metadata, optional metadata, row images and their values.
#include <functional>
#include <memory>
#include <unordered_map>

#include "binlog/byte_reader.hpp"
#include "binlog/events.hpp"

namespace my2pg::binlog {

// `r` starts at the event's post-header and ends before the checksum.
TableMapEvent decode_table_map(ByteReader& r, const FormatDescriptionEvent& fde);

// How the rows of one table are read, worked out once per TABLE_MAP_EVENT.
struct RowsPlan;
std::shared_ptr<const RowsPlan> plan_rows(const TableMapEvent& map);

struct KnownTable {
  TableMapRef map;
  std::shared_ptr<const RowsPlan> plan;
};
// The table a TABLE_MAP_EVENT described for an id, or null.
using TableLookup = std::function<const KnownTable*(uint64_t table_id)>;

// Row events of every version: PRE_GA (20-22), v1 (23-25), v2 (30-32), PARTIAL_UPDATE_ROWS (39),
// MariaDB compressed (166-171). `r` starts at the post-header and ends before the checksum.
// Values are decoded with the table map of the event's table id; a table id without a map, or a
// column count that differs from the map's, is a DecodeError (never a column shift).
RowsEvent decode_rows(ByteReader& r, EventType type, const FormatDescriptionEvent& fde,
                      const TableLookup& tables);
// The same, planning each table anew (for tests).
RowsEvent decode_rows(ByteReader& r, EventType type, const FormatDescriptionEvent& fde,
                      const std::unordered_map<uint64_t, TableMapEvent>& tables);

}  // namespace my2pg::binlog
