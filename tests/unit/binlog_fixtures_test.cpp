// Every binlog file of ../shared/fixtures/binlog (see its MANIFEST.md) read to the end with
// FileSource and Decoder: the deliberately broken files fail where the manifest says, all others
// decode completely, with the event counts the upstream projects assert and the values they
// assert or the manifest observed. Values are compared in MySQL's text form (value_format.hpp),
// text in other character sets after conversion to UTF-8 (charset.hpp).
//
// MariaDB's old-format ("hires") temporal columns need their precision from the catalog: the two
// fixtures that have them are decoded once without it (a clear error) and once with it.
#include <zlib.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "binlog/charset.hpp"
#include "binlog/decoder.hpp"
#include "binlog/event_printer.hpp"
#include "binlog/file_source.hpp"
#include "binlog/value_format.hpp"
#include "common/error.hpp"

#ifndef MY2PG_FIXTURES_DIR
#define MY2PG_FIXTURES_DIR ""
#endif

namespace {

using namespace my2pg::binlog;
using my2pg::DecodeError;
namespace fs = std::filesystem;
using Texts = std::vector<std::string>;

// --- where the fixtures are -------------------------------------------------------------------

bool have_fixtures() {
  if (fs::is_directory(MY2PG_FIXTURES_DIR)) return true;
  WARN("binlog fixture tests skipped: ../shared is absent (" MY2PG_FIXTURES_DIR ")");
  return false;
}

std::string fixture(std::string_view relative) {
  return std::string(MY2PG_FIXTURES_DIR) + "/" + std::string(relative);
}

// Every binlog file, as a path relative to the fixtures directory, sorted; the gzipped Sakila
// binlog and the zongji packet captures are not binlog files.
std::vector<std::string> binlog_files() {
  std::vector<std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(MY2PG_FIXTURES_DIR)) {
    const auto name = entry.path().filename().string();
    const auto ext = entry.path().extension().string();
    if (!entry.is_regular_file() || name == "MANIFEST.md" || ext == ".hex" || ext == ".gz")
      continue;
    out.push_back(fs::relative(entry.path(), MY2PG_FIXTURES_DIR).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// A directory removed with everything in it when the test ends.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "my2pg-fixtures-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

// The Sakila binlog is stored gzipped; it is unpacked for the test, never into the repository.
std::string gunzip(const std::string& gz, const TempDir& dir) {
  const std::string out_path = (dir.path / fs::path(gz).stem()).string();
  gzFile in = gzopen(gz.c_str(), "rb");
  REQUIRE(in != nullptr);
  std::ofstream out(out_path, std::ios::binary);
  char buf[1 << 16];
  int n = 0;
  while ((n = gzread(in, buf, static_cast<unsigned>(sizeof buf))) > 0) out.write(buf, n);
  gzclose(in);
  REQUIRE(n == 0);
  return out_path;
}

// --- decoded events, kept beyond the buffers they were decoded from ----------------------------

struct Cell {
  bool present = false;
  Value value;  // its bytes live in `bytes`: use get()
  std::vector<uint8_t> bytes;
  std::string text;   // append_text
  std::string error;  // append_text's DecodeError
  Value get() const {
    Value v = value;
    v.bytes = bytes;
    return v;
  }
};
using Image = std::vector<Cell>;

struct Rows {
  RowsKind kind = RowsKind::write;
  uint64_t table_id = 0;
  TableMapEvent table;
  std::vector<Image> before, after;
};

struct Record {
  EventHeader header;
  uint64_t position = 0;
  bool in_payload = false;
  EventBody body;            // every kind of event but rows, copied
  std::optional<Rows> rows;  // rows events, with their values as text
};

struct Decoded {
  std::vector<Record> records;
  std::optional<std::string> error;  // the DecodeError that ended the file early
  uint64_t end = 4;                  // the offset after the last event read

  size_t top_level() const {
    return static_cast<size_t>(std::count_if(records.begin(), records.end(),
                                             [](const Record& r) { return !r.in_payload; }));
  }
  std::vector<const Record*> of_type(EventType type) const& {
    std::vector<const Record*> out;
    for (const auto& r : records) {
      if (r.header.type == type) out.push_back(&r);
    }
    return out;
  }
  std::vector<const Rows*> rows() const& {
    std::vector<const Rows*> out;
    for (const auto& r : records) {
      if (r.rows) out.push_back(&*r.rows);
    }
    return out;
  }
  // Pointers into the records: only for a Decoded that outlives them.
  std::vector<const Record*> of_type(EventType) const&& = delete;
  std::vector<const Rows*> rows() const&& = delete;
  std::vector<EventType> types() const {
    std::vector<EventType> out;
    for (const auto& r : records) out.push_back(r.header.type);
    return out;
  }
};

template <typename T>
const T& body(const Record* r) {
  REQUIRE(r != nullptr);
  REQUIRE(std::holds_alternative<T>(r->body));
  return std::get<T>(r->body);
}
template <>
const TableMapEvent& body<TableMapEvent>(const Record* r) {
  return *body<TableMapRef>(r);
}

Image image_of(const RowImage& image, const TableMapEvent& table) {
  Image out(image.values.size());
  for (size_t i = 0; i < image.values.size(); ++i) {
    Cell& c = out[i];
    const Value& v = image.values[i];
    c.present = i < image.present.size() && image.present[i];
    c.value = v;
    c.value.bytes = {};
    c.bytes.assign(v.bytes.begin(), v.bytes.end());
    try {
      append_text(v, table.columns.at(i), c.text);
    } catch (const DecodeError& e) {
      c.error = e.what();
    }
  }
  return out;
}

Record record_of(const Event& e, const Decoder& decoder) {
  Record r;
  r.header = e.header;
  r.position = e.position;
  r.in_payload = e.in_payload;
  std::visit(
      [&](const auto& b) {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, RowsEvent>) {
          const TableMapEvent* table = decoder.table(b.table_id);
          REQUIRE(table != nullptr);
          Rows rows{b.kind, b.table_id, *table, {}, {}};
          for (const auto& image : b.before) rows.before.push_back(image_of(image, *table));
          for (const auto& image : b.after) rows.after.push_back(image_of(image, *table));
          r.rows = std::move(rows);
        } else {
          r.body = b;
        }
      },
      e.body);
  return r;
}

Decoded decode_path(const std::string& path, bool verify_checksums = true,
                    Decoder::PrecisionLookup precision = {}) {
  Decoded d;
  FileSource source({path}, false);
  Decoder decoder(fs::path(path).filename().string());
  decoder.set_verify_checksums(verify_checksums);
  if (precision) decoder.set_temporal_precision_lookup(std::move(precision));
  RawEvent raw;
  std::vector<Event> events;
  try {
    while (source.next(raw)) {
      events.clear();
      decoder.decode(raw.bytes, raw.position, events);
      for (const auto& e : events) d.records.push_back(record_of(e, decoder));
      d.end = raw.position + raw.bytes.size();
    }
  } catch (const DecodeError& e) {
    d.error = e.what();
  }
  return d;
}

Decoded decode(std::string_view relative) {
  return decode_path(fixture(relative));
}

// A fixture that must decode completely.
Decoded decode_all(std::string_view relative) {
  Decoded d = decode(relative);
  INFO("fixture " << relative);
  REQUIRE(d.error.value_or("") == "");
  REQUIRE(d.end == fs::file_size(fixture(relative)));
  return d;
}

// A row as text: NULL for null, <absent> for a column the image does not hold, the DecodeError
// for a value that cannot be printed.
Texts texts(const Image& image) {
  Texts out;
  for (const auto& c : image) {
    if (!c.present) {
      out.emplace_back("<absent>");
    } else if (c.value.is_null()) {
      out.emplace_back("NULL");
    } else if (!c.error.empty()) {
      out.push_back("<error: " + c.error + ">");
    } else {
      out.push_back(c.text);
    }
  }
  return out;
}

// A value's text converted from its column's character set to UTF-8.
std::string utf8(const Cell& c, const ColumnInfo& column) {
  const Charset from = column.charset ? charset_of_collation(*column.charset) : Charset::other;
  std::string out;
  if (!append_utf8(c.text, from, out))
    return "<not convertible from " + std::string(charset_name(from)) + ">";
  return out;
}

std::string hex(const std::vector<uint8_t>& bytes) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const uint8_t b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 0xf];
  }
  return out;
}

std::string repeat(std::string_view s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

std::vector<ColumnType> column_types(const TableMapEvent& t) {
  std::vector<ColumnType> out;
  for (const auto& c : t.columns) out.push_back(c.type);
  return out;
}

// --- the per-file event counts of MANIFEST.md §3 -----------------------------------------------

// Event names as the manifest spells them.
std::optional<uint8_t> manifest_type(std::string_view name) {
  static const std::map<std::string_view, uint8_t> kTypes = {
      {"QUERY", 2},
      {"STOP", 3},
      {"ROTATE", 4},
      {"INTVAR", 5},
      {"APPEND_BLOCK", 9},
      {"RAND", 13},
      {"USER_VAR", 14},
      {"FORMAT_DESCRIPTION", 15},
      {"XID", 16},
      {"BEGIN_LOAD_QUERY", 17},
      {"EXECUTE_LOAD_QUERY", 18},
      {"TABLE_MAP", 19},
      {"PRE_GA_WRITE_ROWS", 20},
      {"PRE_GA_UPDATE_ROWS", 21},
      {"PRE_GA_DELETE_ROWS", 22},
      {"WRITE_ROWS_V1", 23},
      {"UPDATE_ROWS_V1", 24},
      {"DELETE_ROWS_V1", 25},
      {"INCIDENT", 26},
      {"ROWS_QUERY", 29},
      {"WRITE_ROWS_V2", 30},
      {"UPDATE_ROWS_V2", 31},
      {"DELETE_ROWS_V2", 32},
      {"GTID", 33},
      {"ANONYMOUS_GTID", 34},
      {"PREVIOUS_GTIDS", 35},
      {"PARTIAL_UPDATE_ROWS", 39},
      {"TRANSACTION_PAYLOAD", 40},
      {"GTID_TAGGED", 42},
      {"TYPE_100", 100},
      {"MARIA_ANNOTATE_ROWS", 160},
      {"MARIA_BINLOG_CHECKPOINT", 161},
      {"MARIA_GTID", 162},
      {"MARIA_GTID_LIST", 163},
      {"MARIA_WRITE_ROWS_COMPRESSED_V1", 166},
  };
  const auto it = kTypes.find(name);
  if (it == kTypes.end()) return std::nullopt;
  return it->second;
}

using TypeCounts = std::map<int, size_t>;

// "QUERY×5, TABLE_MAP×3" -> counts
TypeCounts parse_counts(std::string_view list) {
  TypeCounts out;
  std::string item;
  std::stringstream in{std::string(list)};
  while (std::getline(in, item, ',')) {
    const size_t x = item.find("\xc3\x97");  // U+00D7 MULTIPLICATION SIGN
    if (x == std::string::npos) continue;
    const std::string name =
        item.substr(item.find_first_not_of(' '), x - item.find_first_not_of(' '));
    const auto type = manifest_type(name);
    INFO("manifest event name " << name);
    REQUIRE(type.has_value());
    out[*type] += std::stoul(item.substr(x + 2));
  }
  return out;
}

// From the §3 table: file -> counts of top-level events and of events inside payloads.
std::map<std::string, std::pair<TypeCounts, TypeCounts>> manifest_counts() {
  std::ifstream in(fixture("MANIFEST.md"));
  std::map<std::string, std::pair<TypeCounts, TypeCounts>> out;
  std::string line;
  bool in_table = false;
  while (std::getline(in, line)) {
    if (line.rfind("## 3.", 0) == 0) in_table = true;
    if (line.rfind("## 4.", 0) == 0) break;
    if (!in_table || line.rfind("| `", 0) != 0) continue;
    std::vector<std::string> cells;
    std::stringstream row(line);
    std::string cell;
    while (std::getline(row, cell, '|')) cells.push_back(cell);
    if (cells.size() < 7) continue;
    const std::string file =
        cells[1].substr(cells[1].find('`') + 1, cells[1].rfind('`') - cells[1].find('`') - 1);
    const std::string& events = cells[6];
    const size_t inside = events.find("; inside payload:");
    const size_t note = events.find("; NOTE");
    const std::string top = events.substr(0, std::min(inside, note));
    const std::string payload = inside == std::string::npos ? "" : events.substr(inside + 17);
    out[file] = {parse_counts(top), parse_counts(payload)};
  }
  return out;
}

// --- what the manifest says about broken files and what the decoder cannot do yet --------------

struct Broken {
  const char* file;
  const char* place;  // must appear in the DecodeError
};
constexpr Broken kBroken[] = {
    {"rust_mysql_common/binlog_truncated_event.000001", "at position 4:"},
    {"rust_mysql_common/binlog_truncated_prev_gtid_event.000001", "at position 120:"},
    {"rust_mysql_common/corrupt-relay-bin.000624", "at position 91204, QUERY_EVENT"},
    {"rust_mysql_common/ver_5_1-wl2325_r.001", "at position 428, XID_EVENT"},
};

// Valid files that need the catalog's precision for MariaDB hires columns (see below).
constexpr const char* kPending[] = {
    "tiflow/mysql-bin.000001",
    "zongji/binlog-mariadb118.binlog",
};

template <size_t N>
bool listed(const std::string& file, const char* const (&list)[N]) {
  return std::find_if(std::begin(list), std::end(list), [&](const char* f) { return file == f; }) !=
         std::end(list);
}

}  // namespace

TEST_CASE("fixtures: every binlog file decodes to its end, or fails where it is broken",
          "[binlog][fixtures]") {
  if (!have_fixtures()) return;
  const auto files = binlog_files();
  REQUIRE(files.size() == 92);
  for (const auto& file : files) {
    INFO("fixture " << file);
    if (listed(file, kPending)) continue;
    const Decoded d = decode(file);
    const auto broken = std::find_if(std::begin(kBroken), std::end(kBroken),
                                     [&](const Broken& b) { return file == b.file; });
    if (broken != std::end(kBroken)) {
      REQUIRE(d.error.has_value());
      CHECK_THAT(*d.error, Catch::Contains(broken->place));
      continue;
    }
    CHECK(d.error.value_or("") == "");
    CHECK(d.end == fs::file_size(fixture(file)));
  }
}

TEST_CASE("fixtures: event types and counts per file are those of MANIFEST.md",
          "[binlog][fixtures]") {
  if (!have_fixtures()) return;
  const auto counts = manifest_counts();
  REQUIRE(counts.size() >= 90);
  for (const auto& file : binlog_files()) {
    INFO("fixture " << file);
    if (listed(file, kPending) || file.find("truncated") != std::string::npos) continue;
    const auto it = counts.find(file);
    REQUIRE(it != counts.end());
    const Decoded d = decode(file);
    TypeCounts top, inner;
    for (const auto& r : d.records) ++(r.in_payload ? inner : top)[static_cast<int>(r.header.type)];
    if (d.error) {  // a broken file: no more than the manifest counts, up to the broken event
      for (const auto& [type, n] : top) {
        INFO("event type " << type);
        CHECK(n <= it->second.first.at(type));
      }
      continue;
    }
    CHECK(top == it->second.first);
    CHECK(inner == it->second.second);
  }
}

TEST_CASE("fixtures: the event counts the upstream readers assert", "[binlog][fixtures]") {
  if (!have_fixtures()) return;
  // Top-level events: a TRANSACTION_PAYLOAD_EVENT counts once, as the upstream readers count it;
  // its inner events are delivered after it, marked in_payload.
  SECTION("mysql-binlog-connector-java") {
    CHECK(decode_all("mysql-binlog-connector-java/mysql-bin.checksum-none").top_level() == 191);
    CHECK(decode_all("mysql-binlog-connector-java/mysql-bin.checksum-crc32").top_level() == 303);
    const Decoded compressed = decode_all("mysql-binlog-connector-java/mysql-bin.compressed");
    CHECK(compressed.top_level() == 5);
    CHECK(compressed.records.size() == 9);
    const auto& payload = body<TransactionPayloadEvent>(
        compressed.of_type(EventType::TRANSACTION_PAYLOAD_EVENT).at(0));
    CHECK(payload.inner_events == 4);
    CHECK(payload.compression == 0);
    std::vector<EventType> inner;
    for (const auto& r : compressed.records) {
      if (r.in_payload) inner.push_back(r.header.type);
    }
    CHECK(inner == std::vector<EventType>{EventType::QUERY_EVENT, EventType::TABLE_MAP_EVENT,
                                          EventType::UPDATE_ROWS_EVENT, EventType::XID_EVENT});
    const auto& map = body<TableMapEvent>(compressed.of_type(EventType::TABLE_MAP_EVENT).at(0));
    CHECK(map.database == "demo");
    CHECK(map.table == "movies");
  }
  SECTION("mysql-binlog-connector-rust (the upstream test names are swapped: 000057 is 8.0.31)") {
    const Decoded d57 = decode_all("mysql-binlog-connector-rust/mysql-bin.000057");
    CHECK(d57.top_level() == 8);
    CHECK(d57.records.size() == 8 + 13);
    Texts gtids;
    for (const auto* r : d57.of_type(EventType::GTID_LOG_EVENT))
      gtids.push_back(body<GtidEvent>(r).gtid());
    CHECK(gtids == Texts{"76f3e7be-6720-11ed-9cad-0242ac110002:11",
                         "76f3e7be-6720-11ed-9cad-0242ac110002:12",
                         "76f3e7be-6720-11ed-9cad-0242ac110002:13"});
    CHECK(body<FormatDescriptionEvent>(&d57.records.at(0)).server_version == "8.0.31");
    const Decoded d80 = decode_all("mysql-binlog-connector-rust/mysql-bin.000080");
    CHECK(d80.top_level() == 37);
    CHECK(body<FormatDescriptionEvent>(&d80.records.at(0)).server_version == "5.7.40-log");
  }
  SECTION("Sakila, gzipped: the .gz itself is not a binlog, unpacked it has 1462 events") {
    const std::string gz = fixture("mysql-binlog-connector-java/mysql-bin.sakila.gz");
    const Decoded raw = decode_path(gz);
    REQUIRE(raw.error.has_value());
    CHECK_THAT(*raw.error, Catch::Contains("at position 0: not a binlog file"));
    const TempDir dir;
    const Decoded d = decode_path(gunzip(gz, dir));
    REQUIRE(d.error.value_or("") == "");
    CHECK(d.end == 1445714);
    CHECK(d.top_level() == 1462);
    CHECK(d.of_type(EventType::WRITE_ROWS_EVENT_V1).size() == 1374);
    CHECK(d.of_type(EventType::TABLE_MAP_EVENT).size() == 18);
    const Rows* actor = d.rows().at(0);
    CHECK(actor->table.database == "sakila");
    CHECK(actor->table.table == "actor");
    CHECK(texts(actor->after.at(0)) == Texts{"1", "PENELOPE", "GUINESS", "2006-02-15 03:34:33"});
  }
}

TEST_CASE("fixtures: checksums of in-use FORMAT_DESCRIPTION events verify with the flag cleared",
          "[binlog][fixtures]") {
  if (!have_fixtures()) return;
  for (const char* file :
       {"MySqlCdc/mysql-bin.000001", "canal/tsdb/mysql-bin.000003", "maxwell/binlog.000004",
        "mysql-cdc-rs/8.0/02_query_bigger/binlog.000733",
        "mysql-cdc-rs/8.0/19_30_Table_map_event_Write_rows_log_event/binlog.000018",
        "mysql-cdc-rs/8.0/31_update_rows_v2/binlog.000001",
        "mysql-cdc-rs/8.0/32_delete_rows_v2/binlog.000001", "rust_mysql_common/json-opaque.binlog",
        "rust_mysql_common/json.binlog.000001", "rust_mysql_common/mariadb-bin.000001",
        "rust_mysql_common/mysql-enum-string-set.000001", "rust_mysql_common/mysql_type_bit.000001",
        "rust_mysql_common/slave-relay-bin.000001"}) {
    INFO("fixture " << file);
    const Decoded d = decode_all(file);
    const auto& fde = d.records.at(0);
    CHECK((fde.header.flags & LOG_EVENT_BINLOG_IN_USE_F) != 0);
    CHECK(body<FormatDescriptionEvent>(&fde).checksum == ChecksumAlg::BINLOG_CHECKSUM_ALG_CRC32);
  }
  const Decoded truncated = decode("rust_mysql_common/binlog_truncated_prev_gtid_event.000001");
  REQUIRE(truncated.records.size() == 1);
  CHECK((truncated.records[0].header.flags & LOG_EVENT_BINLOG_IN_USE_F) != 0);
}

TEST_CASE("fixtures: checksum algorithms OFF, CRC32 and before checksums", "[binlog][fixtures]") {
  if (!have_fixtures()) return;
  auto alg = [](std::string_view file) {
    return body<FormatDescriptionEvent>(&decode_all(file).records.at(0)).checksum;
  };
  CHECK(alg("mysql-binlog-connector-java/mysql-bin.checksum-none") ==
        ChecksumAlg::BINLOG_CHECKSUM_ALG_OFF);
  CHECK(alg("rust_mysql_common/ver_trunk_row_v2.001") == ChecksumAlg::BINLOG_CHECKSUM_ALG_OFF);
  CHECK(alg("rust_mysql_common/bug11747887-bin.000003") == ChecksumAlg::BINLOG_CHECKSUM_ALG_OFF);
  CHECK(alg("gh-ost/mysql-bin.000066") == ChecksumAlg::BINLOG_CHECKSUM_ALG_CRC32);
  CHECK(alg("gh-ost/mysql-bin.000070") == ChecksumAlg::BINLOG_CHECKSUM_ALG_CRC32);
  CHECK(alg("canal/mysql-bin.000001") == ChecksumAlg::UNDEF);
  CHECK(alg("rust_mysql_common/binlog_transaction.000001") == ChecksumAlg::UNDEF);
}

TEST_CASE("fixtures: Aurora's padding event (type 100) is skipped and the QUERY after it decoded",
          "[binlog][fixtures]") {
  if (!have_fixtures()) return;
  const Decoded d = decode_all("mysql-binlog-connector-java/mysql-bin.aurora-padding");
  REQUIRE(d.records.size() == 5);
  std::vector<std::pair<uint64_t, int>> seen;
  for (const auto& r : d.records) seen.emplace_back(r.position, static_cast<int>(r.header.type));
  CHECK(seen == std::vector<std::pair<uint64_t, int>>{
                    {4, 15}, {185, 35}, {216, 34}, {281, 100}, {1209, 2}});
  CHECK(std::holds_alternative<OtherEvent>(d.records[3].body));
  CHECK(d.records[3].header.event_size == 1209 - 281);
  CHECK(body<QueryEvent>(&d.records[4]).query == "BEGIN");
}

TEST_CASE("fixtures: go-mysql decodedecimal, 17 rows of 11 DECIMAL precisions",
          "[binlog][fixtures]") {
  if (!have_fixtures()) return;
  // `select * from decodedecimal` as quoted in go-mysql's replication/row_event_test.go.
  constexpr std::string_view kTable = R"(
 1|-10.55|  -11 |  -10.550|      -10.55|     -10.550|         -10.55|-9.99999999999999 |        -10.5500000000|          -10.55000 |        -10.55000000000000000000 |   -10.5500000000000000000000000 | 4| 2
 2|  0.01|    0 |    0.012|        0.01|       0.012|           0.01| 0.01234567890123 |          0.0123456789|            0.01235 |          0.01234567890123456789 |     0.0123456789012345678912345 |30|25
 3| 99.99|12345 | 9999.999|    12345.00|   12345.000|       12345.00| 9.99999999999999 |      12345.0000000000|        12345.00000 |      12345.00000000000000000000 | 12345.0000000000000000000000000 | 5| 0
 4| 99.99|12345 | 9999.999|    12345.00|   12345.000|       12345.00| 9.99999999999999 |      12345.0000000000|        12345.00000 |      12345.00000000000000000000 | 12345.0000000000000000000000000 |10| 3
 5| 99.99|  123 |  123.450|      123.45|     123.450|         123.45| 9.99999999999999 |        123.4500000000|          123.45000 |        123.45000000000000000000 |   123.4500000000000000000000000 |10| 3
 6|-99.99| -123 | -123.450|     -123.45|    -123.450|        -123.45|-9.99999999999999 |       -123.4500000000|         -123.45000 |       -123.45000000000000000000 |  -123.4500000000000000000000000 |20|10
 7|  0.00|    0 |    0.000|        0.00|       0.000|           0.00| 0.00012345000099 |          0.0001234500|            0.00012 |          0.00012345000098765000 |     0.0001234500009876500000000 |15|14
 8|  0.00|    0 |    0.000|        0.00|       0.000|           0.00| 0.00012345000099 |          0.0001234500|            0.00012 |          0.00012345000098765000 |     0.0001234500009876500000000 |22|20
 9|  0.12|    0 |    0.123|        0.12|       0.123|           0.12| 0.12345000098765 |          0.1234500010|            0.12345 |          0.12345000098765000000 |     0.1234500009876500000000000 |30|20
10|  0.00|    0 |    0.000|        0.00|       0.000|           0.00|-0.00000001234500 |         -0.0000000123|            0.00000 |         -0.00000001234500009877 |    -0.0000000123450000987650000 |30|20
11| 99.99|99999 | 9999.999| 99999999.99| 9999999.999| 99999999999.99| 9.99999999999999 | 9999999999.9999999999|1234500009876.50000 | 9999999999.99999999999999999999 | 99999.9999999999999999999999999 |30| 5
12| 99.99|99999 | 9999.999| 99999999.99| 9999999.999|   111111111.11| 9.99999999999999 |  111111111.1100000000|    111111111.11000 |  111111111.11000000000000000000 | 99999.9999999999999999999999999 |10| 2
13|  0.01|    0 |    0.010|        0.01|       0.010|           0.01| 0.01000000000000 |          0.0100000000|            0.01000 |          0.01000000000000000000 |     0.0100000000000000000000000 | 7| 3
14| 99.99|  123 |  123.400|      123.40|     123.400|         123.40| 9.99999999999999 |        123.4000000000|          123.40000 |        123.40000000000000000000 |   123.4000000000000000000000000 |10| 2
15|-99.99| -563 | -562.580|     -562.58|    -562.580|        -562.58|-9.99999999999999 |       -562.5800000000|         -562.58000 |       -562.58000000000000000000 |  -562.5800000000000000000000000 |13| 2
16|-99.99|-3699 |-3699.010|    -3699.01|   -3699.010|       -3699.01|-9.99999999999999 |      -3699.0100000000|        -3699.01000 |      -3699.01000000000000000000 | -3699.0100000000000000000000000 |13| 2
17|-99.99|-1948 |-1948.140|    -1948.14|   -1948.140|       -1948.14|-9.99999999999999 |      -1948.1400000000|        -1948.14000 |      -1948.14000000000000000000 | -1948.1400000000000000000000000 |13| 2
)";
  std::vector<Texts> expected;
  std::stringstream lines{std::string(kTable)};
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    Texts row;
    std::stringstream cells(line);
    std::string cell;
    while (std::getline(cells, cell, '|')) {
      cell.erase(0, cell.find_first_not_of(' '));
      cell.erase(cell.find_last_not_of(' ') + 1);
      row.push_back(cell);
    }
    expected.push_back(row);
  }
  REQUIRE(expected.size() == 17);

  const Decoded d = decode_all("go-mysql/tcb-eval002c-bin.003320");
  const auto rows = d.rows();
  REQUIRE(rows.size() == 1);
  CHECK(rows[0]->table.table == "decodedecimal");
  REQUIRE(rows[0]->after.size() == 17);
  for (size_t i = 0; i < 17; ++i) {
    INFO("row " << i + 1);
    CHECK(texts(rows[0]->after[i]) == expected[i]);
  }
}

TEST_CASE("fixtures: MySqlCdc, one MySQL 5.7 row of every type", "[binlog][fixtures]") {
  if (!have_fixtures()) return;
  const Decoded d = decode_all("MySqlCdc/mysql-bin.000001");
  const auto rows = d.rows();
  REQUIRE(rows.size() == 3);
  const std::string decimal = "1234567890112233445566778899001112223334445556667778889.9900011112";
  const struct {
    const char *id, *tiny, *small, *medium, *char_column;
  } kRows[] = {{"11", "121", "12341", "1234561", "Bsd234234 234234 zdfsfsdfsdf"},
               {"12", "122", "12342", "1234562", "Csd234234 234234 zdfsfsdfsdf"},
               {"13", "123", "12345", "1234567", "Asd234234 234234 zdfsfsdfsdf"}};
  for (size_t i = 0; i < 3; ++i) {
    INFO("row " << kRows[i].id);
    REQUIRE(rows[i]->after.size() == 1);
    const Image& row = rows[i]->after[0];
    REQUIRE(row.size() == 22);
    const Texts got = texts(row);
    CHECK(row[6].value.kind == ValueKind::float32);
    CHECK(row[6].value.f == Approx(12345.6789f));
    // FLOAT as MySQL's SELECT returns it: 6 significant digits (my_gcvt with FLT_DIG).
    CHECK(got == Texts{kRows[i].id, kRows[i].tiny, kRows[i].small, kRows[i].medium, "123456789",
                       "1234567890987654321", "12345.7", "123456789.09876543", decimal,
                       kRows[i].char_column, "Hello world!", got[11],
                       R"({"id": 1, "name": "John"})", got[13], got[14], "2", "4", "1989",
                       "1985-10-23", "1988-11-27 14:12:13.345", "15:22:33.67",
                       // In UTC: the server wrote 13:22:23.567 in its own time zone (UTC+3).
                       "1985-10-13 10:22:23.567"});
    CHECK(hex(row[11].bytes) == "1234564534454534");
    CHECK(hex(row[13].bytes) == "152354");
    CHECK(row[14].value.kind == ValueKind::bit);
    CHECK(row[14].value.bits == 28);
    CHECK(hex(row[14].bytes) == "07B55787");  // b'0111101101010101011110000111'
  }
}

TEST_CASE("fixtures: rust_mysql_common's asserted rows", "[binlog][fixtures]") {
  if (!have_fixtures()) return;
  const std::string digits = repeat("0123456789", 10);
  const std::string long_digits =
      "01234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901"
      "23456789"
      "01234567890123456789012345678012345678901234567890123456789012345678901234567890123456789012"
      "34567890"
      "12345678901234567890123456789012345678901234567890123456780123456789012345678901234567890123"
      "456789";
  REQUIRE(long_digits.size() == 298);

  SECTION("mysql-enum-string-set: CHAR(128), VARCHAR(300), ENUM and SET with FULL metadata") {
    const Decoded d = decode_all("rust_mysql_common/mysql-enum-string-set.000001");
    const auto rows = d.rows();
    REQUIRE(rows.size() == 3);
    const TableMapEvent& t = rows[0]->table;
    CHECK(t.columns.at(2).enum_values == Texts{"var1", "variant2", "foo"});
    CHECK(t.columns.at(3).set_values == Texts{"one", "two", "three", "four"});
    CHECK(rows[0]->kind == RowsKind::write);
    CHECK(texts(rows[0]->after.at(0)) ==
          Texts{digits, long_digits, "var1", "one,three", "0123456789"});
    CHECK(rows[0]->after[0][2].value.u == 1);
    CHECK(rows[0]->after[0][3].value.u == 0b0101);
    CHECK(rows[1]->kind == RowsKind::update);
    CHECK(texts(rows[1]->before.at(0)) ==
          Texts{digits, long_digits, "var1", "one,three", "0123456789"});
    CHECK(texts(rows[1]->after.at(0)) ==
          Texts{"field1", "field_2", "variant2", "two,four", long_digits});
    CHECK(rows[1]->after[0][2].value.u == 2);
    CHECK(rows[1]->after[0][3].value.u == 0b1010);
    CHECK(rows[2]->kind == RowsKind::erase);
    CHECK(texts(rows[2]->before.at(0)) ==
          Texts{"field1", "field_2", "variant2", "two,four", long_digits});
  }
  SECTION("mysql_type_bit: BIT(3), TEXT, BIT(8)") {
    const Decoded bits = decode_all("rust_mysql_common/mysql_type_bit.000001");
    const auto rows = bits.rows();
    REQUIRE(rows.size() == 1);
    const Image& row = rows[0]->after.at(0);
    CHECK(hex(row.at(0).bytes) == "04");  // b'100'
    CHECK(row[0].value.bits == 3);
    CHECK(row.at(1).text == "foo");
    CHECK(hex(row.at(2).bytes) == "20");  // b'00100000'
    CHECK(row[2].value.bits == 8);
  }
  SECTION("time_issue: a negative TIME beyond 24 hours") {
    const Decoded issue = decode_all("rust_mysql_common/time_issue.000001");
    const auto rows = issue.rows();
    REQUIRE(rows.size() == 1);
    CHECK(texts(rows[0]->after.at(0)) == Texts{"-507:48:27"});
  }
  SECTION("minimal_row_metadata: SIGNEDNESS makes 3230202323 unsigned") {
    const Decoded minimal = decode_all("rust_mysql_common/minimal_row_metadata.000001");
    const auto rows = minimal.rows();
    REQUIRE(rows.size() == 1);
    const TableMapEvent& t = rows[0]->table;
    REQUIRE(t.columns.size() == 5);
    CHECK(t.columns[2].charset == 255u);  // utf8mb4_0900_ai_ci; column 2 counting from 0
    CHECK(t.columns[4].is_unsigned == true);
    const Image& row = rows[0]->after.at(0);
    CHECK(row[4].value.kind == ValueKind::unsigned_int);
    CHECK(row[4].text == "3230202323");
  }
  SECTION("vector: VECTOR(3), VECTOR(2) and VECTOR(4) as little-endian float32") {
    const Decoded d = decode_all("rust_mysql_common/vector.binlog");
    const auto rows = d.rows();
    REQUIRE(rows.size() >= 2);
    CHECK(rows[0]->table.table == "foo");
    CHECK(rows[0]->table.columns.at(1).name == "vector_column");
    CHECK(rows[0]->table.columns.at(1).type == ColumnType::MYSQL_TYPE_VECTOR);
    REQUIRE(rows[0]->after.size() == 2);
    CHECK(rows[0]->after[0].at(1).value.kind == ValueKind::vector);
    CHECK(hex(rows[0]->after[0].at(1).bytes) == "CDCC8C3FCDCC0C4033335340");  // [1.1, 2.2, 3.3]
    CHECK(hex(rows[0]->after[1].at(1).bytes) == "0000803F000080BF00000000");  // [1, -1, 0]
    CHECK(rows[0]->after[0].at(0).text == "1");
    CHECK(rows[0]->after[1].at(0).text == "2");
    // bar: VECTOR(2), TEXT, VECTOR(4); the dimensions (VECTOR_DIMENSIONALITY [2, 4]) show in the
    // sizes.
    CHECK(rows[1]->table.table == "bar");
    CHECK(rows[1]->after.at(0).at(1).bytes.size() == 2 * 4);
    CHECK(rows[1]->after.at(0).at(3).bytes.size() == 4 * 4);
    CHECK(rows[1]->table.primary_key == std::vector<std::pair<uint32_t, uint32_t>>{{0, 0}});
  }
  SECTION(
      "json-opaque: opaque DATE, DATETIME, TIME and DECIMAL inside JSON, as MySQL prints them") {
    // Upstream asserts {"d":"123.456"} and {"e":"9.00"} in its own JSON value model; MySQL itself
    // prints opaque DECIMALs as numbers and temporal values as strings.
    const Decoded opaque = decode_all("rust_mysql_common/json-opaque.binlog");
    const auto rows = opaque.rows();
    Texts docs;
    for (const Rows* r : rows) docs.push_back(r->after.at(0).at(0).text);
    CHECK(docs == Texts{R"({"a": "base64:type15:VQ=="})", R"({"b": "2012-03-18"})",
                        R"({"c": "2012-03-18 11:30:45.000000"})", R"({"c": "87:31:46.654321"})",
                        R"({"d": 123.456})", R"({"e": 9.00})", R"({"e": [0, 1, true, false]})",
                        R"({"e": null})"});
    CHECK(rows.at(0)->table.columns.at(0).name == "a");
  }
  SECTION("json.binlog: inserts, a full update, then a PARTIAL_UPDATE_ROWS replacing $.age") {
    const Decoded d = decode_all("rust_mysql_common/json.binlog.000001");
    const auto rows = d.rows();
    REQUIRE(rows.size() == 6);
    const char* docs[] = {R"({"age": 24, "data": "xxxxxxxxxx", "name": "Joe"})",
                          R"({"age": 32, "data": "yyyyyyyyyy", "name": "Sue"})",
                          R"({"age": 40, "data": "zzzzzzzzzz", "name": "Pete"})"};
    Texts inserted;
    for (size_t i = 0; i < 4; ++i) {
      for (const auto& image : rows[i]->after) inserted.push_back(texts(image).at(1));
    }
    CHECK(inserted == Texts{docs[0], docs[1], docs[2], docs[0], docs[1], docs[2]});
    const Rows& full = *rows[4];
    CHECK(full.kind == RowsKind::update);
    REQUIRE(full.after.size() == 6);
    CHECK(texts(full.before[0]) == Texts{"1", docs[0], "Joe", "24"});
    CHECK(texts(full.after[0]) ==
          Texts{"1", R"({"age": 25, "data": "xxxxxxxxxx", "name": "Joe"})", "Joe", "25"});
    CHECK(texts(full.after[2]) ==
          Texts{"3", R"({"age": 41, "data": "zzzzzzzzzz", "name": "Pete"})", "Pete", "41"});

    const Rows& partial = *rows[5];
    CHECK(d.of_type(EventType::PARTIAL_UPDATE_ROWS_EVENT).size() == 1);
    CHECK(partial.kind == RowsKind::partial_update);
    REQUIRE(partial.after.size() == 6);
    const char* names[] = {"Joe", "Sue", "Pete", "Joe", "Sue", "Pete"};
    const int ages[] = {26, 34, 42, 26, 34, 42};
    for (size_t i = 0; i < 6; ++i) {
      INFO("row " << i + 1);
      // MINIMAL before image: the primary key only.
      CHECK(texts(partial.before[i]) ==
            Texts{std::to_string(i + 1), "<absent>", "<absent>", "<absent>"});
      const Image& after = partial.after[i];
      CHECK(after.at(0).present == false);
      CHECK(after.at(1).value.kind == ValueKind::json_diff);
      // One diff: REPLACE (0), path "$.age", then the value: int16 (5) `age`.
      const std::vector<uint8_t> diff = {
          0, 5, '$', '.', 'a', 'g', 'e', 3, 5, static_cast<uint8_t>(ages[i]), 0};
      CHECK(hex(after[1].bytes) == hex(diff));
      CHECK_THAT(after[1].text,
                 Catch::Contains("'$.age'") && Catch::Contains(std::to_string(ages[i])));
      CHECK(after.at(2).text == names[i]);
      CHECK(after.at(3).text == std::to_string(ages[i]));
    }
  }
  SECTION("binlog-invisible-columns: every optional metadata field, visibility included") {
    const Decoded invisible = decode_all("rust_mysql_common/binlog-invisible-columns.000001");
    const auto maps = invisible.of_type(EventType::TABLE_MAP_EVENT);
    REQUIRE(!maps.empty());
    const TableMapEvent& t = body<TableMapEvent>(maps[0]);
    REQUIRE(t.columns.size() == 6);
    Texts names;
    std::vector<bool> visible;
    for (const auto& c : t.columns) {
      names.push_back(c.name);
      visible.push_back(c.visible.value_or(true));
    }
    CHECK(names == Texts{"f1", "f2", "f3", "f4", "f5", "f6"});
    CHECK(visible == std::vector<bool>{false, false, true, true, true, false});
    CHECK(t.columns[0].is_unsigned == true);
    CHECK(t.columns[2].is_unsigned == false);
    CHECK(t.columns[5].is_unsigned == true);
  }
}

TEST_CASE("fixtures: tagged and untagged GTID sets of MySQL 8.0.40 and 9.6", "[binlog][fixtures]") {
  if (!have_fixtures()) return;
  const Decoded tagged = decode_all("rust_mysql_common/binlog_transaction_with_GTID_TAG.000001");
  const auto& prev =
      body<PreviousGtidsEvent>(tagged.of_type(EventType::PREVIOUS_GTIDS_LOG_EVENT).at(0));
  REQUIRE(prev.sets.size() == 2);
  CHECK(prev.sets[0].sid.str() == "55778904-0299-11f1-b1b8-4ef0c4956feb");
  CHECK(prev.sets[0].tag.empty());
  REQUIRE(prev.sets[0].intervals.size() == 1);
  CHECK(prev.sets[0].intervals[0].start == 1);
  CHECK(prev.sets[0].intervals[0].end == 14);
  CHECK(prev.sets[1].sid.str() == "55778904-0299-11f1-b1b8-4ef0c4956feb");
  CHECK(prev.sets[1].tag == "mytag");
  REQUIRE(prev.sets[1].intervals.size() == 1);
  CHECK(prev.sets[1].intervals[0].start == 1);
  CHECK(prev.sets[1].intervals[0].end == 3);
  const auto& gtid = body<GtidEvent>(tagged.of_type(EventType::GTID_TAGGED_LOG_EVENT).at(0));
  CHECK(gtid.tag == "mytag");
  CHECK(gtid.gno == 3);
  CHECK(gtid.gtid() == "55778904-0299-11f1-b1b8-4ef0c4956feb:mytag:3");
  const auto rows = tagged.rows();
  REQUIRE(rows.size() == 1);
  CHECK(rows[0]->table.table == "orders");
  CHECK(column_types(rows[0]->table) == std::vector<ColumnType>{ColumnType::MYSQL_TYPE_LONG,
                                                                ColumnType::MYSQL_TYPE_LONG,
                                                                ColumnType::MYSQL_TYPE_NEWDECIMAL});
  CHECK(texts(rows[0]->after.at(0)) == Texts{"3", "100", "250.00"});

  const Decoded untagged =
      decode_all("rust_mysql_common/binlog_transaction_previous_GTID_no_tag.000001");
  const auto& p =
      body<PreviousGtidsEvent>(untagged.of_type(EventType::PREVIOUS_GTIDS_LOG_EVENT).at(0));
  REQUIRE(p.sets.size() == 1);
  CHECK(p.sets[0].sid.str() == "b9b88c66-0755-11f1-9899-4a9da94c4d71");
  CHECK(p.sets[0].tag.empty());
  REQUIRE(p.sets[0].intervals.size() == 1);
  CHECK(p.sets[0].intervals[0].start == 1);
  CHECK(p.sets[0].intervals[0].end == 3);
}

TEST_CASE("fixtures: transaction_compression's payload holds BEGIN, TABLE_MAP, WRITE_ROWS, XID",
          "[binlog][fixtures]") {
  if (!have_fixtures()) return;
  const Decoded d = decode_all("rust_mysql_common/transaction_compression.000001");
  std::vector<EventType> inner;
  for (const auto& r : d.records) {
    if (r.in_payload) inner.push_back(r.header.type);
  }
  CHECK(inner == std::vector<EventType>{EventType::QUERY_EVENT, EventType::TABLE_MAP_EVENT,
                                        EventType::WRITE_ROWS_EVENT, EventType::XID_EVENT});
  const auto& payload =
      body<TransactionPayloadEvent>(d.of_type(EventType::TRANSACTION_PAYLOAD_EVENT).at(0));
  CHECK(payload.inner_events == 4);
  CHECK(payload.uncompressed_size == 179);
  CHECK(body<QueryEvent>(d.of_type(EventType::QUERY_EVENT).at(0)).query == "BEGIN");
  CHECK(texts(d.rows().at(0)->after.at(0)) == Texts{"1"});
  CHECK(body<XidEvent>(d.of_type(EventType::XID_EVENT).at(0)).xid == 462);
}

TEST_CASE("fixtures: MariaDB 10.5 FULL metadata and ANNOTATE_ROWS (mariadb-bin.000001)",
          "[binlog][fixtures]") {
  if (!have_fixtures()) return;
  const Decoded d = decode_all("rust_mysql_common/mariadb-bin.000001");
  CHECK(body<FormatDescriptionEvent>(&d.records.at(0)).mariadb);
  const auto maps = d.of_type(EventType::TABLE_MAP_EVENT);
  REQUIRE(maps.size() == 2);
  const TableMapEvent& t = body<TableMapEvent>(maps[0]);
  CHECK(t.database == "toddy_test");
  CHECK(t.table == "outbox");
  Texts names;
  std::vector<std::optional<uint32_t>> charsets;
  for (const auto& c : t.columns) {
    names.push_back(c.name);
    charsets.push_back(c.charset);
  }
  CHECK(names == Texts{"id", "topic", "event_type", "event", "created"});
  // UNKNOWN, utf8mb4_general_ci (45), utf8mb4_general_ci, binary (63), UNKNOWN
  CHECK(charsets ==
        std::vector<std::optional<uint32_t>>{std::nullopt, 45u, 45u, 63u, std::nullopt});
  CHECK(t.primary_key == std::vector<std::pair<uint32_t, uint32_t>>{{0, 0}});
  CHECK(t.columns[2].enum_values == Texts{"BLOB", "JSON", "PROTOBUF"});
  for (const auto* a : d.of_type(EventType::ANNOTATE_ROWS_EVENT)) {
    CHECK(body<AnnotateRowsEvent>(a).query ==
          R"(insert into outbox (topic, event_type, event) values ('foo', 'JSON', '{"foo":1}'))");
  }
  const auto rows = d.rows();
  REQUIRE(rows.size() == 2);
  CHECK(texts(rows[0]->after.at(0)) ==
        Texts{"62", "foo", "JSON", R"({"foo":1})", "2022-04-20 22:18:04"});
  CHECK(texts(rows[1]->after.at(0)) ==
        Texts{"63", "foo", "JSON", R"({"foo":1})", "2022-04-20 22:19:55"});
  Texts gtids;
  for (const auto* g : d.of_type(EventType::GTID_EVENT))
    gtids.push_back(body<MariaGtidEvent>(g).gtid(g->header.server_id));
  CHECK(gtids == Texts{"0-1-1", "0-1-2"});
  CHECK(body<GtidListEvent>(d.of_type(EventType::GTID_LIST_EVENT).at(0)).gtids.empty());
  CHECK(body<BinlogCheckpointEvent>(d.of_type(EventType::BINLOG_CHECKPOINT_EVENT).at(0)).file ==
        "mariadb-bin.000001");
}

TEST_CASE("fixtures: mysql-cdc-rs, one MySQL 5.7 or 8.x file per event type",
          "[binlog][fixtures]") {
  if (!have_fixtures()) return;
  const std::string v57 = "mysql-cdc-rs/5.7/";
  SECTION("ROTATE, INTVAR, RAND, USER_VAR, FORMAT_DESCRIPTION, XID") {
    const Decoded rotate_file = decode_all(v57 + "04_rotate/log.bin");
    const auto& rotate = body<RotateEvent>(rotate_file.of_type(EventType::ROTATE_EVENT).at(0));
    CHECK(rotate.next_file == "mysql_bin.000002");
    CHECK(rotate.position == 4);
    const Decoded intvar_file = decode_all(v57 + "05_intvar/log.bin");
    const auto& intvar = body<IntvarEvent>(intvar_file.of_type(EventType::INTVAR_EVENT).at(0));
    CHECK(intvar.type == 1);  // LAST_INSERT_ID
    CHECK(intvar.value == 0);
    const Decoded rand_file = decode_all(v57 + "13_rand/log.bin");
    const auto& rand = body<RandEvent>(rand_file.of_type(EventType::RAND_EVENT).at(0));
    CHECK(rand.seed1 == 694882935);
    CHECK(rand.seed2 == 292094996);
    const Decoded user_var_file = decode_all(v57 + "14_user_var/log.bin");
    const auto vars = user_var_file.of_type(EventType::USER_VAR_EVENT);
    REQUIRE(vars.size() == 3);
    const UserVarEvent& s = body<UserVarEvent>(vars[0]);
    const UserVarEvent& i = body<UserVarEvent>(vars[1]);
    const UserVarEvent& dec = body<UserVarEvent>(vars[2]);
    CHECK((s.name == "val_s" && s.type == 0 && s.charset == 33 && s.value == "test blog"));
    CHECK((i.name == "val_i" && i.type == 2 && i.charset == 33 && !i.is_null));
    CHECK(i.value == std::string("\x64\0\0\0\0\0\0\0", 8));
    CHECK((dec.name == "val_d" && dec.type == 4 && dec.charset == 33 && !dec.is_null));
    const Decoded fd = decode_all(v57 + "15_format_desc/log.bin");
    CHECK(fd.records.size() == 3);
    const auto& fde = body<FormatDescriptionEvent>(&fd.records.at(0));
    CHECK(fde.binlog_version == 4);
    CHECK(fde.server_version == "5.7.30-log");
    CHECK(fde.create_timestamp == 1596175634);
    const Decoded xid_file = decode_all(v57 + "16_xid/log.bin");
    CHECK(body<XidEvent>(xid_file.of_type(EventType::XID_EVENT).at(0)).xid == 41);
  }
  SECTION("TABLE_MAP, ROWS_QUERY and v2 rows") {
    const Decoded map_file = decode_all(v57 + "19_table_map/log.bin");
    const auto& map = body<TableMapEvent>(map_file.of_type(EventType::TABLE_MAP_EVENT).at(0));
    CHECK(map.table_id == 110);
    CHECK(map.table == "boxercrab");
    CHECK(map.flags == 1);
    CHECK(column_types(map) ==
          std::vector<ColumnType>{ColumnType::MYSQL_TYPE_LONG, ColumnType::MYSQL_TYPE_VARCHAR});
    CHECK(map.columns[0].metadata == 0);
    CHECK(map.columns[1].metadata == 160);
    const Decoded query_file = decode_all(v57 + "29_row_query/log.bin");
    const auto& query =
        body<RowsQueryEvent>(query_file.of_type(EventType::ROWS_QUERY_LOG_EVENT).at(0));
    CHECK(query.query == "INSERT INTO `boxercrab` (`title`) VALUES ('hahhhhhhhhh')");
    const Decoded write_file = decode_all(v57 + "30_write_rows_v2/log.bin");
    const auto write = write_file.rows();
    REQUIRE(write.size() == 1);
    CHECK(write[0]->table_id == 111);
    CHECK(write[0]->table.columns.size() == 2);
    const Decoded update_file = decode_all(v57 + "31_update_rows_v2/log.bin");
    const auto update = update_file.rows();
    REQUIRE(update.size() == 1);
    CHECK(update[0]->table_id == 208);
    CHECK(texts(update[0]->before.at(0)) ==
          Texts{"1", "abc", "abc", "abc", "abc", "abc", "1", "2", "3.0000"});
    CHECK(texts(update[0]->after.at(0)) ==
          Texts{"1", "xd", "xd", "xd", "xd", "xd", "4", "4", "4.0000"});
    const Decoded delete_file = decode_all(v57 + "32_delete_rows_v2/log.bin");
    const auto erase = delete_file.rows();
    REQUIRE(erase.size() == 2);
    CHECK(erase[1]->kind == RowsKind::erase);
    CHECK(erase[1]->table_id == 112);
    CHECK(erase[1]->table.columns.size() == 2);
  }
  SECTION("GTID, ANONYMOUS_GTID and an empty PREVIOUS_GTIDS") {
    const Decoded g = decode_all(v57 + "33_35_gtid_prev_gtid/log.bin");
    CHECK(body<PreviousGtidsEvent>(g.of_type(EventType::PREVIOUS_GTIDS_LOG_EVENT).at(0))
              .sets.empty());
    const auto& gtid = body<GtidEvent>(g.of_type(EventType::GTID_LOG_EVENT).at(0));
    CHECK(gtid.gtid() == "80549ecc-d2f2-11ea-b790-0242ac130002:1");
    CHECK(gtid.flags == 1);           // commit flag
    CHECK(gtid.last_committed == 0);  // present: logical timestamps (lt_type 2)
    CHECK(gtid.sequence_number == 1);
    const Decoded a = decode_all(v57 + "34_anonymous_gtid/log.bin");
    const auto& anon = body<GtidEvent>(a.of_type(EventType::ANONYMOUS_GTID_LOG_EVENT).at(0));
    CHECK(anon.anonymous);
    CHECK(anon.gtid() == "ANONYMOUS");
    CHECK(anon.flags == 1);
    CHECK(anon.last_committed == 0);
    CHECK(anon.sequence_number == 1);
  }
  SECTION("MySQL 8.2: integers of every width, written, updated and deleted") {
    const Decoded written_file =
        decode_all("mysql-cdc-rs/8.0/19_30_Table_map_event_Write_rows_log_event/binlog.000018");
    const auto written = written_file.rows();
    REQUIRE(written.size() == 1);
    CHECK(written[0]->table_id == 90);
    CHECK(written[0]->table.table == "int_table");
    CHECK(written[0]->table.flags == 1);
    for (const auto& c : written[0]->table.columns) CHECK(c.metadata == 0);
    CHECK(texts(written[0]->after.at(0)) == Texts{"1", "11", "111", "1111", "11111", "1"});
    const Decoded updated_file = decode_all("mysql-cdc-rs/8.0/31_update_rows_v2/binlog.000001");
    const auto updated = updated_file.rows();
    REQUIRE(updated.size() == 2);
    CHECK(updated[1]->table_id == 91);
    CHECK(texts(updated[1]->before.at(0)) == Texts{"1", "11", "111", "1111", "11111", "1"});
    CHECK(texts(updated[1]->after.at(0)) == Texts{"1", "22", "222", "1111", "11111", "1"});
    const Decoded deleted_file = decode_all("mysql-cdc-rs/8.0/32_delete_rows_v2/binlog.000001");
    const auto deleted = deleted_file.rows();
    REQUIRE(deleted.size() == 3);
    CHECK(deleted[2]->kind == RowsKind::erase);
    CHECK(deleted[2]->table_id == 91);
    CHECK(texts(deleted[2]->before.at(0)) == Texts{"1", "22", "222", "1111", "11111", "1"});
    // Fed in pieces upstream; read whole here, the end must still be 7843.
    CHECK(decode_all("mysql-cdc-rs/8.0/02_query_bigger/binlog.000733").end == 7843);
  }
}

namespace {

// zongji's capture_types row 1 (MANIFEST.md §2.12), as MySQL's text protocol returns it (UTF-8
// after conversion for the text columns); JSON as MySQL prints it, keys in stored order.
const Texts kCaptureRow = {
    "1",
    "9223372036854775807",
    "18446744073709551615",
    "-12345678901234567.0123456789",
    "héllo wörld",
    "abc",
    "\xde\xad\xbe\xef",
    "\x01\x02",
    "text value",
    "\xca\xfe",
    "1.25",
    "-2.5",
    "2024-06-15 12:34:56.789",
    "2024-06-15 12:34:56",
    "2024-06-15",
    "-01:02:03.500",
    "2024",
    "b",
    "c'd",
    "x,z",
    "\x02\x01",
    R"({"a": 1, "d": 1.5, "arr": ["x", true, null], "big": 9223372036854775807})",
    std::string("\0\0\0\0\x01\x01\0\0\0\0\0\0\0\0\0\xf0\x3f\0\0\0\0\0\0\0\x40", 25),
    "café ñ",
    "Ÿ€ señor",
    "héllo"};

// Text columns (by index) whose values are compared after conversion to UTF-8.
bool is_text_column(size_t i) {
  return i == 4 || i == 5 || i == 8 || i >= 23;
}

Texts utf8_texts(const Image& image, const TableMapEvent& t) {
  Texts out = texts(image);
  for (size_t i = 0; i < out.size(); ++i) {
    if (is_text_column(i) && image[i].present && !image[i].value.is_null())
      out[i] = utf8(image[i], t.columns.at(i));
  }
  return out;
}

// The first WRITE, the UPDATE, the DELETE and the all-NULL WRITE of the zongji captures.
void check_capture_rows(const Decoded& d, bool noblob) {
  const auto rows = d.rows();
  REQUIRE(rows.size() == 4);
  CHECK(rows[0]->kind == RowsKind::write);
  CHECK(rows[1]->kind == RowsKind::update);
  CHECK(rows[2]->kind == RowsKind::erase);
  CHECK(rows[3]->kind == RowsKind::write);
  const TableMapEvent& t = rows[0]->table;
  CHECK(t.table == "capture_types");
  CHECK(utf8_texts(rows[0]->after.at(0), t) == kCaptureRow);
  CHECK(rows[0]->after[0][13].value.u == 1718454896);  // ts, seconds since the epoch

  Texts before = kCaptureRow;
  Texts after = kCaptureRow;
  after[0] = "2";
  after[4] = "updated";
  if (noblob) {  // NOBLOB: txt, blb and txt_latin1 are left out of both images
    for (const size_t i : {size_t{8}, size_t{9}, size_t{23}}) before[i] = after[i] = "<absent>";
  }
  CHECK(utf8_texts(rows[1]->before.at(0), t) == before);
  CHECK(utf8_texts(rows[1]->after.at(0), t) == after);
  CHECK(rows[2]->before.at(0).at(0).text == "2");
  Texts nulls(26, "NULL");
  nulls[0] = "3";
  if (noblob) {  // nor are NULL BLOB and TEXT columns in a NOBLOB insert
    for (const size_t i : {size_t{8}, size_t{9}, size_t{23}}) nulls[i] = "<absent>";
  }
  CHECK(texts(rows[3]->after.at(0)) == nulls);
}

}  // namespace

TEST_CASE("fixtures: zongji MySQL 8.4 captures, MINIMAL and FULL metadata, FULL and NOBLOB images",
          "[binlog][fixtures]") {
  if (!have_fixtures()) return;
  SECTION("MINIMAL metadata: signedness and charsets, no names or ENUM/SET strings") {
    const Decoded d = decode_all("zongji/binlog-mysql84.binlog");
    const auto rows = d.rows();
    REQUIRE(rows.size() == 4);
    const TableMapEvent& t = rows[0]->table;
    CHECK(!t.has_column_names);
    CHECK(t.columns.at(2).is_unsigned == true);
    CHECK(t.columns.at(1).is_unsigned == false);
    Texts row = utf8_texts(rows[0]->after.at(0), t);
    Texts expected = kCaptureRow;
    expected[17] = "2";  // ENUM index of 'b'
    expected[18] = "2";  // ENUM index of 'c''d'
    expected[19] = "5";  // SET bits of 'x,z'
    CHECK(row == expected);
    const Decoded next = decode_all("zongji/binlog-mysql84.next.binlog");
    std::vector<EventType> types = d.types();
    for (const auto type : next.types()) types.push_back(type);
    using E = EventType;
    std::vector<EventType> summary = {E::FORMAT_DESCRIPTION_EVENT, E::GTID_LOG_EVENT,
                                      E::QUERY_EVENT};
    for (const auto rows_type :
         {E::WRITE_ROWS_EVENT, E::UPDATE_ROWS_EVENT, E::DELETE_ROWS_EVENT, E::WRITE_ROWS_EVENT}) {
      for (const auto type :
           {E::GTID_LOG_EVENT, E::QUERY_EVENT, E::TABLE_MAP_EVENT, rows_type, E::XID_EVENT}) {
        summary.push_back(type);
      }
    }
    for (const auto type :
         {E::ROTATE_EVENT, E::FORMAT_DESCRIPTION_EVENT, E::PREVIOUS_GTIDS_LOG_EVENT})
      summary.push_back(type);
    CHECK(types == summary);
  }
  SECTION("FULL metadata, FULL image") {
    const Decoded d = decode_all("zongji/binlog-mysql84-fullmeta.binlog");
    check_capture_rows(d, false);
    const TableMapEvent& t = d.rows().at(0)->table;
    REQUIRE(t.columns.size() == 26);
    Texts names;
    for (const auto& c : t.columns) names.push_back(c.name);
    CHECK(names == Texts{"id", "i_big", "u_big",      "dec_col",   "vc",     "ch", "bin_col",
                         "vb", "txt",   "blb",        "flt",       "dbl",    "dt", "ts",
                         "d",  "t",     "y",          "e",         "e2",     "s",  "bt",
                         "js", "geo",   "txt_latin1", "vc_latin1", "vc_ucs2"});
    using C = ColumnType;
    CHECK(column_types(t) ==
          std::vector<ColumnType>{
              C::MYSQL_TYPE_LONG,       C::MYSQL_TYPE_LONGLONG,   C::MYSQL_TYPE_LONGLONG,
              C::MYSQL_TYPE_NEWDECIMAL, C::MYSQL_TYPE_VARCHAR,    C::MYSQL_TYPE_STRING,
              C::MYSQL_TYPE_STRING,     C::MYSQL_TYPE_VARCHAR,    C::MYSQL_TYPE_BLOB,
              C::MYSQL_TYPE_BLOB,       C::MYSQL_TYPE_FLOAT,      C::MYSQL_TYPE_DOUBLE,
              C::MYSQL_TYPE_DATETIME2,  C::MYSQL_TYPE_TIMESTAMP2, C::MYSQL_TYPE_DATE,
              C::MYSQL_TYPE_TIME2,      C::MYSQL_TYPE_YEAR,       C::MYSQL_TYPE_STRING,
              C::MYSQL_TYPE_STRING,     C::MYSQL_TYPE_STRING,     C::MYSQL_TYPE_BIT,
              C::MYSQL_TYPE_JSON,       C::MYSQL_TYPE_GEOMETRY,   C::MYSQL_TYPE_BLOB,
              C::MYSQL_TYPE_VARCHAR,    C::MYSQL_TYPE_VARCHAR});
    CHECK(t.columns[17].real_type == C::MYSQL_TYPE_ENUM);
    CHECK(t.columns[19].real_type == C::MYSQL_TYPE_SET);
    CHECK(t.columns[3].metadata == (30 << 8 | 10));  // DECIMAL(30,10)
    CHECK(t.columns[4].max_length == 80);            // VARCHAR(20) utf8mb4
    CHECK(t.columns[7].max_length == 8);             // VARBINARY(8)
    CHECK(t.columns[20].metadata == (1 << 8 | 2));   // BIT(10)
    CHECK(t.columns[12].metadata == 3);              // DATETIME(3)
    CHECK(t.columns[17].enum_values == Texts{"a", "b", "c"});
    CHECK(t.columns[18].enum_values == Texts{"a,b", "c'd", "plain"});
    CHECK(t.columns[19].set_values == Texts{"x", "y", "z"});
    CHECK(t.primary_key == std::vector<std::pair<uint32_t, uint32_t>>{{0, 0}});
    std::vector<std::optional<uint32_t>> charsets;
    for (const auto& c : t.columns) {
      CHECK(c.visible.value_or(false));
      charsets.push_back(c.charset);
    }
    CHECK(charsets[4] == 255u);
    CHECK(charsets[6] == 63u);
    CHECK(charsets[8] == 255u);
    CHECK(charsets[9] == 63u);
    CHECK(charsets[17] == 255u);
    CHECK(charsets[23] == 8u);
    CHECK(charsets[24] == 8u);
    CHECK(charsets[25] == 35u);  // ucs2_general_ci
    for (size_t i = 0; i < t.columns.size(); ++i) {
      INFO("column " << t.columns[i].name);
      if (t.columns[i].is_unsigned) CHECK(*t.columns[i].is_unsigned == (i == 2));
    }
    CHECK(t.columns[2].is_unsigned == true);
    CHECK(t.columns[22].geometry_type == 0u);  // GEOMETRY
  }
  SECTION("FULL metadata, NOBLOB image, ROWS_QUERY") {
    const Decoded d = decode_all("zongji/binlog-mysql84-fullmeta-noblob.binlog");
    check_capture_rows(d, true);
    const auto queries = d.of_type(EventType::ROWS_QUERY_LOG_EVENT);
    REQUIRE(queries.size() == 1);
    CHECK(body<RowsQueryEvent>(queries[0]).query == "INSERT INTO capture_types (id) VALUES (3)");
    const auto types = d.types();
    const auto at = std::find(types.begin(), types.end(), EventType::ROWS_QUERY_LOG_EVENT);
    REQUIRE(at + 1 != types.end());
    CHECK(*(at + 1) == EventType::TABLE_MAP_EVENT);
  }
}

TEST_CASE("fixtures: zongji MariaDB 11.8 capture up to the hires table", "[binlog][fixtures]") {
  if (!have_fixtures()) return;
  // Without the catalog the file stops at capture_hires; see the hires test cases below.
  const Decoded d = decode("zongji/binlog-mariadb118.binlog");
  const auto rows = d.rows();
  REQUIRE(rows.size() >= 6);
  const TableMapEvent& t = rows[0]->table;
  CHECK(t.table == "capture_types");
  Texts expected = kCaptureRow;
  expected[17] = "2";
  expected[18] = "2";
  expected[19] = "5";
  expected[21] =
      R"({"a": 1, "big": 9223372036854775807, "arr": ["x", true, null], "d": 1.5})";  // LONGTEXT
  CHECK(t.columns.at(25).charset == 2560u);  // ucs2_uca1400_ai_ci, a MariaDB 11 collation id
  CHECK(utf8_texts(rows[0]->after.at(0), t) == expected);
  CHECK(rows[1]->kind == RowsKind::update);
  CHECK(rows[1]->before.at(0).at(4).text == "héllo wörld");
  CHECK(rows[1]->after.at(0).at(0).text == "2");
  CHECK(rows[1]->after.at(0).at(4).text == "updated");
  CHECK(rows[2]->kind == RowsKind::erase);
  CHECK(rows[2]->before.at(0).at(0).text == "2");
  CHECK(rows[3]->after.at(0).at(0).text == "3");
  CHECK(rows[3]->after.at(0).at(1).value.is_null());

  // capture_mariadb: UUID, INET4 and INET6 are BINARY(16), BINARY(4) and BINARY(16) in the binlog;
  // printed as MariaDB prints them once the catalog says what they are.
  const Rows& m = *rows[4];
  CHECK(m.table.table == "capture_mariadb");
  const Image& row1 = m.after.at(0);
  auto as = [&](const Cell& c, size_t column, FixedBinaryType fbt) {
    ColumnInfo info = m.table.columns.at(column);
    info.mariadb_fbt = fbt;
    std::string out;
    append_text(c.get(), info, out);
    return out;
  };
  CHECK(as(row1.at(1), 1, FixedBinaryType::uuid) == "11111111-2222-3333-4444-555555555555");
  CHECK(as(row1.at(2), 2, FixedBinaryType::inet4) == "192.168.1.10");
  CHECK(as(row1.at(3), 3, FixedBinaryType::inet6) == "::ffff:8.8.8.8");
  CHECK(hex(row1.at(4).bytes) == "0000C03F0000204000006040");  // VECTOR(3) [1.5, 2.5, 3.5]
  CHECK(row1.at(5).text == R"({"a": 1})");
  CHECK(row1.at(6).text == repeat("squash-", 30));
  CHECK(utf8(row1.at(7), m.table.columns.at(7)) == "café latin one");
  const Image& row2 = rows[5]->after.at(0);
  CHECK(row2.at(0).text == "2");
  CHECK(as(row2.at(3), 3, FixedBinaryType::inet6) == "::");

  // GTIDs: the DDL is standalone with the DDL flag, the rest are transactional, seq_no increasing.
  const auto gtids = d.of_type(EventType::GTID_EVENT);
  REQUIRE(gtids.size() >= 8);
  uint64_t last = 0;
  for (const auto* g : gtids) {
    const auto& e = body<MariaGtidEvent>(g);
    CHECK(e.seq_no > last);
    last = e.seq_no;
  }
  const auto& ddl = body<MariaGtidEvent>(gtids[0]);
  CHECK(ddl.gtid(gtids[0]->header.server_id) == "0-1-6");
  CHECK(ddl.standalone());
  CHECK((ddl.flags2 & 0x20) != 0);  // FL_DDL
  CHECK(!body<MariaGtidEvent>(gtids[1]).standalone());
  // MariaDB 11: events inside a transaction have end_log_pos 0.
  for (const auto* a : d.of_type(EventType::ANNOTATE_ROWS_EVENT)) CHECK(a->header.log_pos == 0);
  for (const auto* a : d.of_type(EventType::TABLE_MAP_EVENT)) CHECK(a->header.log_pos == 0);

  const Decoded next = decode_all("zongji/binlog-mariadb118.next.binlog");
  CHECK(next.of_type(EventType::GTID_LIST_EVENT).size() == 1);
  const auto checkpoints = next.of_type(EventType::BINLOG_CHECKPOINT_EVENT);
  REQUIRE(checkpoints.size() == 2);
  for (const auto* c : checkpoints)
    CHECK_THAT(body<BinlogCheckpointEvent>(c).file, Catch::Matches("mysql-bin\\.[0-9]{6}"));
  CHECK(next.end == 385);
}

TEST_CASE("fixtures: mariadb-poc GTIDs, GTID_LIST and how each file ends", "[binlog][fixtures]") {
  if (!have_fixtures()) return;
  const struct {
    const char* file;
    uint64_t size;
    uint32_t first_ts, last_ts;  // 0: not checked
    const char* gtid_list;
    const char* first_gtid;
    const char* last_gtid;
    size_t gtids;
    EventType last;
  } kFiles[] = {
      {"domain_id_0/mariadb-repl-bin.000001", 358, 1767101638, 1767127977, "", "", "", 0,
       EventType::STOP_EVENT},
      {"domain_id_0/mariadb-repl-bin.000007", 53814, 1767128186, 1767128187, "0-10-262733",
       "0-10-262734", "0-10-262796", 63, EventType::ROTATE_EVENT},
      {"domain_id_0/mariadb-repl-bin.000009", 935, 1767173589, 1767181052, "0-10-292193",
       "0-10-292194", "0-10-292196", 3, EventType::STOP_EVENT},
      {"domain_id_0/mariadb-repl-bin.000010", 2210, 1767181182, 1767181241, "0-10-292196",
       "0-10-292197", "0-10-292206", 10, EventType::STOP_EVENT},
      {"domain_id_1/mariadb-repl-bin.000001", 358, 0, 0, "", "", "", 0, EventType::STOP_EVENT},
      {"domain_id_1/mariadb-repl-bin.000002", 2595, 0, 0, "", "1-10-1", "1-10-12", 12,
       EventType::ROTATE_EVENT},
  };
  for (const auto& f : kFiles) {
    INFO("fixture " << f.file);
    const Decoded d = decode_all(std::string("mariadb-poc/") + f.file);
    CHECK(d.end == f.size);
    if (f.first_ts != 0) {
      CHECK(d.records.front().header.timestamp == f.first_ts);
      CHECK(d.records.back().header.timestamp == f.last_ts);
    }
    CHECK(body<GtidListEvent>(d.of_type(EventType::GTID_LIST_EVENT).at(0)).str() == f.gtid_list);
    Texts gtids;
    for (const auto* g : d.of_type(EventType::GTID_EVENT))
      gtids.push_back(body<MariaGtidEvent>(g).gtid(g->header.server_id));
    CHECK(gtids.size() == f.gtids);
    if (!gtids.empty()) {
      CHECK(gtids.front() == f.first_gtid);
      CHECK(gtids.back() == f.last_gtid);
    }
    CHECK(d.records.back().header.type == f.last);
    CHECK(body<FormatDescriptionEvent>(&d.records.at(0)).server_version ==
          "11.8.5-MariaDB-ubu2404-log");
  }
}

TEST_CASE("fixtures: tiflow's MariaDB 10.0 GTIDs, GTID_LIST and BINLOG_CHECKPOINT",
          "[binlog][fixtures]") {
  if (!have_fixtures()) return;
  // Read up to the hires table (the rest needs the catalog, below): checksum OFF, GTIDs 0-1-1...
  const Decoded d = decode("tiflow/mysql-bin.000001");
  CHECK(body<FormatDescriptionEvent>(&d.records.at(0)).checksum ==
        ChecksumAlg::BINLOG_CHECKSUM_ALG_OFF);
  CHECK(body<GtidListEvent>(d.of_type(EventType::GTID_LIST_EVENT).at(0)).gtids.empty());
  CHECK(body<BinlogCheckpointEvent>(d.of_type(EventType::BINLOG_CHECKPOINT_EVENT).at(0)).file ==
        "mysql-bin.000001");
  const auto gtids = d.of_type(EventType::GTID_EVENT);
  REQUIRE(gtids.size() >= 8);
  const bool standalone[] = {false, true, true, true, true, true, true, false};
  for (size_t i = 0; i < 8; ++i) {
    const auto& g = body<MariaGtidEvent>(gtids[i]);
    CHECK(g.gtid(gtids[i]->header.server_id) == "0-1-" + std::to_string(i + 1));
    CHECK(g.standalone() == standalone[i]);
  }
  const auto maps = d.of_type(EventType::TABLE_MAP_EVENT);
  REQUIRE(!maps.empty());
  CHECK(body<TableMapEvent>(maps[0]).database == "mysql");
  CHECK(body<TableMapEvent>(maps[0]).table == "user");
}

TEST_CASE("fixtures: binlog dump prints json.binlog's PARTIAL_UPDATE_ROWS (MINIMAL image)",
          "[binlog][fixtures]") {
  if (!have_fixtures()) return;
  // The JSON diffs cannot be applied without their before image: they are printed as diffs.
  FileSource source({fixture("rust_mysql_common/json.binlog.000001")}, false);
  Decoder decoder("json.binlog.000001");
  RawEvent raw;
  std::vector<Event> events;
  std::string text, json;
  while (source.next(raw)) {
    events.clear();
    decoder.decode(raw.bytes, raw.position, events);
    for (const auto& e : events) {
      if (e.header.type != EventType::PARTIAL_UPDATE_ROWS_EVENT) continue;
      CHECK_NOTHROW(print_text(e, decoder, raw.file, text));
      CHECK_NOTHROW(print_json(e, decoder, raw.file, json));
    }
  }
  CHECK_THAT(text, Catch::Contains("$.age") && Catch::Contains("26") && Catch::Contains("42"));
  CHECK_THAT(json, Catch::Contains("$.age") && Catch::Contains("26") && Catch::Contains("42"));
}

// --- MariaDB 5.3 hires temporal columns: the precision comes from the catalog ----------------

// The schema of the tables with hires columns, as the catalog (information_schema) reports it.
std::optional<uint8_t> fixture_catalog(const TableMapEvent& t, size_t column) {
  // tiflow: steven.t is `d timestamp(3)` (its CREATE is in the file); t2 and t6 hold 2 fraction
  // bytes (precision 3 or 4) and t5 one (1 or 2); t1 and t3 are plain TIMESTAMP columns.
  if (t.database == "steven" && column == 1 &&
      (t.table == "t" || t.table == "t2" || t.table == "t6")) {
    return 3;
  }
  if (t.database == "steven" && column == 1 && t.table == "t5") return 2;
  if (t.table == "capture_hires" && column <= 2) return 3;  // dt3, t3, ts3
  return std::nullopt;
}

TEST_CASE("MariaDB hires columns without a precision stop with an error saying so",
          "[binlog][fixtures]") {
  if (!have_fixtures()) return;
  for (const char* file : kPending) {
    INFO("fixture " << file);
    const Decoded d = decode(file);
    REQUIRE(d.error);
    CHECK_THAT(*d.error, Catch::Contains("at position") &&
                             Catch::Contains("binlog does not carry") &&
                             Catch::Contains("mysql56_temporal_format=ON"));
  }
}

TEST_CASE("MariaDB hires columns decode exactly with the catalog's precision",
          "[binlog][fixtures]") {
  if (!have_fixtures()) return;
  const Decoded tiflow = decode_path(fixture("tiflow/mysql-bin.000001"), true, fixture_catalog);
  CHECK(tiflow.error.value_or("") == "");
  CHECK(tiflow.end == fs::file_size(fixture("tiflow/mysql-bin.000001")));
  CHECK(tiflow.of_type(EventType::GTID_EVENT).size() == 20);
  const auto rows = tiflow.rows();
  const auto t =
      std::find_if(rows.begin(), rows.end(), [](const Rows* r) { return r->table.table == "t"; });
  REQUIRE(t != rows.end());
  CHECK(texts((*t)->after.at(0)) == Texts{"1", "2022-05-16 14:53:10.000"});

  const Decoded maria =
      decode_path(fixture("zongji/binlog-mariadb118.binlog"), true, fixture_catalog);
  CHECK(maria.error.value_or("") == "");
  const auto mrows = maria.rows();
  const auto hires = std::find_if(mrows.begin(), mrows.end(),
                                  [](const Rows* r) { return r->table.table == "capture_hires"; });
  REQUIRE(hires != mrows.end());
  CHECK(texts((*hires)->after.at(0)) ==
        Texts{"2024-06-15 12:34:56.789", "-01:02:03.500", "2024-06-15 12:34:56.789"});
  // The last row comes from the WRITE_ROWS_COMPRESSED_EVENT_V1 (type 166).
  REQUIRE(maria.of_type(EventType::WRITE_ROWS_COMPRESSED_EVENT_V1).size() == 1);
  const Rows* last = mrows.back();
  CHECK(last->table.table == "capture_mariadb");
  CHECK(last->after.at(0).at(0).text == "3");
  CHECK(last->after.at(0).at(6).text == repeat("flat-", 40));

  // mysql_com.h: MYSQL_TYPE_BLOB_COMPRESSED = 140, MYSQL_TYPE_VARCHAR_COMPRESSED = 141. vc_comp
  // (VARCHAR(300) COMPRESSED, 2-byte metadata 1201) is logged as 141, txt_comp as 140.
  REQUIRE(mrows.size() >= 5);
  const TableMapEvent& m = mrows[4]->table;
  REQUIRE(m.table == "capture_mariadb");
  CHECK(static_cast<int>(m.columns.at(6).type) == 141);
  CHECK(column_type_name(m.columns[6].type) == "MYSQL_TYPE_VARCHAR_COMPRESSED");
  CHECK(static_cast<int>(m.columns.at(7).type) == 140);
  CHECK(column_type_name(m.columns[7].type) == "MYSQL_TYPE_BLOB_COMPRESSED");
}

TEST_CASE("ver_5_1-wl2325_s: types 20-22 of a 5.2 pre-release are skipped, not read as rows",
          "[binlog][fixtures]") {
  if (!have_fixtures()) return;
  // Its FDE gives types 20-22 the post-header lengths of XID (0), BEGIN_LOAD_QUERY (4) and
  // EXECUTE_LOAD_QUERY (26): the event at 411 is a 27-byte XID typed 20.
  const Decoded d = decode("rust_mysql_common/ver_5_1-wl2325_s.001");
  CHECK(d.error.value_or("") == "");
  CHECK(d.top_level() == 15);
}
