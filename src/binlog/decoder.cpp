#include "binlog/decoder.hpp"

#include <zstd.h>

#include <cstdio>

#include "binlog/byte_reader.hpp"
#include "binlog/control_events.hpp"
#include "binlog/crc32.hpp"
#include "binlog/rows_decoder.hpp"

namespace my2pg::binlog {
namespace {

constexpr uint16_t LOG_EVENT_IGNORABLE_F = 0x80;
// An uncompressed transaction payload larger than this is refused rather than allocated.
constexpr uint64_t kMaxPayloadBytes = uint64_t{1} << 32;

EventHeader read_header(ByteReader& r) {
  EventHeader h;
  h.timestamp = r.u32("event timestamp");
  h.type = static_cast<EventType>(r.u8("event type"));
  h.server_id = r.u32("event server id");
  h.event_size = r.u32("event size");
  h.log_pos = r.u32("event end position");
  h.flags = r.u16("event flags");
  return h;
}

// "10.11.19-MariaDB-log" -> {10, 11, 19}
std::array<unsigned, 3> version_split(std::string_view v) {
  std::array<unsigned, 3> out{};
  size_t part = 0;
  for (char c : v) {
    if (c >= '0' && c <= '9') {
      out[part] = out[part] * 10 + static_cast<unsigned>(c - '0');
    } else if (c == '.' && part < 2) {
      ++part;
    } else {
      break;
    }
  }
  return out;
}

FormatDescriptionEvent decode_fde(ByteReader& r, size_t event_size) {
  FormatDescriptionEvent f;
  f.binlog_version = r.u16("FORMAT_DESCRIPTION binlog version");
  const std::string_view version = r.str(50, "FORMAT_DESCRIPTION server version");
  f.server_version = std::string(version.substr(0, version.find('\0')));
  f.create_timestamp = r.u32("FORMAT_DESCRIPTION create timestamp");
  f.header_length = r.u8("FORMAT_DESCRIPTION header length");
  if (f.binlog_version != 4 || f.header_length != kHeaderLength) {
    r.fail("FORMAT_DESCRIPTION",
           "describes binlog version " + std::to_string(f.binlog_version) + " with " +
               std::to_string(f.header_length) +
               "-byte headers; only version 4 (MySQL 5.0 and later) is supported");
  }
  f.mariadb = f.server_version.find("MariaDB") != std::string::npos;
  // Servers from MySQL 5.6.1 and MariaDB 5.3 end the FDE with the checksum algorithm (1 byte)
  // and a checksum (4 bytes), whether or not checksums are on.
  const auto v = version_split(f.server_version);
  const std::array<unsigned, 3> split =
      f.mariadb ? std::array<unsigned, 3>{5, 3, 0} : std::array<unsigned, 3>{5, 6, 1};
  const size_t rest = r.remaining();
  size_t n_types = rest;
  if (v >= split) {
    if (rest < 1 + kChecksumLength) r.fail("FORMAT_DESCRIPTION checksum algorithm", "is missing");
    n_types = rest - 1 - kChecksumLength;
  }
  const auto lengths = r.bytes(n_types, "FORMAT_DESCRIPTION post-header lengths");
  f.post_header_lengths.assign(lengths.begin(), lengths.end());
  if (v >= split) {
    const uint8_t alg = r.u8("FORMAT_DESCRIPTION checksum algorithm");
    if (alg != 0 && alg != 1)
      r.fail("FORMAT_DESCRIPTION checksum algorithm", "is unknown: " + std::to_string(alg));
    f.checksum = static_cast<ChecksumAlg>(alg);
  }
  (void)event_size;
  return f;
}

// The FDE of a binlog still open by the server has LOG_EVENT_BINLOG_IN_USE_F set, but its CRC was
// computed before the flag was set: verify with the flag cleared, as the server does.
uint32_t event_crc(std::span<const uint8_t> body, bool is_fde) {
  if (!is_fde) return crc32(body);
  uint8_t flags_lo = static_cast<uint8_t>(body[17] & ~LOG_EVENT_BINLOG_IN_USE_F);
  uint32_t c = crc32(body.first(17));
  c = crc32(std::span<const uint8_t>(&flags_lo, 1), c);
  return crc32(body.subspan(18), c);
}

std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

// Types 20-22 (PRE_GA_*_ROWS) meant other events in the MySQL 5.1/5.2 pre-releases that wrote
// them (their FDEs give them XID and LOAD post-header lengths), and no released server writes
// them: they are skipped like other events of no use, not decoded as rows.
bool is_rows_event(EventType t) {
  const auto v = static_cast<uint8_t>(t);
  return (v >= 23 && v <= 25) || (v >= 30 && v <= 32) || v == 39 || (v >= 166 && v <= 171);
}

// Old-format temporal columns carry no metadata; the lookup supplies their precision.
void apply_precision(TableMapEvent& map, const Decoder::PrecisionLookup& lookup) {
  for (size_t i = 0; i < map.columns.size(); ++i) {
    ColumnInfo& c = map.columns[i];
    const bool old_temporal = c.type == ColumnType::MYSQL_TYPE_TIME ||
                              c.type == ColumnType::MYSQL_TYPE_DATETIME ||
                              c.type == ColumnType::MYSQL_TYPE_TIMESTAMP;
    if (!old_temporal || c.metadata != 0) continue;
    if (const auto fsp = lookup(map, i); fsp && *fsp <= 6) c.metadata = *fsp;
  }
}

}  // namespace

uint8_t FormatDescriptionEvent::post_header_length(EventType type) const {
  const auto index = static_cast<size_t>(type) - 1;
  return index < post_header_lengths.size() ? post_header_lengths[index] : 0;
}

Decoder::Decoder(std::string file_name) : m_file(std::move(file_name)) {}

// MariaDB old-format temporal columns misread for want of their precision shift the rest of the
// row, so the error shows up elsewhere: say what the likely cause is and what to do.
RowsEvent Decoder::decode_rows_explained(ByteReader& r, EventType type,
                                         const FormatDescriptionEvent& fde) {
  const ByteReader at_start = r;
  try {
    return decode_rows(r, type, fde, [this](uint64_t id) -> const KnownTable* {
      const auto it = m_tables.find(id);
      return it == m_tables.end() || !it->second.known.map ? nullptr : &it->second.known;
    });
  } catch (const DecodeError& e) {
    ByteReader header(at_start.peek_bytes());
    if (header.remaining() < 6) throw;
    const uint64_t id = header.le(fde.post_header_length(type) == 6 ? 4 : 6, "table id");
    const TableMapEvent* map = table(id);
    if (!fde.mariadb || map == nullptr) throw;
    for (const auto& c : map->columns) {
      const bool ambiguous =
          (c.type == ColumnType::MYSQL_TYPE_TIME || c.type == ColumnType::MYSQL_TYPE_DATETIME ||
           c.type == ColumnType::MYSQL_TYPE_TIMESTAMP) &&
          c.metadata == 0;
      if (!ambiguous) continue;
      throw DecodeError(
          std::string(e.what()) +
          ". The table has TIME/DATETIME/TIMESTAMP columns in MariaDB's "
          "old format, whose fractional precision the binlog does not carry: if any has "
          "fractional seconds, convert the table on the source (SET GLOBAL "
          "mysql56_temporal_format=ON; ALTER TABLE ... FORCE) or decode with the precision "
          "from the source's catalog");
    }
    throw;
  }
}

const TableMapEvent* Decoder::table(uint64_t table_id) const {
  const auto it = m_tables.find(table_id);
  return it == m_tables.end() ? nullptr : it->second.known.map.get();
}

void Decoder::decode(std::span<const uint8_t> raw, uint64_t position, std::vector<Event>& out) {
  m_payloads.clear();
  decode_one(raw, position, false, out);
}

void Decoder::decode_one(std::span<const uint8_t> raw, uint64_t position, bool in_payload,
                         std::vector<Event>& out) {
  ByteReader r(raw);
  Event event;
  event.position = position;
  event.in_payload = in_payload;
  try {
    event.header = read_header(r);
    if (event.header.event_size != raw.size()) {
      r.fail("event size", "is " + std::to_string(event.header.event_size) + " but " +
                               std::to_string(raw.size()) + " bytes were read");
    }
    const EventType type = event.header.type;
    if (type == EventType::FORMAT_DESCRIPTION_EVENT) {
      // The FDE says itself whether it carries a checksum.
      ByteReader body(raw.subspan(kHeaderLength));
      auto fde = std::make_unique<FormatDescriptionEvent>(decode_fde(body, raw.size()));
      if (fde->checksum == ChecksumAlg::BINLOG_CHECKSUM_ALG_CRC32 && m_verify) {
        const auto stored = static_cast<uint32_t>(
            ByteReader(raw.last(kChecksumLength)).u32("FORMAT_DESCRIPTION checksum"));
        const uint32_t computed = event_crc(raw.first(raw.size() - kChecksumLength), true);
        if (stored != computed) {
          r.fail("FORMAT_DESCRIPTION checksum",
                 "is " + hex32(stored) + ", computed " + hex32(computed));
        }
      }
      event.body = *fde;
      m_fde = std::move(fde);
      m_tables.clear();
      out.push_back(std::move(event));
      return;
    }
    if (type == EventType::START_EVENT_V3) {
      r.fail("START_EVENT_V3",
             "starts a binlog of version 1 or 3 (MySQL before 5.0), which is not supported");
    }
    if (!m_fde && type == EventType::ROTATE_EVENT) {  // a live stream's first event
      if (m_stream_checksum == ChecksumAlg::BINLOG_CHECKSUM_ALG_CRC32) {
        r.shrink_limit(kChecksumLength, "event checksum");
      }
      RotateEvent rot;
      rot.position = r.u64("ROTATE position");
      rot.next_file = std::string(r.rest_str());
      event.body = std::move(rot);
      out.push_back(std::move(event));
      return;
    }
    if (!m_fde) r.fail("event", "comes before any FORMAT_DESCRIPTION_EVENT");
    if (m_fde->checksum == ChecksumAlg::BINLOG_CHECKSUM_ALG_CRC32 && !in_payload) {
      r.shrink_limit(kChecksumLength, "event checksum");
      if (m_verify) {
        const auto stored =
            static_cast<uint32_t>(ByteReader(raw.last(kChecksumLength)).u32("checksum"));
        const uint32_t computed = event_crc(raw.first(raw.size() - kChecksumLength), false);
        if (stored != computed) {
          r.fail("checksum", "is " + hex32(stored) + ", computed " + hex32(computed) +
                                 ": the event is corrupt");
        }
      }
    }
    const FormatDescriptionEvent& fde = *m_fde;
    switch (type) {
      case EventType::QUERY_EVENT:
        event.body = decode_query(r, fde);
        break;
      case EventType::ROTATE_EVENT: {
        RotateEvent rot;
        rot.position = r.u64("ROTATE position");
        rot.next_file = std::string(r.rest_str());
        event.body = std::move(rot);
        break;
      }
      case EventType::XID_EVENT:
        event.body = XidEvent{r.u64("XID")};
        r.expect_end("XID_EVENT");
        break;
      case EventType::INTVAR_EVENT: {
        IntvarEvent iv;
        iv.type = r.u8("INTVAR type");
        iv.value = r.u64("INTVAR value");
        r.expect_end("INTVAR_EVENT");
        event.body = iv;
        break;
      }
      case EventType::RAND_EVENT: {
        RandEvent rnd;
        rnd.seed1 = r.u64("RAND seed1");
        rnd.seed2 = r.u64("RAND seed2");
        r.expect_end("RAND_EVENT");
        event.body = rnd;
        break;
      }
      case EventType::USER_VAR_EVENT:
        event.body = decode_user_var(r);
        break;
      case EventType::TABLE_MAP_EVENT: {
        // Servers log the same TABLE_MAP before every transaction on a table: decode it only
        // when its bytes change.
        const auto bytes = r.peek_bytes();
        const std::string_view raw_map(reinterpret_cast<const char*>(bytes.data()), bytes.size());
        const uint64_t id =
            ByteReader(bytes).le(fde.post_header_length(type) == 6 ? 4 : 6, "table id");
        Table& cached = m_tables[id];
        if (!cached.known.map || cached.bytes != raw_map) {
          TableMapEvent map = decode_table_map(r, fde);
          if (fde.mariadb && m_precision) apply_precision(map, m_precision);
          cached.known.plan = plan_rows(map);
          cached.known.map = std::make_shared<const TableMapEvent>(std::move(map));
          cached.bytes.assign(raw_map);
          cached.skip = m_filter && !m_filter(*cached.known.map);
        }
        event.body = cached.known.map;
        break;
      }
      case EventType::GTID_LOG_EVENT:
      case EventType::ANONYMOUS_GTID_LOG_EVENT:
        event.body = decode_gtid(r, type);
        break;
      case EventType::GTID_TAGGED_LOG_EVENT:
        event.body = decode_gtid_tagged(r);
        break;
      case EventType::PREVIOUS_GTIDS_LOG_EVENT:
        event.body = decode_previous_gtids(r);
        break;
      case EventType::GTID_EVENT:
        event.body = decode_maria_gtid(r);
        break;
      case EventType::GTID_LIST_EVENT:
        event.body = decode_gtid_list(r);
        break;
      case EventType::BINLOG_CHECKPOINT_EVENT: {
        const uint32_t n = r.u32("BINLOG_CHECKPOINT name length");
        event.body = BinlogCheckpointEvent{
            std::string(r.str(r.length(n, "BINLOG_CHECKPOINT name"), "BINLOG_CHECKPOINT name"))};
        break;
      }
      case EventType::ANNOTATE_ROWS_EVENT:
        event.body = AnnotateRowsEvent{std::string(r.rest_str())};
        break;
      case EventType::ROWS_QUERY_LOG_EVENT:
        r.skip(1, "ROWS_QUERY length");  // a truncated length byte; the text runs to the end
        event.body = RowsQueryEvent{std::string(r.rest_str())};
        break;
      case EventType::HEARTBEAT_LOG_EVENT:
        event.body = HeartbeatEvent{std::string(r.rest_str()), {}};
        break;
      case EventType::HEARTBEAT_LOG_EVENT_V2:
        event.body = decode_heartbeat_v2(r);
        break;
      case EventType::INCIDENT_EVENT: {
        IncidentEvent inc;
        inc.incident = r.u16("INCIDENT type");
        const uint8_t n = r.u8("INCIDENT message length");
        inc.message = std::string(r.str(n, "INCIDENT message"));
        event.body = std::move(inc);
        break;
      }
      case EventType::XA_PREPARE_LOG_EVENT:
        event.body = decode_xa_prepare(r);
        break;
      case EventType::STOP_EVENT:
        event.body = StopEvent{};
        break;
      case EventType::START_ENCRYPTION_EVENT:
        r.fail("START_ENCRYPTION_EVENT",
               "starts an encrypted binlog; encrypted binlogs are not supported: "
               "read them through the server (a live stream is decrypted) or "
               "turn encrypt_binlog off");
      case EventType::TRANSACTION_PAYLOAD_EVENT:
        if (in_payload) r.fail("TRANSACTION_PAYLOAD_EVENT", "is nested inside another payload");
        decode_payload(event, r, out);
        return;
      default:
        if (is_rows_event(type)) {
          if (m_filter) {
            const auto head = r.peek_bytes();
            if (head.size() >= 6) {
              const uint64_t id =
                  ByteReader(head).le(fde.post_header_length(type) == 6 ? 4 : 6, "table id");
              const auto it = m_tables.find(id);
              if (it != m_tables.end() && it->second.skip) {
                RowsEvent skipped;
                skipped.table_id = id;
                skipped.skipped = true;
                event.body = std::move(skipped);
                break;
              }
            }
          }
          event.body = decode_rows_explained(r, type, fde);
        } else {
          // LOAD DATA blocks, view changes, ignorable and vendor events (e.g. Aurora's): skipped.
          event.body = OtherEvent{};
          (void)LOG_EVENT_IGNORABLE_F;
        }
    }
  } catch (const DecodeError& e) {
    throw DecodeError("binlog " + (m_file.empty() ? std::string("(stream)") : m_file) +
                      " at position " + std::to_string(position) +
                      (in_payload ? " (inside a transaction payload)" : "") + ", " +
                      std::string(event_type_name(event.header.type)) + ": " + e.what());
  }
  out.push_back(std::move(event));
}

void Decoder::decode_payload(Event& event, ByteReader& r, std::vector<Event>& out) {
  TransactionPayloadEvent p;
  bool have_size = false;
  while (true) {
    const uint64_t field = r.packed("TRANSACTION_PAYLOAD field type");
    if (field == 0) break;  // end of the header fields
    const uint64_t len = r.packed("TRANSACTION_PAYLOAD field length");
    ByteReader value(
        r.bytes(r.length(len, "TRANSACTION_PAYLOAD field"), "TRANSACTION_PAYLOAD field"));
    if (field == 1) {
      p.payload_size = value.packed("TRANSACTION_PAYLOAD payload size");
      have_size = true;
    }
    if (field == 2)
      p.compression = static_cast<uint8_t>(value.packed("TRANSACTION_PAYLOAD compression"));
    if (field == 3) p.uncompressed_size = value.packed("TRANSACTION_PAYLOAD uncompressed size");
  }
  if (!have_size) r.fail("TRANSACTION_PAYLOAD", "has no payload size field");
  const auto compressed = r.bytes(r.length(p.payload_size, "TRANSACTION_PAYLOAD payload"),
                                  "TRANSACTION_PAYLOAD payload");
  std::string& buffer = m_payloads.emplace_back();
  if (p.compression == 255) {  // NONE
    buffer.assign(reinterpret_cast<const char*>(compressed.data()), compressed.size());
  } else if (p.compression == 0) {  // ZSTD
    const unsigned long long frame = ZSTD_getFrameContentSize(compressed.data(), compressed.size());
    if (frame == ZSTD_CONTENTSIZE_ERROR)
      r.fail("TRANSACTION_PAYLOAD payload", "is not a zstd frame");
    const uint64_t size = frame == ZSTD_CONTENTSIZE_UNKNOWN ? p.uncompressed_size : frame;
    if (size > kMaxPayloadBytes || (p.uncompressed_size != 0 && size != p.uncompressed_size)) {
      r.fail("TRANSACTION_PAYLOAD uncompressed size", "is " + std::to_string(size) + " (declared " +
                                                          std::to_string(p.uncompressed_size) +
                                                          "), refused");
    }
    buffer.resize(size);
    const size_t got =
        ZSTD_decompress(buffer.data(), buffer.size(), compressed.data(), compressed.size());
    if (ZSTD_isError(got) != 0U || got != size) {
      r.fail("TRANSACTION_PAYLOAD payload",
             std::string("does not decompress: ") +
                 (ZSTD_isError(got) != 0U ? ZSTD_getErrorName(got) : "short output"));
    }
  } else {
    r.fail("TRANSACTION_PAYLOAD compression", "is unknown: " + std::to_string(p.compression));
  }
  // The inner events are whole events without checksums.
  std::span<const uint8_t> inner(reinterpret_cast<const uint8_t*>(buffer.data()), buffer.size());
  std::vector<Event> events;
  while (!inner.empty()) {
    if (inner.size() < kHeaderLength) r.fail("TRANSACTION_PAYLOAD inner event", "is truncated");
    const auto size = ByteReader(inner.subspan(9, 4)).u32("inner event size");
    if (size < kHeaderLength || size > inner.size()) {
      r.fail(
          "TRANSACTION_PAYLOAD inner event size",
          "is " + std::to_string(size) + " with " + std::to_string(inner.size()) + " bytes left");
    }
    decode_one(inner.first(size), event.position, true, events);
    inner = inner.subspan(size);
  }
  p.inner_events = events.size();
  event.body = p;
  out.push_back(std::move(event));
  for (auto& e : events) out.push_back(std::move(e));
}

}  // namespace my2pg::binlog
