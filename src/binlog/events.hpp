#pragma once
// Decoded binlog events. Strings and spans may point into the raw event bytes: an Event is valid
// while the buffer it was decoded from is (Decoder::decode says which).
#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "binlog/constants.hpp"
#include "binlog/value.hpp"

namespace my2pg::binlog {

struct EventHeader {
  uint32_t timestamp = 0;
  EventType type = EventType::UNKNOWN_EVENT;
  uint32_t server_id = 0;
  uint32_t event_size = 0;
  uint32_t log_pos = 0;  // end position; 0 inside MariaDB 11 transactions and payloads
  uint16_t flags = 0;
};

struct FormatDescriptionEvent {
  uint16_t binlog_version = 4;
  std::string server_version;
  uint32_t create_timestamp = 0;
  uint8_t header_length = kHeaderLength;
  std::vector<uint8_t> post_header_lengths;  // index = event type - 1
  ChecksumAlg checksum = ChecksumAlg::UNDEF;
  bool mariadb = false;
  // Post-header length of `type` as this server writes it (0 when the FDE does not say).
  uint8_t post_header_length(EventType type) const;
};

struct QueryStatus {
  std::optional<uint32_t> flags2;
  std::optional<uint64_t> sql_mode;
  std::optional<std::string> catalog;
  std::optional<std::pair<uint16_t, uint16_t>> auto_increment;  // increment, offset
  struct Charset {
    uint16_t client = 0, connection = 0, server = 0;
  };
  std::optional<Charset> charset;
  std::optional<std::string> time_zone;
  std::optional<uint16_t> lc_time_names;
  std::optional<uint16_t> charset_database;
  std::optional<uint64_t> table_map_for_update;
  std::optional<uint32_t> master_data_written;
  std::optional<std::pair<std::string, std::string>> invoker;  // user, host
  std::optional<std::vector<std::string>> updated_db_names;    // empty: more than 16 (MTS)
  std::optional<uint32_t> microseconds;
  std::optional<uint8_t> explicit_defaults_for_timestamp;
  std::optional<uint64_t> ddl_xid;
  std::optional<uint16_t> default_collation_for_utf8mb4;
  std::optional<uint8_t> sql_require_primary_key;
  std::optional<uint8_t> default_table_encryption;
  // MariaDB
  std::optional<uint32_t> hrnow;  // microseconds of the statement's start
  std::optional<uint64_t> xid;
  std::optional<uint8_t> gtid_flags3;
  std::optional<std::vector<std::pair<uint16_t, uint16_t>>> character_set_collations;
  // A status variable this decoder does not know ends parsing (they carry no length): its code.
  std::optional<uint8_t> unknown_code;
};

struct QueryEvent {
  uint32_t thread_id = 0;
  uint32_t exec_time = 0;
  uint16_t error_code = 0;
  std::string database;
  std::string query;
  QueryStatus status;
};

struct RotateEvent {
  uint64_t position = 0;
  std::string next_file;
};

struct XidEvent {
  uint64_t xid = 0;
};

struct IntvarEvent {
  uint8_t type = 0;  // 1 LAST_INSERT_ID, 2 INSERT_ID
  uint64_t value = 0;
};

struct RandEvent {
  uint64_t seed1 = 0, seed2 = 0;
};

struct UserVarEvent {
  std::string name;
  bool is_null = true;
  uint8_t type = 0;  // Item_result: 0 STRING, 1 REAL, 2 INT, 4 DECIMAL
  uint32_t charset = 0;
  std::string value;  // raw bytes as logged
  bool is_unsigned = false;
};

// MariaDB types the binlog shows only as BINARY(16), BINARY(4) and BINARY(16) (Type_handler_fbt):
// the binlog cannot tell them from BINARY(n), the source's catalog can.
enum class FixedBinaryType : uint8_t { none, uuid, inet4, inet6 };

struct ColumnInfo {
  ColumnType type = ColumnType::MYSQL_TYPE_NULL;       // as in the TABLE_MAP
  ColumnType real_type = ColumnType::MYSQL_TYPE_NULL;  // STRING's ENUM/SET/STRING, else = type
  uint16_t metadata = 0;
  uint32_t max_length = 0;  // bytes, for CHAR/VARCHAR
  bool nullable = true;
  std::optional<bool> is_unsigned;  // from SIGNEDNESS metadata
  std::optional<uint32_t> charset;  // collation id, from DEFAULT_/COLUMN_CHARSET metadata
  std::string name;                 // from COLUMN_NAME metadata
  std::vector<std::string> enum_values, set_values;
  std::optional<uint32_t> geometry_type;
  std::optional<bool> visible;
  // Not in the binlog; set from the source's catalog by whoever knows it. `mariadb_fbt` makes a
  // BINARY column print as MariaDB prints UUID/INET4/INET6. For TIME, DATETIME and TIMESTAMP
  // (types 11, 12, 7) of a MariaDB source, `metadata` 1..6 is the precision of a MariaDB 5.3
  // "hires" column (mysql56_temporal_format=OFF), which MariaDB logs without its metadata.
  FixedBinaryType mariadb_fbt = FixedBinaryType::none;
};

struct TableMapEvent {
  uint64_t table_id = 0;
  uint16_t flags = 0;
  std::string database;
  std::string table;
  std::vector<ColumnInfo> columns;
  std::vector<std::pair<uint32_t, uint32_t>> primary_key;  // column index, prefix (0 = whole)
  bool has_column_names = false;
};
// A TABLE_MAP_EVENT's body: the decoder keeps one map per table id and hands out shared,
// immutable references, so that the map repeated before every transaction costs no copy.
using TableMapRef = std::shared_ptr<const TableMapEvent>;

enum class RowsKind : uint8_t { write, update, erase, partial_update };

// The values of one row image: a view into its RowsEvent's `values`.
class ImageValues {
 public:
  ImageValues() = default;
  ImageValues(const Value* data, size_t size) : m_data(data), m_size(size) {}
  size_t size() const { return m_size; }
  bool empty() const { return m_size == 0; }
  const Value& operator[](size_t i) const { return m_data[i]; }
  const Value& at(size_t i) const;  // throws std::out_of_range
  const Value* begin() const { return m_data; }
  const Value* end() const { return m_data + m_size; }

 private:
  const Value* m_data = nullptr;
  size_t m_size = 0;
};

// Which columns an image holds: the event's columns-present bitmap (bit i = column i), shared
// by every image of the event and read where the event's bytes are.
class ColumnBits {
 public:
  ColumnBits() = default;
  ColumnBits(std::span<const uint8_t> bits, size_t count) : m_bits(bits), m_count(count) {}
  size_t size() const { return m_count; }
  bool operator[](size_t i) const {
    return ((static_cast<unsigned>(m_bits[i / 8]) >> (i % 8)) & 1U) != 0;
  }
  bool at(size_t i) const;  // throws std::out_of_range
  std::vector<bool> to_vector() const;

 private:
  std::span<const uint8_t> m_bits;
  size_t m_count = 0;
};

struct RowImage {
  ImageValues values;  // one per column of the table; columns not present are null
  ColumnBits present;  // which columns the image holds
};

struct RowsEvent {
  RowsEvent() = default;
  // Values point into `storage`: moving must keep its strings in place, and std::vector moves
  // (rather than copies) its elements only when their move cannot throw. A copy would point into
  // the original's storage, so there is none.
  RowsEvent(RowsEvent&&) noexcept = default;
  RowsEvent& operator=(RowsEvent&&) noexcept = default;
  RowsEvent(const RowsEvent&) = delete;
  RowsEvent& operator=(const RowsEvent&) = delete;

  RowsKind kind = RowsKind::write;
  uint8_t version = 2;  // 0 pre-GA, 1, 2
  uint64_t table_id = 0;
  uint16_t flags = 0;
  std::span<const uint8_t> extra_info;  // v2 extra row info, undecoded
  uint64_t column_count = 0;
  std::vector<RowImage> before, after;  // write: after only; delete: before; update: both
  // Every image's values, row by row (an update's before image, then its after image). The
  // images view this vector: it is filled once, when the event is decoded.
  std::vector<Value> values;
  bool compressed = false;  // MariaDB *_COMPRESSED_EVENT
  bool skipped = false;     // of a table the decoder's filter rejects: not decoded, no images
  // Bytes that values point into besides the raw event: decompressed MariaDB rows or columns,
  // JSON text of partial updates. A deque, so that moving the event keeps them where they are.
  std::deque<std::string> storage;
};

struct Uuid {
  std::array<uint8_t, 16> bytes{};
  std::string str() const;  // 8-4-4-4-12 lower-case hex
};

struct GtidEvent {  // MySQL GTID_LOG_EVENT, ANONYMOUS_GTID_LOG_EVENT, GTID_TAGGED_LOG_EVENT
  bool anonymous = false;
  uint8_t flags = 0;
  Uuid sid;
  std::string tag;
  int64_t gno = 0;
  std::optional<int64_t> last_committed, sequence_number;
  std::optional<uint64_t> immediate_commit_timestamp, original_commit_timestamp;  // microseconds
  std::optional<uint64_t> transaction_length;
  std::optional<uint32_t> immediate_server_version, original_server_version;
  std::optional<uint64_t> commit_group_ticket;
  std::string gtid() const;  // "uuid:gno" or "uuid:tag:gno"; "ANONYMOUS"
};

struct GtidInterval {
  int64_t start = 0, end = 0;  // [start, end)
};
struct GtidSetEntry {
  Uuid sid;
  std::string tag;
  std::vector<GtidInterval> intervals;
};
struct PreviousGtidsEvent {
  std::vector<GtidSetEntry> sets;
  std::string str() const;  // "uuid:1-5:7,uuid2:tag:1-2"
};

struct MariaGtidEvent {  // MariaDB GTID_EVENT
  uint64_t seq_no = 0;
  uint32_t domain_id = 0;
  uint8_t flags2 = 0;
  std::optional<uint64_t> commit_id;
  std::optional<std::string> xid;  // XA transactions: gtrid and bqual, as text
  uint8_t flags_extra = 0;
  std::string gtid(uint32_t server_id) const;               // "domain-server-seq"
  bool standalone() const { return (flags2 & 0x01) != 0; }  // FL_STANDALONE: no BEGIN/COMMIT
};

struct MariaGtid {
  uint32_t domain_id = 0, server_id = 0;
  uint64_t seq_no = 0;
};
struct GtidListEvent {
  uint8_t flags = 0;
  std::vector<MariaGtid> gtids;
  std::string str() const;  // "0-1-100,1-2-5"
};

struct BinlogCheckpointEvent {
  std::string file;
};
struct AnnotateRowsEvent {
  std::string query;
};
struct RowsQueryEvent {
  std::string query;
};
struct HeartbeatEvent {
  std::string log_file;
  std::optional<uint64_t> position;  // v2
};
struct IncidentEvent {
  uint16_t incident = 0;
  std::string message;
};
struct XaPrepareEvent {
  bool one_phase = false;
  int32_t format_id = 0;
  std::string gtrid, bqual;
};
struct TransactionPayloadEvent {
  uint64_t payload_size = 0;
  uint8_t compression = 0;  // 0 ZSTD, 255 NONE
  uint64_t uncompressed_size = 0;
  size_t inner_events = 0;  // decoded and delivered right after this event
};
struct StopEvent {};
// Events my2pg has no use for (LOAD DATA blocks, view changes, vendor events...): skipped, with
// the position advanced.
struct OtherEvent {};

using EventBody =
    std::variant<OtherEvent, FormatDescriptionEvent, QueryEvent, RotateEvent, XidEvent, IntvarEvent,
                 RandEvent, UserVarEvent, TableMapRef, RowsEvent, GtidEvent, PreviousGtidsEvent,
                 MariaGtidEvent, GtidListEvent, BinlogCheckpointEvent, AnnotateRowsEvent,
                 RowsQueryEvent, HeartbeatEvent, IncidentEvent, XaPrepareEvent,
                 TransactionPayloadEvent, StopEvent>;

struct Event {
  EventHeader header;
  uint64_t position = 0;    // start offset in its file (inside a payload: the payload's)
  bool in_payload = false;  // came out of a TRANSACTION_PAYLOAD_EVENT
  EventBody body;
};

}  // namespace my2pg::binlog
