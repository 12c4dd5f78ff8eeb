#include "binlog/control_events.hpp"

#include <bit>

namespace my2pg::binlog {
namespace {

// QUERY_EVENT status variable codes (mysql-server statement_events.h, MariaDB log_event.h).
enum StatusCode : uint8_t {
  Q_FLAGS2_CODE = 0,
  Q_SQL_MODE_CODE = 1,
  Q_CATALOG_CODE = 2,
  Q_AUTO_INCREMENT = 3,
  Q_CHARSET_CODE = 4,
  Q_TIME_ZONE_CODE = 5,
  Q_CATALOG_NZ_CODE = 6,
  Q_LC_TIME_NAMES_CODE = 7,
  Q_CHARSET_DATABASE_CODE = 8,
  Q_TABLE_MAP_FOR_UPDATE_CODE = 9,
  Q_MASTER_DATA_WRITTEN_CODE = 10,
  Q_INVOKER = 11,
  Q_UPDATED_DB_NAMES = 12,
  Q_MICROSECONDS = 13,
  Q_COMMIT_TS = 14,
  Q_COMMIT_TS2 = 15,
  Q_EXPLICIT_DEFAULTS_FOR_TIMESTAMP = 16,
  Q_DDL_LOGGED_WITH_XID = 17,
  Q_DEFAULT_COLLATION_FOR_UTF8MB4 = 18,
  Q_SQL_REQUIRE_PRIMARY_KEY = 19,
  Q_DEFAULT_TABLE_ENCRYPTION = 20,
  // MariaDB
  Q_HRNOW = 128,
  Q_XID = 129,
  Q_GTID_FLAGS3 = 130,
  Q_CHARACTER_SET_COLLATIONS = 131,
};
constexpr uint8_t OVER_MAX_DBS_IN_EVENT_MTS = 254;
constexpr uint8_t FL_COMMIT_ALTER_E1 = 4, FL_ROLLBACK_ALTER_E1 = 8;  // MariaDB GTID flags_extra
constexpr uint8_t FL_GROUP_COMMIT_ID = 2, FL_PREPARED_XA = 64, FL_COMPLETED_XA = 128;
constexpr uint8_t FL_EXTRA_MULTI_ENGINE_E1 = 1;

std::string len8_string(ByteReader& r, const char* what) {
  const uint8_t n = r.u8(what);
  return std::string(r.str(n, what));
}

Uuid read_uuid(ByteReader& r, const char* what) {
  Uuid u;
  const auto b = r.bytes(16, what);
  std::copy(b.begin(), b.end(), u.bytes.begin());
  return u;
}

int64_t zigzag(uint64_t v) {
  return (v & 1U) != 0 ? -static_cast<int64_t>(v >> 1) - 1 : static_cast<int64_t>(v >> 1);
}

}  // namespace

uint64_t read_serialized_uint(ByteReader& r, const char* what) {
  const int ones = std::countr_one(static_cast<unsigned>(r.peek(what)));
  if (ones >= 8) {
    r.u8(what);
    return r.u64(what);
  }
  const auto count = static_cast<size_t>(ones + 1);
  return r.le(count, what) >> count;
}

QueryStatus decode_query_status(ByteReader r) {
  QueryStatus s;
  while (!r.at_end()) {
    const uint8_t code = r.u8("status variable code");
    switch (code) {
      case Q_FLAGS2_CODE:
        s.flags2 = r.u32("Q_FLAGS2_CODE");
        break;
      case Q_SQL_MODE_CODE:
        s.sql_mode = r.u64("Q_SQL_MODE_CODE");
        break;
      case Q_CATALOG_CODE:  // MySQL 5.0.0-5.0.3: length, string and a NUL
        s.catalog = len8_string(r, "Q_CATALOG_CODE");
        r.skip(1, "Q_CATALOG_CODE terminator");
        break;
      case Q_AUTO_INCREMENT: {
        const uint16_t increment = r.u16("Q_AUTO_INCREMENT");
        s.auto_increment = std::pair{increment, r.u16("Q_AUTO_INCREMENT")};
        break;
      }
      case Q_CHARSET_CODE: {
        QueryStatus::Charset c;
        c.client = r.u16("Q_CHARSET_CODE");
        c.connection = r.u16("Q_CHARSET_CODE");
        c.server = r.u16("Q_CHARSET_CODE");
        s.charset = c;
        break;
      }
      case Q_TIME_ZONE_CODE:
        s.time_zone = len8_string(r, "Q_TIME_ZONE_CODE");
        break;
      case Q_CATALOG_NZ_CODE:
        s.catalog = len8_string(r, "Q_CATALOG_NZ_CODE");
        break;
      case Q_LC_TIME_NAMES_CODE:
        s.lc_time_names = r.u16("Q_LC_TIME_NAMES_CODE");
        break;
      case Q_CHARSET_DATABASE_CODE:
        s.charset_database = r.u16("Q_CHARSET_DATABASE_CODE");
        break;
      case Q_TABLE_MAP_FOR_UPDATE_CODE:
        s.table_map_for_update = r.u64("Q_TABLE_MAP_FOR_UPDATE_CODE");
        break;
      case Q_MASTER_DATA_WRITTEN_CODE:
        s.master_data_written = r.u32("Q_MASTER_DATA_WRITTEN_CODE");
        break;
      case Q_INVOKER: {
        std::string user = len8_string(r, "Q_INVOKER user");
        s.invoker = std::pair{std::move(user), len8_string(r, "Q_INVOKER host")};
        break;
      }
      case Q_UPDATED_DB_NAMES: {
        const uint8_t count = r.u8("Q_UPDATED_DB_NAMES");
        std::vector<std::string> names;
        if (count != OVER_MAX_DBS_IN_EVENT_MTS) {
          for (uint8_t i = 0; i < count; ++i) names.emplace_back(r.cstr("Q_UPDATED_DB_NAMES name"));
        }
        s.updated_db_names = std::move(names);
        break;
      }
      case Q_MICROSECONDS:
        s.microseconds = r.u24("Q_MICROSECONDS");
        break;
      case Q_EXPLICIT_DEFAULTS_FOR_TIMESTAMP:
        s.explicit_defaults_for_timestamp = r.u8("Q_EXPLICIT_DEFAULTS_FOR_TIMESTAMP");
        break;
      case Q_DDL_LOGGED_WITH_XID:
        s.ddl_xid = r.u64("Q_DDL_LOGGED_WITH_XID");
        break;
      case Q_DEFAULT_COLLATION_FOR_UTF8MB4:
        s.default_collation_for_utf8mb4 = r.u16("Q_DEFAULT_COLLATION_FOR_UTF8MB4");
        break;
      case Q_SQL_REQUIRE_PRIMARY_KEY:
        s.sql_require_primary_key = r.u8("Q_SQL_REQUIRE_PRIMARY_KEY");
        break;
      case Q_DEFAULT_TABLE_ENCRYPTION:
        s.default_table_encryption = r.u8("Q_DEFAULT_TABLE_ENCRYPTION");
        break;
      case Q_HRNOW:
        s.hrnow = r.u24("Q_HRNOW");
        break;
      case Q_XID:
        s.xid = r.u64("Q_XID");
        break;
      case Q_GTID_FLAGS3: {
        const uint8_t flags = r.u8("Q_GTID_FLAGS3");
        s.gtid_flags3 = flags;
        if ((flags & (FL_COMMIT_ALTER_E1 | FL_ROLLBACK_ALTER_E1)) != 0) {
          r.skip(8, "Q_GTID_FLAGS3 start-alter sequence number");
        }
        break;
      }
      case Q_CHARACTER_SET_COLLATIONS: {
        const uint8_t count = r.u8("Q_CHARACTER_SET_COLLATIONS");
        std::vector<std::pair<uint16_t, uint16_t>> pairs;
        for (uint8_t i = 0; i < count; ++i) {
          const uint16_t charset = r.u16("Q_CHARACTER_SET_COLLATIONS charset");
          pairs.emplace_back(charset, r.u16("Q_CHARACTER_SET_COLLATIONS collation"));
        }
        s.character_set_collations = std::move(pairs);
        break;
      }
      default:  // Q_COMMIT_TS and unknown codes carry no length: parsing cannot go on
        s.unknown_code = code;
        return s;
    }
  }
  return s;
}

QueryEvent decode_query(ByteReader& r, const FormatDescriptionEvent& fde) {
  const size_t post_header = fde.post_header_length(EventType::QUERY_EVENT);
  const size_t start = r.offset();
  QueryEvent q;
  q.thread_id = r.u32("QUERY thread id");
  q.exec_time = r.u32("QUERY exec time");
  const uint8_t db_len = r.u8("QUERY database length");
  q.error_code = r.u16("QUERY error code");
  uint16_t status_len = 0;
  if (post_header >= 13) status_len = r.u16("QUERY status variables length");
  if (post_header > r.offset() - start)
    r.skip(post_header - (r.offset() - start), "QUERY post-header");
  q.status = decode_query_status(ByteReader(r.bytes(status_len, "QUERY status variables")));
  q.database = std::string(r.str(db_len, "QUERY database"));
  r.skip(1, "QUERY database terminator");
  q.query = std::string(r.rest_str());
  return q;
}

GtidEvent decode_gtid(ByteReader& r, EventType type) {
  GtidEvent g;
  g.anonymous = type == EventType::ANONYMOUS_GTID_LOG_EVENT;
  g.flags = r.u8("GTID flags");
  g.sid = read_uuid(r, "GTID sid");
  g.gno = static_cast<int64_t>(r.u64("GTID gno"));
  constexpr uint8_t LOGICAL_TIMESTAMP_TYPECODE = 2;
  if (r.at_end() || r.peek("GTID logical clock") != LOGICAL_TIMESTAMP_TYPECODE) return g;  // 5.6
  r.skip(1, "GTID logical clock type");
  g.last_committed = static_cast<int64_t>(r.u64("GTID last_committed"));
  g.sequence_number = static_cast<int64_t>(r.u64("GTID sequence_number"));
  if (r.remaining() >= 7) {
    uint64_t immediate = r.le(7, "GTID immediate_commit_timestamp");
    constexpr uint64_t kHasOriginal = uint64_t{1} << 55;
    if ((immediate & kHasOriginal) != 0) {
      immediate &= ~kHasOriginal;
      g.original_commit_timestamp = r.le(7, "GTID original_commit_timestamp");
    } else {
      g.original_commit_timestamp = immediate;
    }
    g.immediate_commit_timestamp = immediate;
  }
  if (!r.at_end()) g.transaction_length = r.packed("GTID transaction_length");
  if (r.remaining() >= 4) {
    uint32_t immediate = r.u32("GTID immediate_server_version");
    constexpr uint32_t kHasOriginal = uint32_t{1} << 31;
    if ((immediate & kHasOriginal) != 0) {
      immediate &= ~kHasOriginal;
      g.original_server_version = r.u32("GTID original_server_version");
    } else {
      g.original_server_version = immediate;
    }
    g.immediate_server_version = immediate;
  }
  if (r.remaining() >= 8) g.commit_group_ticket = r.u64("GTID commit_group_ticket");
  return g;
}

// GTID_TAGGED_LOG_EVENT uses the serialization library: a version byte, then a message of
// (payload size, last non-ignorable field id, {field id, value}...).
GtidEvent decode_gtid_tagged(ByteReader& r) {
  const size_t start = r.offset();
  const uint8_t version = r.u8("GTID_TAGGED serialization version");
  if (version != 2)
    r.fail("GTID_TAGGED serialization version", "is unsupported: " + std::to_string(version));
  const uint64_t payload_size = read_serialized_uint(r, "GTID_TAGGED payload size");
  const uint64_t last_non_ignorable = read_serialized_uint(r, "GTID_TAGGED last field id");
  const size_t consumed = r.offset() - start;
  if (payload_size < consumed) r.fail("GTID_TAGGED payload size", "is smaller than its header");
  ByteReader f(
      r.bytes(r.length(payload_size - consumed, "GTID_TAGGED fields"), "GTID_TAGGED fields"));
  GtidEvent g;
  while (!f.at_end()) {
    const uint64_t id = read_serialized_uint(f, "GTID_TAGGED field id");
    switch (id) {
      case 0:
        g.flags = static_cast<uint8_t>(read_serialized_uint(f, "GTID_TAGGED flags"));
        break;
      case 1:
        for (auto& b : g.sid.bytes)
          b = static_cast<uint8_t>(read_serialized_uint(f, "GTID_TAGGED sid"));
        break;
      case 2:
        g.gno = zigzag(read_serialized_uint(f, "GTID_TAGGED gno"));
        break;
      case 3: {
        const uint64_t n = read_serialized_uint(f, "GTID_TAGGED tag length");
        g.tag = std::string(f.str(f.length(n, "GTID_TAGGED tag"), "GTID_TAGGED tag"));
        break;
      }
      case 4:
        g.last_committed = zigzag(read_serialized_uint(f, "GTID_TAGGED last_committed"));
        break;
      case 5:
        g.sequence_number = zigzag(read_serialized_uint(f, "GTID_TAGGED sequence_number"));
        break;
      case 6:
        g.immediate_commit_timestamp = read_serialized_uint(f, "GTID_TAGGED immediate ts");
        break;
      case 7:
        g.original_commit_timestamp = read_serialized_uint(f, "GTID_TAGGED original ts");
        break;
      case 8:
        g.transaction_length = read_serialized_uint(f, "GTID_TAGGED transaction length");
        break;
      case 9:
        g.immediate_server_version =
            static_cast<uint32_t>(read_serialized_uint(f, "GTID_TAGGED version"));
        break;
      case 10:
        g.original_server_version =
            static_cast<uint32_t>(read_serialized_uint(f, "GTID_TAGGED version"));
        break;
      case 11:
        g.commit_group_ticket = read_serialized_uint(f, "GTID_TAGGED ticket");
        break;
      default:
        if (id <= last_non_ignorable) {
          f.fail("GTID_TAGGED field id",
                 "is an unknown field " + std::to_string(id) + " that may not be ignored");
        }
        return g;  // an ignorable field of unknown length ends what can be read
    }
  }
  if (!g.original_commit_timestamp) g.original_commit_timestamp = g.immediate_commit_timestamp;
  if (!g.original_server_version) g.original_server_version = g.immediate_server_version;
  return g;
}

PreviousGtidsEvent decode_previous_gtids(ByteReader& r) {
  PreviousGtidsEvent p;
  const uint64_t header = r.u64("PREVIOUS_GTIDS count");
  const auto format = static_cast<uint8_t>(header >> 56);
  if (format > 1) r.fail("PREVIOUS_GTIDS format", "is unknown: " + std::to_string(format));
  const bool tagged = format == 1;
  const uint64_t n_sids =
      tagged ? (header >> 8) & 0xFFFFFFFFFFFFULL : header & 0x00FFFFFFFFFFFFFFULL;
  // Each entry takes at least 24 bytes: refuse a count the event cannot hold before allocating.
  if (n_sids > r.remaining() / 24) r.fail("PREVIOUS_GTIDS count", "exceeds the event's size");
  for (uint64_t i = 0; i < n_sids; ++i) {
    GtidSetEntry e;
    e.sid = read_uuid(r, "PREVIOUS_GTIDS sid");
    if (tagged) {
      const uint64_t n = read_serialized_uint(r, "PREVIOUS_GTIDS tag length");
      e.tag = std::string(r.str(r.length(n, "PREVIOUS_GTIDS tag"), "PREVIOUS_GTIDS tag"));
    }
    const uint64_t n_intervals = r.u64("PREVIOUS_GTIDS interval count");
    if (n_intervals > r.remaining() / 16)
      r.fail("PREVIOUS_GTIDS interval count", "exceeds the event's size");
    for (uint64_t k = 0; k < n_intervals; ++k) {
      GtidInterval iv;
      iv.start = static_cast<int64_t>(r.u64("PREVIOUS_GTIDS interval start"));
      iv.end = static_cast<int64_t>(r.u64("PREVIOUS_GTIDS interval end"));
      e.intervals.push_back(iv);
    }
    p.sets.push_back(std::move(e));
  }
  return p;
}

MariaGtidEvent decode_maria_gtid(ByteReader& r) {
  MariaGtidEvent g;
  g.seq_no = r.u64("GTID_EVENT sequence number");
  g.domain_id = r.u32("GTID_EVENT domain id");
  g.flags2 = r.u8("GTID_EVENT flags");
  if ((g.flags2 & FL_GROUP_COMMIT_ID) != 0) {
    g.commit_id = r.u64("GTID_EVENT commit id");
  } else if ((g.flags2 & (FL_PREPARED_XA | FL_COMPLETED_XA)) != 0) {
    const uint32_t format_id = r.u32("GTID_EVENT XA format id");
    const uint8_t gtrid_len = r.u8("GTID_EVENT XA gtrid length");
    const uint8_t bqual_len = r.u8("GTID_EVENT XA bqual length");
    const std::string_view gtrid = r.str(gtrid_len, "GTID_EVENT XA gtrid");
    const std::string_view bqual = r.str(bqual_len, "GTID_EVENT XA bqual");
    g.xid =
        std::to_string(format_id) + ":'" + std::string(gtrid) + "','" + std::string(bqual) + "'";
  } else {
    r.skip(std::min<size_t>(6, r.remaining()), "GTID_EVENT padding");
  }
  if (!r.at_end()) {
    g.flags_extra = r.u8("GTID_EVENT extra flags");
    if ((g.flags_extra & FL_EXTRA_MULTI_ENGINE_E1) != 0) r.skip(1, "GTID_EVENT engine count");
    if ((g.flags_extra & (FL_COMMIT_ALTER_E1 | FL_ROLLBACK_ALTER_E1)) != 0) {
      r.skip(8, "GTID_EVENT start-alter sequence number");
    }
  }
  return g;
}

GtidListEvent decode_gtid_list(ByteReader& r) {
  GtidListEvent l;
  const uint32_t word = r.u32("GTID_LIST count");
  const uint32_t count = word & 0x0FFFFFFFU;
  l.flags = static_cast<uint8_t>(word >> 28);
  if (count > r.remaining() / 16) r.fail("GTID_LIST count", "exceeds the event's size");
  for (uint32_t i = 0; i < count; ++i) {
    MariaGtid g;
    g.domain_id = r.u32("GTID_LIST domain id");
    g.server_id = r.u32("GTID_LIST server id");
    g.seq_no = r.u64("GTID_LIST sequence number");
    l.gtids.push_back(g);
  }
  return l;
}

UserVarEvent decode_user_var(ByteReader& r) {
  UserVarEvent u;
  const uint32_t name_len = r.u32("USER_VAR name length");
  u.name = std::string(r.str(r.length(name_len, "USER_VAR name"), "USER_VAR name"));
  u.is_null = r.u8("USER_VAR null flag") != 0;
  if (u.is_null) return u;
  u.type = r.u8("USER_VAR type");
  u.charset = r.u32("USER_VAR charset");
  const uint32_t value_len = r.u32("USER_VAR value length");
  u.value = std::string(r.str(r.length(value_len, "USER_VAR value"), "USER_VAR value"));
  if (!r.at_end()) u.is_unsigned = (r.u8("USER_VAR flags") & 1U) != 0;
  return u;
}

HeartbeatEvent decode_heartbeat_v2(ByteReader& r) {
  HeartbeatEvent h;
  while (!r.at_end()) {
    const uint64_t type = r.packed("HEARTBEAT_V2 field type");
    if (type == 0) break;  // end mark
    const uint64_t len = r.packed("HEARTBEAT_V2 field length");
    ByteReader value(r.bytes(r.length(len, "HEARTBEAT_V2 field"), "HEARTBEAT_V2 field"));
    if (type == 1) h.log_file = std::string(value.rest_str());
    if (type == 2) h.position = value.packed("HEARTBEAT_V2 position");
  }
  return h;
}

XaPrepareEvent decode_xa_prepare(ByteReader& r) {
  XaPrepareEvent x;
  x.one_phase = r.u8("XA_PREPARE one phase") != 0;
  x.format_id = static_cast<int32_t>(r.u32("XA_PREPARE format id"));
  const uint32_t gtrid_len = r.u32("XA_PREPARE gtrid length");
  const uint32_t bqual_len = r.u32("XA_PREPARE bqual length");
  constexpr uint32_t MYSQL_XIDDATASIZE = 128;
  if (gtrid_len > 64 || bqual_len > 64 || gtrid_len + bqual_len > MYSQL_XIDDATASIZE) {
    r.fail("XA_PREPARE lengths", "exceed the 64-byte XID parts");
  }
  x.gtrid = std::string(r.str(gtrid_len, "XA_PREPARE gtrid"));
  x.bqual = std::string(r.str(bqual_len, "XA_PREPARE bqual"));
  return x;
}

}  // namespace my2pg::binlog
