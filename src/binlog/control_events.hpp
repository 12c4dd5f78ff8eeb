#pragma once
// Decoders of the non-row events. Each takes a reader positioned at the event's post-header and
// limited to exclude the checksum.
#include "binlog/byte_reader.hpp"
#include "binlog/events.hpp"

namespace my2pg::binlog {

QueryEvent decode_query(ByteReader& r, const FormatDescriptionEvent& fde);
// Reads QUERY status variables from `r` to its end.
QueryStatus decode_query_status(ByteReader r);
GtidEvent decode_gtid(ByteReader& r, EventType type);  // GTID_LOG_EVENT, ANONYMOUS_GTID_LOG_EVENT
GtidEvent decode_gtid_tagged(ByteReader& r);           // GTID_TAGGED_LOG_EVENT
PreviousGtidsEvent decode_previous_gtids(ByteReader& r);
MariaGtidEvent decode_maria_gtid(ByteReader& r);
GtidListEvent decode_gtid_list(ByteReader& r);
UserVarEvent decode_user_var(ByteReader& r);
HeartbeatEvent decode_heartbeat_v2(ByteReader& r);
XaPrepareEvent decode_xa_prepare(ByteReader& r);

// MySQL serialization-library unsigned integer: (trailing one bits of the first byte + 1) bytes,
// little-endian, shifted right by that count; a first byte of 0xFF is followed by 8 raw bytes.
uint64_t read_serialized_uint(ByteReader& r, const char* what);

}  // namespace my2pg::binlog
