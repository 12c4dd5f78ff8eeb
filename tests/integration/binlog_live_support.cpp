#include "binlog_live_support.hpp"

#include <algorithm>
#include <map>
#include <span>
#include <stdexcept>
#include <utility>
#include <variant>

#include "binlog/charset.hpp"
#include "binlog/decoder.hpp"
#include "binlog/value_format.hpp"
#include "replica/live_source.hpp"

namespace my2pg::test::live {
namespace {

using binlog::FixedBinaryType;
using FixedBinaryColumns = std::map<std::pair<std::string, std::string>, FixedBinaryType>;

// MariaDB's UUID, INET4 and INET6 columns of the test database: the binlog shows them only as
// BINARY(n), the catalog knows better.
FixedBinaryColumns fixed_binary_columns(TestDatabases& db) {
  const RowSet r = db.source().query(
      "SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS "
      "WHERE TABLE_SCHEMA = DATABASE() AND DATA_TYPE IN ('uuid', 'inet4', 'inet6')");
  FixedBinaryColumns out;
  for (const auto& row : r.rows) {
    const std::string& type = row.at(2).value();
    out[{row.at(0).value(), row.at(1).value()}] = type == "uuid"    ? FixedBinaryType::uuid
                                                  : type == "inet4" ? FixedBinaryType::inet4
                                                                    : FixedBinaryType::inet6;
  }
  return out;
}

// append_text gives character columns in their own charset; SELECT gives them in utf8mb4.
bool is_character(const binlog::Value& v) {
  return v.kind == binlog::ValueKind::string || v.kind == binlog::ValueKind::enum_index ||
         v.kind == binlog::ValueKind::set_bits;
}

Text value_text(const binlog::Value& v, const binlog::ColumnInfo& column) {
  if (v.is_null()) return std::nullopt;
  std::string raw;
  binlog::append_text(v, column, raw);
  if (!is_character(v) || !column.charset) return raw;
  const binlog::Charset charset = binlog::charset_of_collation(*column.charset);
  std::string utf8;
  if (!binlog::append_utf8(raw, charset, utf8)) {
    return "<not convertible from " + std::string(binlog::charset_name(charset)) + "> " + raw;
  }
  return utf8;
}

RowText row_text(const binlog::RowImage& image, const binlog::TableMapEvent& map,
                 const FixedBinaryColumns& fbt) {
  RowText out;
  for (size_t i = 0; i < image.values.size(); ++i) {
    if (!image.present.at(i)) {
      out.emplace_back("<not in the image>");
      continue;
    }
    binlog::ColumnInfo column = map.columns.at(i);
    if (auto it = fbt.find({map.table, column.name}); it != fbt.end()) {
      column.mariadb_fbt = it->second;
    }
    out.push_back(value_text(image.values[i], column));
  }
  return out;
}

std::string kind_name(binlog::RowsKind kind) {
  switch (kind) {
    case binlog::RowsKind::write:
      return "WRITE_ROWS";
    case binlog::RowsKind::update:
      return "UPDATE_ROWS";
    case binlog::RowsKind::erase:
      return "DELETE_ROWS";
    case binlog::RowsKind::partial_update:
      return "PARTIAL_UPDATE_ROWS";
  }
  return "?";
}

// Follows the stream through replica::LiveSource, which gives each event its file and position.
class LiveReader {
 public:
  LiveReader(TestDatabases& db, const mysql::StreamStart& start)
      : m_database(db.name()),
        m_fbt(fixed_binary_columns(db)),
        m_source(mysql::Endpoint::parse(db.source_uri()), start) {
    m_decoder.set_file(start.file);
    m_decoder.set_stream_checksum(m_source.checksum());
  }

  BinlogRead read() {
    binlog::RawEvent raw;
    std::vector<binlog::Event> events;
    while (m_source.next(raw)) {
      if (raw.file != m_decoder.file()) m_decoder.set_file(raw.file);
      events.clear();
      m_decoder.decode(raw.bytes, raw.position, events);
      for (const auto& e : events) visit(e);
    }
    close_transaction();
    return std::move(m_read);
  }

 private:
  void visit(const binlog::Event& e) {
    if (const auto* g = std::get_if<binlog::MariaGtidEvent>(&e.body)) {
      close_transaction();
      m_current = Transaction{g->gtid(e.header.server_id), {"GTID"}, {}};
      if (m_read.first_gtid.empty()) m_read.first_gtid = m_current->gtid;
      return;
    }
    if (!m_current) return;
    if (const auto* ref = std::get_if<binlog::TableMapRef>(&e.body)) {
      const auto& map = *ref;
      if (map->database == m_database) m_current->trace.push_back("TABLE_MAP " + map->table);
    } else if (const auto* rows = std::get_if<binlog::RowsEvent>(&e.body)) {
      add_rows(*rows);
    } else if (std::holds_alternative<binlog::XidEvent>(e.body)) {
      m_current->trace.emplace_back("XID");
      close_transaction();
    } else if (const auto* q = std::get_if<binlog::QueryEvent>(&e.body)) {
      m_current->trace.push_back("QUERY " + q->query);
      if (q->database == m_database) m_ours = true;
    }
  }

  void add_rows(const binlog::RowsEvent& rows) {
    const binlog::TableMapEvent* map = m_decoder.table(rows.table_id);
    if (map == nullptr) throw std::runtime_error("a rows event without its table map");
    if (map->database != m_database) return;
    m_ours = true;
    m_current->trace.push_back(kind_name(rows.kind) + " " + map->table);
    RowChange change{map->table, rows.kind, rows.flags, {}, {}};
    for (const auto& image : rows.before) change.before.push_back(row_text(image, *map, m_fbt));
    for (const auto& image : rows.after) change.after.push_back(row_text(image, *map, m_fbt));
    m_current->changes.push_back(std::move(change));
  }

  void close_transaction() {
    if (m_current && m_ours) m_read.transactions.push_back(std::move(*m_current));
    m_current.reset();
    m_ours = false;
  }

  std::string m_database;
  FixedBinaryColumns m_fbt;
  replica::LiveSource m_source;
  binlog::Decoder m_decoder;
  BinlogRead m_read;
  std::optional<Transaction> m_current;
  bool m_ours = false;
};

std::string escaped(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7F && c != '\\') {
      out += ch;
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

std::string excerpt(const Text& t, size_t at) {
  if (!t) return "NULL";
  constexpr size_t kBefore = 24, kLength = 96;
  const size_t from = at > kBefore ? at - kBefore : 0;
  std::string out = "(" + std::to_string(t->size()) + " bytes) '";
  if (from > 0) out += "...";
  out += escaped(std::string_view(*t).substr(from, kLength));
  if (from + kLength < t->size()) out += "...";
  return out + "'";
}

}  // namespace

mysql::StreamStart master_position(mysql::Connection& conn) {
  const RowSet r = conn.query("SHOW MASTER STATUS");
  if (r.rows.size() != 1) throw std::runtime_error("SHOW MASTER STATUS: is the binlog on?");
  mysql::StreamStart start;
  start.file = r.rows[0].at(r.column_index("File")).value();
  start.position = std::stoull(r.rows[0].at(r.column_index("Position")).value());
  start.stop_at_end = true;
  return start;
}

BinlogRead read_binlog(TestDatabases& db, const mysql::StreamStart& start) {
  return LiveReader(db, start).read();
}

std::vector<RowText> select_rows(mysql::Connection& conn, const std::string& sql) {
  return conn.query(sql).rows;
}

std::vector<RowText> inserted_rows(const BinlogRead& read, const std::string& table) {
  std::vector<RowText> out;
  for (const auto& t : read.transactions) {
    for (const auto& c : t.changes) {
      if (c.table == table && c.kind == binlog::RowsKind::write) {
        out.insert(out.end(), c.after.begin(), c.after.end());
      }
    }
  }
  return out;
}

std::string difference(const Text& decoded, const Text& selected) {
  if (decoded == selected) return {};
  size_t at = 0;
  if (decoded && selected) {
    const auto m =
        std::mismatch(decoded->begin(), decoded->end(), selected->begin(), selected->end());
    at = static_cast<size_t>(m.first - decoded->begin());
  }
  return "decoded " + excerpt(decoded, at) + " but SELECT gives " + excerpt(selected, at) +
         (at > 0 ? " (first difference at byte " + std::to_string(at) + ")" : "");
}

std::string hex_literal(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "X'";
  out.reserve(bytes.size() * 2 + 3);
  for (char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    out += kHex[c >> 4];
    out += kHex[c & 0xF];
  }
  return out + "'";
}

std::string sample_bytes(size_t n, uint32_t seed) {
  std::string out(n, '\0');
  uint32_t x = seed | 1U;
  for (size_t i = 0; i + 8 < n; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    out[i] = static_cast<char>(i % 7 == 0 ? 0U : x & 0xFFU);
  }
  return out;
}

}  // namespace my2pg::test::live
