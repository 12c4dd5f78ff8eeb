#include "binlog/event_printer.hpp"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <charconv>
#include <ctime>
#include <iterator>
#include <utility>
#include <vector>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "binlog/charset.hpp"
#include "binlog/number_text.hpp"
#include "binlog/value_format.hpp"
#include "common/json_writer.hpp"

namespace my2pg::binlog {
namespace {

// Consecutive events mostly share their timestamp: format each second once.
const std::string& utc_time(uint32_t seconds) {
  thread_local uint32_t last = 0;
  thread_local std::string text = "1970-01-01 00:00:00";
  if (seconds != last) {
    const std::time_t t = seconds;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    text = buf;
    last = seconds;
  }
  return text;
}

// "QUERY_EVENT", or "UNKNOWN_EVENT_TYPE(100)" for types this decoder does not know.
void append_type_name(EventType type, std::string& out) {
  const std::string_view name = event_type_name(type);
  out += name;
  if (name == "UNKNOWN_EVENT_TYPE") {
    out.push_back('(');
    append_number(static_cast<uint8_t>(type), out);
    out.push_back(')');
  }
}

// Appends `s` with ' and \ escaped and newlines as \n, copying runs without them in one go.
void append_quoted_body(std::string_view s, std::string& out) {
  size_t run = 0, i = 0;
#ifdef __SSE2__
  // Sixteen bytes at a time, looking for any of the three characters that need escaping.
  const __m128i quote = _mm_set1_epi8('\''), backslash = _mm_set1_epi8('\\'),
                newline = _mm_set1_epi8('\n');
  while (i + 16 <= s.size()) {
    const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    const __m128i hits =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(chunk, quote), _mm_cmpeq_epi8(chunk, backslash)),
                     _mm_cmpeq_epi8(chunk, newline));
    const auto mask = static_cast<unsigned>(_mm_movemask_epi8(hits));
    if (mask == 0) {
      i += 16;
      continue;
    }
    const size_t at = i + static_cast<size_t>(__builtin_ctz(mask));
    out.append(s.substr(run, at - run));
    out.push_back('\\');
    out.push_back(s[at] == '\n' ? 'n' : s[at]);
    run = i = at + 1;
  }
#endif
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c != '\'' && c != '\\' && c != '\n') continue;
    out.append(s.substr(run, i - run));
    out.push_back('\\');
    out.push_back(c == '\n' ? 'n' : c);
    run = i + 1;
  }
  out.append(s.substr(run));
}

std::string_view checksum_name(ChecksumAlg a) {
  switch (a) {
    case ChecksumAlg::BINLOG_CHECKSUM_ALG_OFF:
      return "NONE";
    case ChecksumAlg::BINLOG_CHECKSUM_ALG_CRC32:
      return "CRC32";
    case ChecksumAlg::UNDEF:
      break;
  }
  return "none (server before checksums)";
}

Charset column_charset(const ColumnInfo& c) {
  return c.charset ? charset_of_collation(*c.charset) : Charset::other;
}

bool is_quoted_kind(ValueKind k) {
  switch (k) {
    case ValueKind::signed_int:
    case ValueKind::unsigned_int:
    case ValueKind::float32:
    case ValueKind::float64:
    case ValueKind::decimal:
    case ValueKind::year:
    case ValueKind::json_diff:  // an expression (JSON_REPLACE(...)), as mysqlbinlog -v shows it
      return false;
    default:
      return true;
  }
}

// A value as SQL-ish text: numbers bare, text quoted (UTF-8 when convertible), bytes as X'..'.
void text_value(const Value& v, const ColumnInfo& col, std::string& out) {
  if (v.is_null()) {
    out += "NULL";
    return;
  }
  if (!is_quoted_kind(v.kind)) {
    append_text(v, col, out);
    return;
  }
  if (v.kind == ValueKind::string) {  // the common case: UTF-8 text quoted straight from the event
    const Charset cs = column_charset(col);
    const std::string_view raw(reinterpret_cast<const char*>(v.bytes.data()), v.bytes.size());
    if ((cs == Charset::utf8 || cs == Charset::ascii) && is_valid_utf8(raw)) {
      out.push_back('\'');
      append_quoted_body(raw, out);
      out.push_back('\'');
      return;
    }
  }
  thread_local std::string text, utf8;  // scratch, reused: no allocation per value
  text.clear();
  utf8.clear();
  append_text(v, col, text);
  const bool is_text = v.kind == ValueKind::string;
  const bool printable = is_text
                             ? append_utf8(text, column_charset(col), utf8)
                             : v.kind != ValueKind::bytes && v.kind != ValueKind::bit &&
                                   v.kind != ValueKind::geometry && v.kind != ValueKind::vector &&
                                   append_utf8(text, Charset::utf8, utf8);
  if (!printable) {
    out += "X'";
    append_hex(text, out, true);
    out += "'";
    return;
  }
  out.push_back('\'');
  append_quoted_body(utf8, out);
  out.push_back('\'');
}

std::string column_label(const TableMapEvent* map, size_t i) {
  if (map != nullptr && i < map->columns.size() && !map->columns[i].name.empty()) {
    return map->columns[i].name;
  }
  std::string label(1, '@');
  label += std::to_string(i + 1);
  return label;
}

void text_image(const RowImage& image, const TableMapEvent* map, std::string& out) {
  static const ColumnInfo kUnknown;
  for (size_t i = 0; i < image.values.size(); ++i) {
    if (i < image.present.size() && !image.present[i]) continue;
    const ColumnInfo& col = map != nullptr && i < map->columns.size() ? map->columns[i] : kUnknown;
    out += "###   @";
    append_number(i + 1, out);
    out.push_back('=');
    text_value(image.values[i], col, out);
    if (!col.name.empty()) {
      out += " /* ";
      out += col.name;
      out += " */";
    }
    out.push_back('\n');
  }
}

void text_rows(const RowsEvent& rows, const Decoder& decoder, std::string& out) {
  const TableMapEvent* map = decoder.table(rows.table_id);
  std::string table;
  if (map != nullptr) {
    table.append("`").append(map->database).append("`.`").append(map->table).append("`");
  } else {
    table.append("table_id ").append(std::to_string(rows.table_id));
  }
  const size_t n = std::max(rows.before.size(), rows.after.size());
  for (size_t r = 0; r < n; ++r) {
    switch (rows.kind) {
      case RowsKind::write:
        out.append("### INSERT INTO ").append(table).append("\n### SET\n");
        text_image(rows.after[r], map, out);
        break;
      case RowsKind::erase:
        out.append("### DELETE FROM ").append(table).append("\n### WHERE\n");
        text_image(rows.before[r], map, out);
        break;
      case RowsKind::update:
      case RowsKind::partial_update:
        out.append("### UPDATE ").append(table).append("\n### WHERE\n");
        text_image(rows.before[r], map, out);
        out += "### SET\n";
        text_image(rows.after[r], map, out);
        break;
    }
  }
}

void text_status(const QueryStatus& s, std::string& out) {
  std::string line;
  auto add = [&](const std::string& item) { line += (line.empty() ? "" : " ") + item; };
  if (s.flags2) add(fmt::format("flags2=0x{:08x}", *s.flags2));
  if (s.sql_mode) add(fmt::format("sql_mode=0x{:x}", *s.sql_mode));
  if (s.catalog) add("catalog=" + *s.catalog);
  if (s.auto_increment)
    add(fmt::format("auto_increment_increment={} auto_increment_offset={}", s.auto_increment->first,
                    s.auto_increment->second));
  if (s.charset)
    add(fmt::format("character_set_client={} collation_connection={} collation_server={}",
                    s.charset->client, s.charset->connection, s.charset->server));
  if (s.time_zone) add("time_zone='" + *s.time_zone + "'");
  if (s.lc_time_names) add(fmt::format("lc_time_names={}", *s.lc_time_names));
  if (s.charset_database) add(fmt::format("collation_database={}", *s.charset_database));
  if (s.table_map_for_update)
    add(fmt::format("table_map_for_update=0x{:x}", *s.table_map_for_update));
  if (s.master_data_written) add(fmt::format("master_data_written={}", *s.master_data_written));
  if (s.invoker) add("invoker='" + s.invoker->first + "'@'" + s.invoker->second + "'");
  if (s.updated_db_names) {
    std::string dbs;
    for (const auto& d : *s.updated_db_names) dbs += (dbs.empty() ? "" : ",") + d;
    add("updated_db_names=[" + dbs + "]");
  }
  if (s.microseconds) add(fmt::format("microseconds={}", *s.microseconds));
  if (s.explicit_defaults_for_timestamp)
    add(fmt::format("explicit_defaults_for_timestamp={}", *s.explicit_defaults_for_timestamp));
  if (s.ddl_xid) add(fmt::format("ddl_xid={}", *s.ddl_xid));
  if (s.default_collation_for_utf8mb4)
    add(fmt::format("default_collation_for_utf8mb4={}", *s.default_collation_for_utf8mb4));
  if (s.sql_require_primary_key)
    add(fmt::format("sql_require_primary_key={}", *s.sql_require_primary_key));
  if (s.default_table_encryption)
    add(fmt::format("default_table_encryption={}", *s.default_table_encryption));
  if (s.hrnow) add(fmt::format("hrnow={}", *s.hrnow));
  if (s.xid) add(fmt::format("xid={}", *s.xid));
  if (s.gtid_flags3) add(fmt::format("gtid_flags3=0x{:02x}", *s.gtid_flags3));
  if (s.character_set_collations) {
    std::string pairs;
    for (const auto& [cs, coll] : *s.character_set_collations)
      pairs += fmt::format("{}{}:{}", pairs.empty() ? "" : ",", cs, coll);
    add("character_set_collations=[" + pairs + "]");
  }
  if (s.unknown_code)
    add(fmt::format("(status variable {} unknown: the rest is not decoded)", *s.unknown_code));
  if (!line.empty()) out += "#   " + line + "\n";
}

void text_table_map(const TableMapEvent& t, std::string& out) {
  fmt::format_to(std::back_inserter(out), FMT_COMPILE("#   table_id {}: `{}`.`{}` ({} columns)\n"),
                 t.table_id, t.database, t.table, t.columns.size());
  for (size_t i = 0; i < t.columns.size(); ++i) {
    const ColumnInfo& c = t.columns[i];
    fmt::format_to(std::back_inserter(out), FMT_COMPILE("#     @{} {}{} meta={}"), i + 1,
                   c.name.empty() ? "" : c.name + " ", column_type_name(c.real_type), c.metadata);
    if (c.is_unsigned) out += *c.is_unsigned ? " unsigned" : " signed";
    if (c.charset)
      fmt::format_to(std::back_inserter(out), FMT_COMPILE(" collation={}"), *c.charset);
    if (!c.nullable) out += " NOT NULL";
    if (c.visible && !*c.visible) out += " INVISIBLE";
    if (!c.enum_values.empty() || !c.set_values.empty()) {
      std::string members;
      for (const auto& m : c.enum_values.empty() ? c.set_values : c.enum_values) {
        if (!members.empty()) members.push_back(',');
        members.push_back('\'');
        members.append(m);
        members.push_back('\'');
      }
      out += " (" + members + ")";
    }
    out += "\n";
  }
  if (!t.primary_key.empty()) {
    std::string pk;
    for (const auto& [col, prefix] : t.primary_key)
      pk += fmt::format("{}@{}{}", pk.empty() ? "" : ",", col + 1,
                        prefix != 0 ? fmt::format("({})", prefix) : "");
    out += "#     primary key " + pk + "\n";
  }
}

struct TextBody {
  const Decoder& decoder;
  const Event& event;
  std::string& out;
  void operator()(const OtherEvent&) { out += "#   (not used by my2pg; skipped)\n"; }
  void operator()(const FormatDescriptionEvent& f) {
    fmt::format_to(std::back_inserter(out),
                   FMT_COMPILE("#   binlog version {}, server {}, checksum {}\n"), f.binlog_version,
                   f.server_version, checksum_name(f.checksum));
  }
  void operator()(const QueryEvent& q) {
    fmt::format_to(std::back_inserter(out),
                   FMT_COMPILE("#   thread_id={} exec_time={} error_code={} database=`{}`\n"),
                   q.thread_id, q.exec_time, q.error_code, q.database);
    text_status(q.status, out);
    out.append(q.query).append("\n");
  }
  void operator()(const RotateEvent& r) {
    fmt::format_to(std::back_inserter(out), FMT_COMPILE("#   rotate to {} at {}\n"), r.next_file,
                   r.position);
  }
  void operator()(const XidEvent& x) {
    fmt::format_to(std::back_inserter(out), FMT_COMPILE("COMMIT /* xid={} */\n"), x.xid);
  }
  void operator()(const IntvarEvent& i) {
    fmt::format_to(std::back_inserter(out), FMT_COMPILE("SET {}={}\n"),
                   i.type == 1 ? "LAST_INSERT_ID" : "INSERT_ID", i.value);
  }
  void operator()(const RandEvent& r) {
    fmt::format_to(std::back_inserter(out), FMT_COMPILE("SET @@RAND_SEED1={}, @@RAND_SEED2={}\n"),
                   r.seed1, r.seed2);
  }
  void operator()(const UserVarEvent& u) {
    out += "SET @`" + u.name + "`:=";
    if (u.is_null) {
      out += "NULL\n";
      return;
    }
    fmt::format_to(
        std::back_inserter(out), FMT_COMPILE("X'{}' /* type {} collation {}{} */\n"),
        [&] {
          std::string h;
          append_hex(u.value, h);
          return h;
        }(),
        u.type, u.charset, u.is_unsigned ? " unsigned" : "");
  }
  void operator()(const TableMapRef& t) {
    // The same map precedes every transaction on its table: render it once. Holding the
    // reference keeps its address from being reused by another map.
    thread_local std::vector<std::pair<TableMapRef, std::string>> rendered;
    for (const auto& [map, text] : rendered) {
      if (map == t) {
        out += text;
        return;
      }
    }
    if (rendered.size() >= 64) rendered.clear();
    std::string text;
    text_table_map(*t, text);
    out += text;
    rendered.emplace_back(t, std::move(text));
  }
  void operator()(const RowsEvent& r) { text_rows(r, decoder, out); }
  void operator()(const GtidEvent& g) {
    out += "#   GTID " + g.gtid();
    if (g.last_committed)
      fmt::format_to(std::back_inserter(out), FMT_COMPILE(" last_committed={} sequence_number={}"),
                     *g.last_committed, g.sequence_number.value_or(0));
    if (g.immediate_commit_timestamp)
      fmt::format_to(std::back_inserter(out), FMT_COMPILE(" immediate_commit_timestamp={}"),
                     *g.immediate_commit_timestamp);
    if (g.original_commit_timestamp && g.original_commit_timestamp != g.immediate_commit_timestamp)
      fmt::format_to(std::back_inserter(out), FMT_COMPILE(" original_commit_timestamp={}"),
                     *g.original_commit_timestamp);
    if (g.transaction_length)
      fmt::format_to(std::back_inserter(out), FMT_COMPILE(" transaction_length={}"),
                     *g.transaction_length);
    if (g.immediate_server_version)
      fmt::format_to(std::back_inserter(out), FMT_COMPILE(" immediate_server_version={}"),
                     *g.immediate_server_version);
    fmt::format_to(std::back_inserter(out), FMT_COMPILE(" flags=0x{:02x}\n"), g.flags);
  }
  void operator()(const PreviousGtidsEvent& p) { out += "#   previous GTIDs [" + p.str() + "]\n"; }
  void operator()(const MariaGtidEvent& g) {
    out += "#   GTID " + g.gtid(event.header.server_id) + (g.standalone() ? " (standalone)" : "");
    if (g.commit_id)
      fmt::format_to(std::back_inserter(out), FMT_COMPILE(" commit_id={}"), *g.commit_id);
    if (g.xid) out += " xid=" + *g.xid;
    fmt::format_to(std::back_inserter(out), FMT_COMPILE(" flags2=0x{:02x}\n"), g.flags2);
    if (!g.standalone()) out += "BEGIN\n";
  }
  void operator()(const GtidListEvent& l) { out += "#   GTID list [" + l.str() + "]\n"; }
  void operator()(const BinlogCheckpointEvent& c) {
    out += "#   binlog checkpoint " + c.file + "\n";
  }
  void operator()(const AnnotateRowsEvent& a) {
    out.append("#   annotate: ").append(a.query).append("\n");
  }
  void operator()(const RowsQueryEvent& q) { out += "#   rows query: " + q.query + "\n"; }
  void operator()(const HeartbeatEvent& h) {
    out += "#   heartbeat " + h.log_file + (h.position ? fmt::format(" at {}", *h.position) : "") +
           "\n";
  }
  void operator()(const IncidentEvent& i) {
    fmt::format_to(std::back_inserter(out), FMT_COMPILE("#   incident {}: {}\n"), i.incident,
                   i.message);
  }
  void operator()(const XaPrepareEvent& x) {
    fmt::format_to(std::back_inserter(out), FMT_COMPILE("XA {} '{}','{}',{}\n"),
                   x.one_phase ? "COMMIT ONE PHASE" : "PREPARE", x.gtrid, x.bqual, x.format_id);
  }
  void operator()(const TransactionPayloadEvent& p) {
    fmt::format_to(
        std::back_inserter(out),
        FMT_COMPILE("#   payload {} bytes ({}), {} bytes uncompressed, {} events follow\n"),
        p.payload_size, p.compression == 0 ? "zstd" : "uncompressed", p.uncompressed_size,
        p.inner_events);
  }
  void operator()(const StopEvent&) { out += "#   stop\n"; }
};

// ---- JSON ----

void json_value(const Value& v, const ColumnInfo& col, std::string& out) {
  if (v.is_null()) {
    out += "null";
    return;
  }
  std::string text;
  append_text(v, col, text);
  switch (v.kind) {
    case ValueKind::signed_int:
    case ValueKind::unsigned_int:
    case ValueKind::float32:
    case ValueKind::float64:
    case ValueKind::year:
      out += text;
      return;
    case ValueKind::json:
    case ValueKind::json_text:
      out += text.empty() ? "null" : text;  // MySQL's JSON text is JSON
      return;
    case ValueKind::json_diff:  // the document is not in the event: the update to apply to it
      out += "{\"partial_update\":";
      append_json_string(text, out);
      out += "}";
      return;
    case ValueKind::string: {
      std::string utf8;
      if (append_utf8(text, column_charset(col), utf8)) {
        append_json_string(utf8, out);
      } else {
        out += "{\"hex\":\"";
        append_hex(text, out);
        out += "\",\"collation\":" + std::to_string(col.charset.value_or(0)) + "}";
      }
      return;
    }
    case ValueKind::bytes:
    case ValueKind::geometry:
    case ValueKind::vector:
    case ValueKind::bit:
      out += "{\"hex\":\"";
      append_hex(text, out);
      out += "\"}";
      return;
    default: {  // decimal, temporal, enum and set labels: exact text
      std::string utf8;
      if (!append_utf8(text, Charset::utf8, utf8)) utf8 = text;
      append_json_string(utf8, out);
    }
  }
}

void json_image(const RowImage& image, const TableMapEvent* map, std::string& out) {
  static const ColumnInfo kUnknown;
  out += "{";
  bool first = true;
  for (size_t i = 0; i < image.values.size(); ++i) {
    if (i < image.present.size() && !image.present[i]) continue;
    if (!first) out += ",";
    first = false;
    append_json_string(column_label(map, i), out);
    out += ":";
    json_value(image.values[i],
               map != nullptr && i < map->columns.size() ? map->columns[i] : kUnknown, out);
  }
  out += "}";
}

struct JsonBody {
  const Decoder& decoder;
  const Event& event;
  std::string& out;
  void str(const char* key, std::string_view v) {
    out += ",\"" + std::string(key) + "\":";
    append_json_string(v, out);
  }
  template <typename T>
  void num(const char* key, T v) {
    fmt::format_to(std::back_inserter(out), FMT_COMPILE(",\"{}\":{}"), key, v);
  }
  void operator()(const OtherEvent&) {}
  void operator()(const FormatDescriptionEvent& f) {
    num("binlog_version", f.binlog_version);
    str("server_version", f.server_version);
    str("checksum", checksum_name(f.checksum));
  }
  void operator()(const QueryEvent& q) {
    num("thread_id", q.thread_id);
    num("exec_time", q.exec_time);
    num("error_code", q.error_code);
    str("database", q.database);
    std::string status;
    text_status(q.status, status);
    if (status.size() > 5) str("status", std::string_view(status).substr(4, status.size() - 5));
    str("query", q.query);
  }
  void operator()(const RotateEvent& r) {
    str("next_file", r.next_file);
    num("next_position", r.position);
  }
  void operator()(const XidEvent& x) { num("xid", x.xid); }
  void operator()(const IntvarEvent& i) {
    num("intvar_type", i.type);
    num("value", i.value);
  }
  void operator()(const RandEvent& r) {
    num("seed1", r.seed1);
    num("seed2", r.seed2);
  }
  void operator()(const UserVarEvent& u) {
    str("name", u.name);
    if (u.is_null) {
      out += ",\"value\":null";
      return;
    }
    num("value_type", u.type);
    out += ",\"value_hex\":\"";
    append_hex(u.value, out);
    out += "\"";
  }
  void operator()(const TableMapRef& ref) {
    const TableMapEvent& t = *ref;
    num("table_id", t.table_id);
    str("database", t.database);
    str("table", t.table);
    out += ",\"columns\":[";
    for (size_t i = 0; i < t.columns.size(); ++i) {
      const ColumnInfo& c = t.columns[i];
      out += i == 0 ? "{" : ",{";
      out += "\"type\":";
      append_json_string(column_type_name(c.real_type), out);
      fmt::format_to(std::back_inserter(out), FMT_COMPILE(",\"meta\":{},\"nullable\":{}"),
                     c.metadata, c.nullable);
      if (!c.name.empty()) str("name", c.name);
      if (c.is_unsigned)
        fmt::format_to(std::back_inserter(out), FMT_COMPILE(",\"unsigned\":{}"), *c.is_unsigned);
      if (c.charset) num("collation", *c.charset);
      out += "}";
    }
    out += "]";
  }
  void operator()(const RowsEvent& r) {
    const TableMapEvent* map = decoder.table(r.table_id);
    num("table_id", r.table_id);
    if (map != nullptr) {
      str("database", map->database);
      str("table", map->table);
    }
    str("kind", r.kind == RowsKind::write   ? "insert"
                : r.kind == RowsKind::erase ? "delete"
                                            : "update");
    out += ",\"rows\":[";
    const size_t n = std::max(r.before.size(), r.after.size());
    for (size_t i = 0; i < n; ++i) {
      out += i == 0 ? "{" : ",{";
      bool need_comma = false;
      if (i < r.before.size()) {
        out += "\"before\":";
        json_image(r.before[i], map, out);
        need_comma = true;
      }
      if (i < r.after.size()) {
        out += need_comma ? ",\"after\":" : "\"after\":";
        json_image(r.after[i], map, out);
      }
      out += "}";
    }
    out += "]";
  }
  void operator()(const GtidEvent& g) {
    str("gtid", g.gtid());
    if (g.last_committed) num("last_committed", *g.last_committed);
    if (g.sequence_number) num("sequence_number", *g.sequence_number);
    if (g.immediate_commit_timestamp)
      num("immediate_commit_timestamp", *g.immediate_commit_timestamp);
    if (g.original_commit_timestamp) num("original_commit_timestamp", *g.original_commit_timestamp);
    if (g.transaction_length) num("transaction_length", *g.transaction_length);
  }
  void operator()(const PreviousGtidsEvent& p) { str("gtid_set", p.str()); }
  void operator()(const MariaGtidEvent& g) {
    str("gtid", g.gtid(event.header.server_id));
    num("flags2", g.flags2);
    fmt::format_to(std::back_inserter(out), FMT_COMPILE(",\"standalone\":{}"), g.standalone());
    if (g.commit_id) num("commit_id", *g.commit_id);
  }
  void operator()(const GtidListEvent& l) { str("gtid_list", l.str()); }
  void operator()(const BinlogCheckpointEvent& c) { str("checkpoint_file", c.file); }
  void operator()(const AnnotateRowsEvent& a) { str("query", a.query); }
  void operator()(const RowsQueryEvent& q) { str("query", q.query); }
  void operator()(const HeartbeatEvent& h) {
    str("log_file", h.log_file);
    if (h.position) num("log_position", *h.position);
  }
  void operator()(const IncidentEvent& i) {
    num("incident", i.incident);
    str("message", i.message);
  }
  void operator()(const XaPrepareEvent& x) {
    fmt::format_to(std::back_inserter(out), FMT_COMPILE(",\"one_phase\":{}"), x.one_phase);
    num("format_id", x.format_id);
    str("gtrid", x.gtrid);
    str("bqual", x.bqual);
  }
  void operator()(const TransactionPayloadEvent& p) {
    num("payload_size", p.payload_size);
    num("compression", p.compression);
    num("uncompressed_size", p.uncompressed_size);
    num("inner_events", p.inner_events);
  }
  void operator()(const StopEvent&) {}
};

}  // namespace

void print_text(const Event& e, const Decoder& decoder, const std::string& file, std::string& out) {
  out += "# at ";
  append_number(e.position, out);
  if (e.in_payload) out += " (in payload)";
  out += " | ";
  out += utc_time(e.header.timestamp);
  out += " | server id ";
  append_number(e.header.server_id, out);
  out += " | end_log_pos ";
  append_number(e.header.log_pos, out);
  out += " | ";
  append_type_name(e.header.type, out);
  out += " | ";
  append_number(e.header.event_size, out);
  out += " bytes\n";
  (void)file;
  std::visit(TextBody{decoder, e, out}, e.body);
}

void print_json(const Event& e, const Decoder& decoder, const std::string& file, std::string& out) {
  out += "{\"file\":";
  append_json_string(file, out);
  std::string type;
  append_type_name(e.header.type, type);
  fmt::format_to(std::back_inserter(out),
                 FMT_COMPILE(",\"position\":{},\"type\":\"{}\",\"timestamp\":{},\"server_id\":{},"
                             "\"end_log_pos\":{},\"size\":{}"),
                 e.position, type, e.header.timestamp, e.header.server_id, e.header.log_pos,
                 e.header.event_size);
  if (e.in_payload) out += ",\"in_payload\":true";
  std::visit(JsonBody{decoder, e, out}, e.body);
  out += "}\n";
}

}  // namespace my2pg::binlog
