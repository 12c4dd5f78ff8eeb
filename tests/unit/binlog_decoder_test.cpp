// The decoder core: CRC32, FORMAT_DESCRIPTION, checksums, control events and their error paths,
// built from hand-made event bytes so every branch is reached on purpose.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "binlog/byte_reader.hpp"
#include "binlog/control_events.hpp"
#include "binlog/crc32.hpp"
#include "binlog/decoder.hpp"
#include "binlog/event_printer.hpp"
#include "binlog/file_source.hpp"

using namespace my2pg::binlog;
using Bytes = std::vector<uint8_t>;

namespace {

void put(Bytes& b, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// A whole event: 19-byte header, body, and a CRC32 when `crc`.
Bytes event(EventType type, const Bytes& body, bool crc, uint16_t flags = 0) {
  Bytes e;
  put(e, 1700000000, 4);
  e.push_back(static_cast<uint8_t>(type));
  put(e, 7, 4);
  put(e, kHeaderLength + body.size() + (crc ? 4 : 0), 4);
  put(e, 0, 4);
  put(e, flags, 2);
  e.insert(e.end(), body.begin(), body.end());
  if (crc) put(e, crc32(e), 4);
  return e;
}

// A MySQL 8.0 style FDE with CRC32 on (checksum computed with the in-use flag clear).
Bytes fde(bool crc, const std::string& version = "8.0.40", uint16_t flags = 0) {
  Bytes body;
  put(body, 4, 2);
  std::string v = version;
  v.resize(50, '\0');
  body.insert(body.end(), v.begin(), v.end());
  put(body, 1700000000, 4);
  body.push_back(19);
  for (int t = 1; t <= 42; ++t) body.push_back(t == 2 ? 13 : t == 19 ? 8 : t == 30 ? 10 : 0);
  body.push_back(crc ? 1 : 0);
  Bytes e = event(EventType::FORMAT_DESCRIPTION_EVENT, body, false);
  put(e, 0, 4);  // the FDE always ends with 4 checksum bytes: count them, then fill them in
  const uint32_t size = static_cast<uint32_t>(e.size());
  e[9] = static_cast<uint8_t>(size);
  e[10] = static_cast<uint8_t>(size >> 8);
  e[17] = static_cast<uint8_t>(flags & ~1U);
  const uint32_t c = crc32(std::span<const uint8_t>(e.data(), e.size() - 4));
  e[17] = static_cast<uint8_t>(flags);
  for (size_t i = 0; i < 4; ++i) e[e.size() - 4 + i] = static_cast<uint8_t>(c >> (8 * i));
  return e;
}

}  // namespace

TEST_CASE("crc32 matches the standard check values", "[binlog]") {
  const std::string check = "123456789";
  CHECK(crc32(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(check.data()),
                                       check.size())) == 0xCBF43926U);
  CHECK(crc32({}) == 0U);
  Bytes long_input(1000);
  for (size_t i = 0; i < long_input.size(); ++i) long_input[i] = static_cast<uint8_t>(i * 7);
  const uint32_t whole = crc32(long_input);
  const uint32_t pieces = crc32(std::span<const uint8_t>(long_input).subspan(333),
                                crc32(std::span<const uint8_t>(long_input).first(333)));
  CHECK(whole == pieces);
}

TEST_CASE("crc32's folded path agrees with zlib at every length, alignment and split", "[binlog]") {
  Bytes data(4096 + 64);
  uint32_t seed = 12345;
  for (auto& b : data) {
    seed = seed * 1103515245U + 12345U;
    b = static_cast<uint8_t>(seed >> 16);
  }
  const std::span<const uint8_t> all(data);
  for (size_t offset = 0; offset < 16; offset += 3) {
    for (size_t n = 0; n <= 1100; ++n) {
      const auto piece = all.subspan(offset, n);
      REQUIRE(crc32(piece) == detail::crc32_reference(piece));
      REQUIRE(crc32(piece, 0xDEADBEEFU) == detail::crc32_reference(piece, 0xDEADBEEFU));
    }
  }
  const auto big = all.subspan(7, 4096);
  CHECK(crc32(big) == detail::crc32_reference(big));
  CHECK(crc32(big.subspan(100), crc32(big.first(100))) == crc32(big));
  Bytes ones(256, 0xFF);
  CHECK(crc32(ones) == detail::crc32_reference(ones));
}

TEST_CASE("FORMAT_DESCRIPTION drives checksums, including the in-use flag caveat", "[binlog]") {
  Decoder d("test-bin.000001");
  std::vector<Event> out;
  d.decode(fde(true, "8.0.40", 1), 4, out);  // in-use flag set, CRC computed with it clear
  REQUIRE(d.format() != nullptr);
  CHECK(d.format()->checksum == ChecksumAlg::BINLOG_CHECKSUM_ALG_CRC32);
  CHECK(d.format()->server_version == "8.0.40");
  CHECK(d.format()->post_header_length(EventType::QUERY_EVENT) == 13);
  CHECK_FALSE(d.format()->mariadb);

  Bytes xid;
  put(xid, 41, 8);
  d.decode(event(EventType::XID_EVENT, xid, true), 200, out);
  CHECK(std::get<XidEvent>(out.back().body).xid == 41);

  SECTION("a corrupt byte fails the checksum, naming file, position and type") {
    Bytes bad = event(EventType::XID_EVENT, xid, true);
    bad[20] ^= 0x10;
    REQUIRE_THROWS_WITH(d.decode(bad, 300, out),
                        Catch::Contains("binlog test-bin.000001 at position 300, XID_EVENT") &&
                            Catch::Contains("checksum") && Catch::Contains("corrupt"));
  }
  SECTION("checksum verification can be turned off") {
    Bytes bad = event(EventType::XID_EVENT, xid, true);
    bad[bad.size() - 1] ^= 0xFF;
    d.set_verify_checksums(false);
    d.decode(bad, 300, out);
    CHECK(std::get<XidEvent>(out.back().body).xid == 41);
  }
  SECTION("a fixed-size event with trailing bytes is refused") {
    Bytes longer = xid;
    put(longer, 0, 3);
    REQUIRE_THROWS_WITH(d.decode(event(EventType::XID_EVENT, longer, true), 300, out),
                        Catch::Contains("3 unexpected trailing bytes"));
  }
}

TEST_CASE("a corrupt FORMAT_DESCRIPTION is refused", "[binlog]") {
  Decoder d("f");
  std::vector<Event> out;
  Bytes e = fde(true);
  e[30] ^= 1;
  REQUIRE_THROWS_WITH(d.decode(e, 4, out), Catch::Contains("FORMAT_DESCRIPTION checksum"));
  Bytes unknown_alg = fde(true);
  unknown_alg[unknown_alg.size() - 5] = 7;
  REQUIRE_THROWS_WITH(Decoder("f").decode(unknown_alg, 4, out),
                      Catch::Contains("checksum algorithm") && Catch::Contains("unknown: 7"));
}

TEST_CASE("decoder error paths name what is wrong", "[binlog]") {
  std::vector<Event> out;
  Bytes xid;
  put(xid, 1, 8);
  REQUIRE_THROWS_WITH(Decoder("f").decode(event(EventType::XID_EVENT, xid, false), 4, out),
                      Catch::Contains("comes before any FORMAT_DESCRIPTION_EVENT"));
  REQUIRE_THROWS_WITH(
      Decoder("f").decode(event(EventType::START_EVENT_V3, Bytes(56), false), 4, out),
      Catch::Contains("MySQL before 5.0") && Catch::Contains("not supported"));
  Bytes short_event = event(EventType::XID_EVENT, xid, false);
  short_event.pop_back();
  REQUIRE_THROWS_WITH(Decoder("f").decode(short_event, 4, out),
                      Catch::Contains("is 27 but 26 bytes were read"));
  REQUIRE_THROWS_WITH(Decoder("f").decode(Bytes(10), 4, out), Catch::Contains("truncated"));

  Decoder d("f");
  d.decode(fde(false, "5.7.30-log"), 4, out);
  REQUIRE_THROWS_WITH(
      d.decode(event(EventType::START_ENCRYPTION_EVENT, Bytes(17), false), 200, out),
      Catch::Contains("encrypted binlogs are not supported"));
  // Unknown and vendor events (Aurora's type 100) are skipped, position advanced by the reader.
  d.decode(event(static_cast<EventType>(100), Bytes(900), false), 300, out);
  CHECK(std::holds_alternative<OtherEvent>(out.back().body));
}

TEST_CASE("pre-5.6.1 servers write no checksum algorithm in the FDE", "[binlog]") {
  Decoder d("old");
  std::vector<Event> out;
  Bytes body;
  put(body, 4, 2);
  std::string v = "5.5.27-log";
  v.resize(50, '\0');
  body.insert(body.end(), v.begin(), v.end());
  put(body, 0, 4);
  body.push_back(19);
  for (int t = 1; t <= 27; ++t) body.push_back(t == 2 ? 13 : 0);
  d.decode(event(EventType::FORMAT_DESCRIPTION_EVENT, body, false), 4, out);
  CHECK(d.format()->checksum == ChecksumAlg::UNDEF);
  CHECK(d.format()->post_header_lengths.size() == 27);
}

TEST_CASE("QUERY status variables, MySQL and MariaDB", "[binlog]") {
  Bytes s;
  s.push_back(0);
  put(s, 0x00000100, 4);  // flags2
  s.push_back(1);
  put(s, 0x45a00020, 8);  // sql_mode
  s.push_back(3);
  put(s, 2, 2);
  put(s, 1, 2);  // auto_increment
  s.push_back(4);
  put(s, 33, 2);
  put(s, 33, 2);
  put(s, 8, 2);  // charset
  s.push_back(5);
  s.push_back(6);
  for (char c : std::string("+00:00")) s.push_back(static_cast<uint8_t>(c));
  s.push_back(6);
  s.push_back(3);
  for (char c : std::string("std")) s.push_back(static_cast<uint8_t>(c));
  s.push_back(7);
  put(s, 0, 2);  // lc_time_names
  s.push_back(8);
  put(s, 45, 2);  // charset_database
  s.push_back(9);
  put(s, 1, 8);  // table_map_for_update
  s.push_back(10);
  put(s, 99, 4);  // master_data_written
  s.push_back(11);
  s.push_back(4);
  for (char c : std::string("root")) s.push_back(static_cast<uint8_t>(c));
  s.push_back(9);
  for (char c : std::string("localhost")) s.push_back(static_cast<uint8_t>(c));
  s.push_back(12);
  s.push_back(2);
  for (char c : std::string("db1")) s.push_back(static_cast<uint8_t>(c));
  s.push_back(0);
  for (char c : std::string("db2")) s.push_back(static_cast<uint8_t>(c));
  s.push_back(0);
  s.push_back(13);
  put(s, 123456, 3);  // microseconds
  s.push_back(16);
  s.push_back(1);  // explicit_defaults_for_timestamp
  s.push_back(17);
  put(s, 77, 8);  // ddl xid
  s.push_back(18);
  put(s, 255, 2);  // default collation for utf8mb4
  s.push_back(19);
  s.push_back(1);  // sql_require_primary_key
  s.push_back(20);
  s.push_back(0);  // default_table_encryption
  s.push_back(128);
  put(s, 654321, 3);  // MariaDB hrnow
  s.push_back(129);
  put(s, 88, 8);  // MariaDB xid
  s.push_back(130);
  s.push_back(4);
  put(s, 5, 8);  // gtid flags3 + start-alter seq
  s.push_back(131);
  s.push_back(1);
  put(s, 45, 2);
  put(s, 224, 2);
  const QueryStatus q = decode_query_status(ByteReader(s));
  CHECK(q.flags2 == 0x100U);
  CHECK(q.sql_mode == 0x45a00020U);
  CHECK(q.auto_increment == std::pair<uint16_t, uint16_t>{2, 1});
  REQUIRE(q.charset);
  CHECK(q.charset->client == 33);
  CHECK(q.charset->server == 8);
  CHECK(q.time_zone == "+00:00");
  CHECK(q.catalog == "std");
  CHECK(q.charset_database == 45);
  CHECK(q.table_map_for_update == 1U);
  CHECK(q.master_data_written == 99U);
  CHECK(q.invoker == std::pair<std::string, std::string>{"root", "localhost"});
  CHECK(q.updated_db_names == std::vector<std::string>{"db1", "db2"});
  CHECK(q.microseconds == 123456U);
  CHECK(q.explicit_defaults_for_timestamp == 1);
  CHECK(q.ddl_xid == 77U);
  CHECK(q.default_collation_for_utf8mb4 == 255);
  CHECK(q.sql_require_primary_key == 1);
  CHECK(q.default_table_encryption == 0);
  CHECK(q.hrnow == 654321U);
  CHECK(q.xid == 88U);
  CHECK(q.gtid_flags3 == 4);
  REQUIRE(q.character_set_collations);
  CHECK(q.character_set_collations->at(0) == std::pair<uint16_t, uint16_t>{45, 224});
  CHECK_FALSE(q.unknown_code);

  Bytes unknown{0x0d, 0x01, 0x02, 0x03, 0xee, 0x01};
  const QueryStatus u = decode_query_status(ByteReader(unknown));
  CHECK(u.microseconds == 0x030201U);
  CHECK(u.unknown_code == 0xee);
  Bytes over_max{12, 254};
  CHECK(decode_query_status(ByteReader(over_max)).updated_db_names == std::vector<std::string>{});
  Bytes truncated{13, 0x01};
  REQUIRE_THROWS_WITH(decode_query_status(ByteReader(truncated)),
                      Catch::Contains("Q_MICROSECONDS"));
}

TEST_CASE("MySQL GTID events of 5.6, 5.7 and 8.0 layouts", "[binlog]") {
  Bytes g;
  g.push_back(1);
  for (uint8_t i = 0; i < 16; ++i) g.push_back(static_cast<uint8_t>(0x10 + i));
  put(g, 42, 8);
  ByteReader r56(g);
  const GtidEvent v56 = decode_gtid(r56, EventType::GTID_LOG_EVENT);
  CHECK(v56.gtid() == "10111213-1415-1617-1819-1a1b1c1d1e1f:42");
  CHECK_FALSE(v56.last_committed);

  g.push_back(2);
  put(g, 5, 8);
  put(g, 6, 8);
  put(g, 1700000000123456ULL | (1ULL << 55), 7);  // immediate, with original following
  put(g, 1600000000000000ULL, 7);
  g.push_back(200);  // transaction length (packed, 1 byte)
  put(g, 80040U | (1U << 31), 4);
  put(g, 50730, 4);
  ByteReader r80(g);
  const GtidEvent v80 = decode_gtid(r80, EventType::GTID_LOG_EVENT);
  CHECK(v80.last_committed == 5);
  CHECK(v80.sequence_number == 6);
  CHECK(v80.immediate_commit_timestamp == 1700000000123456ULL);
  CHECK(v80.original_commit_timestamp == 1600000000000000ULL);
  CHECK(v80.transaction_length == 200U);
  CHECK(v80.immediate_server_version == 80040U);
  CHECK(v80.original_server_version == 50730U);
  ByteReader ranon(g);
  CHECK(decode_gtid(ranon, EventType::ANONYMOUS_GTID_LOG_EVENT).gtid() == "ANONYMOUS");
}

TEST_CASE("serialization-library integers and tagged GTID sets", "[binlog]") {
  const auto read = [](Bytes b) {
    ByteReader r(b);
    return read_serialized_uint(r, "v");
  };
  CHECK(read({0x00}) == 0U);
  CHECK(read({0x06}) == 3U);          // 1 byte: value << 1
  CHECK(read({0x01, 0x04}) == 256U);  // 2 bytes: value << 2 | 0b01
  CHECK(read({0xFF, 1, 0, 0, 0, 0, 0, 0, 0x80}) == 0x8000000000000001ULL);
  REQUIRE_THROWS_WITH(read({0x01}), Catch::Contains("truncated"));

  Bytes p;
  put(p, (uint64_t{1} << 56) | (uint64_t{1} << 8) | 1, 8);  // tagged format, one sid
  for (uint8_t i = 0; i < 16; ++i) p.push_back(0xAA);
  p.push_back(5 << 1);
  for (char c : std::string("mytag")) p.push_back(static_cast<uint8_t>(c));
  put(p, 1, 8);
  put(p, 1, 8);
  put(p, 3, 8);
  ByteReader r(p);
  CHECK(decode_previous_gtids(r).str() == "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa:mytag:1-2");
  Bytes huge;
  put(huge, 1000000, 8);
  ByteReader rh(huge);
  REQUIRE_THROWS_WITH(decode_previous_gtids(rh), Catch::Contains("exceeds the event's size"));
}

TEST_CASE("MariaDB GTID and GTID list events", "[binlog]") {
  Bytes g;
  put(g, 100, 8);
  put(g, 1, 4);
  g.push_back(2 | 8);  // group commit id, allow parallel
  put(g, 555, 8);
  ByteReader r(g);
  const MariaGtidEvent e = decode_maria_gtid(r);
  CHECK(e.gtid(10) == "1-10-100");
  CHECK(e.commit_id == 555U);
  CHECK_FALSE(e.standalone());

  Bytes xa;
  put(xa, 7, 8);
  put(xa, 0, 4);
  xa.push_back(64);  // prepared XA
  put(xa, 1, 4);
  xa.push_back(2);
  xa.push_back(1);
  xa.push_back('a');
  xa.push_back('b');
  xa.push_back('c');
  ByteReader rx(xa);
  CHECK(decode_maria_gtid(rx).xid == "1:'ab','c'");

  Bytes l;
  put(l, 2, 4);
  put(l, 0, 4);
  put(l, 1, 4);
  put(l, 10, 8);
  put(l, 1, 4);
  put(l, 2, 4);
  put(l, 5, 8);
  ByteReader rl(l);
  CHECK(decode_gtid_list(rl).str() == "0-1-10,1-2-5");
  Bytes bad_list;
  put(bad_list, 1000, 4);
  ByteReader rb(bad_list);
  REQUIRE_THROWS_WITH(decode_gtid_list(rb), Catch::Contains("exceeds the event's size"));
}

TEST_CASE("transaction payload errors are refused before allocation", "[binlog]") {
  Decoder d("p");
  std::vector<Event> out;
  d.decode(fde(true), 4, out);
  Bytes body{1, 1, 4, 2, 1, 9, 0, 0xAA, 0xBB, 0xCC, 0xDD};  // size 4, compression 9 (unknown)
  REQUIRE_THROWS_WITH(
      d.decode(event(EventType::TRANSACTION_PAYLOAD_EVENT, body, true), 100, out),
      Catch::Contains("TRANSACTION_PAYLOAD compression") && Catch::Contains("unknown: 9"));
  Bytes no_size{2, 1, 0, 0};
  REQUIRE_THROWS_WITH(
      d.decode(event(EventType::TRANSACTION_PAYLOAD_EVENT, no_size, true), 100, out),
      Catch::Contains("has no payload size"));
  Bytes not_zstd{1, 1, 3, 0, 0xDE, 0xAD, 0xBE};
  REQUIRE_THROWS_WITH(
      d.decode(event(EventType::TRANSACTION_PAYLOAD_EVENT, not_zstd, true), 100, out),
      Catch::Contains("not a zstd frame"));
  // An uncompressed payload whose inner event claims more bytes than there are.
  Bytes inner{1, 1, 19, 2, 3, 0xFC, 0xFF, 0x00, 0};  // size 19, compression 255 (NONE)
  Bytes fake = event(EventType::XID_EVENT, Bytes(8), false);
  fake[9] = 200;
  inner.insert(inner.end(), fake.begin(), fake.begin() + 19);
  REQUIRE_THROWS_WITH(
      d.decode(event(EventType::TRANSACTION_PAYLOAD_EVENT, inner, true), 100, out),
      Catch::Contains("inner event size") && Catch::Contains("is 200 with 19 bytes left"));
}

TEST_CASE("a live stream's first ROTATE comes before the FORMAT_DESCRIPTION", "[binlog]") {
  Decoder d("");
  d.set_stream_checksum(ChecksumAlg::BINLOG_CHECKSUM_ALG_CRC32);
  Bytes body;
  put(body, 4, 8);
  for (char c : std::string("mariadb-bin.000003")) body.push_back(static_cast<uint8_t>(c));
  std::vector<Event> out;
  d.decode(event(EventType::ROTATE_EVENT, body, true), 0, out);
  const auto& rot = std::get<RotateEvent>(out.back().body);
  CHECK(rot.next_file == "mariadb-bin.000003");
  CHECK(rot.position == 4U);
}

TEST_CASE("FileSource reads files, seeks to a start position and reports bad files", "[binlog]") {
  const std::string path = "/tmp/my2pg-unit-" + std::to_string(::getpid()) + ".bin";
  Bytes file{0xfe, 'b', 'i', 'n'};
  const Bytes f = fde(true);
  file.insert(file.end(), f.begin(), f.end());
  Bytes xid;
  put(xid, 9, 8);
  const Bytes x = event(EventType::XID_EVENT, xid, true);
  for (int i = 0; i < 3; ++i) file.insert(file.end(), x.begin(), x.end());
  const auto write = [&](const Bytes& b) {
    std::FILE* out = std::fopen(path.c_str(), "wb");
    std::fwrite(b.data(), 1, b.size(), out);
    std::fclose(out);
  };
  write(file);
  {
    FileSource src({path}, false);
    RawEvent raw;
    std::vector<uint64_t> positions;
    while (src.next(raw)) positions.push_back(raw.position);
    CHECK(positions == std::vector<uint64_t>{4, 4 + f.size(), 4 + f.size() + x.size(),
                                             4 + f.size() + 2 * x.size()});
  }
  {
    FileSource src({path}, false);
    src.start_at(4 + f.size() + 2 * x.size());
    RawEvent raw;
    std::vector<uint64_t> positions;
    while (src.next(raw)) positions.push_back(raw.position);
    CHECK(positions == std::vector<uint64_t>{4, 4 + f.size() + 2 * x.size()});
  }
  {
    FileSource src({path}, false);
    src.start_at(100000);
    RawEvent raw;
    REQUIRE_THROWS_WITH(src.next(raw), Catch::Contains("past the end of the file"));
  }
  Bytes truncated(file.begin(), file.end() - 5);
  write(truncated);
  {
    FileSource src({path}, false);
    RawEvent raw;
    REQUIRE_THROWS_WITH(
        [&] {
          while (src.next(raw)) {
          }
        }(),
        Catch::Contains("is truncated or corrupt"));
  }
  write(Bytes{'n', 'o', 'p', 'e', 0, 0});
  {
    FileSource src({path}, false);
    RawEvent raw;
    REQUIRE_THROWS_WITH(src.next(raw), Catch::Contains("not a binlog file"));
  }
  std::remove(path.c_str());
  FileSource missing({path}, false);
  RawEvent raw;
  REQUIRE_THROWS_WITH(missing.next(raw), Catch::Contains("cannot open binlog file"));
}

TEST_CASE("the text dump escapes quotes, backslashes and newlines anywhere in long values",
          "[binlog]") {
  // One VARCHAR(200) utf8mb4 column; values long enough for the 16-byte scan, with the three
  // escaped characters at the start, across block boundaries and in the tail.
  Bytes map;
  put(map, 42, 6);
  put(map, 1, 2);
  for (const std::string name : {"db", "t"}) {
    map.push_back(static_cast<uint8_t>(name.size()));
    map.insert(map.end(), name.begin(), name.end());
    map.push_back(0);
  }
  map.push_back(1);  // one column
  map.push_back(static_cast<uint8_t>(ColumnType::MYSQL_TYPE_VARCHAR));
  map.push_back(2);                   // metadata length
  put(map, 200, 2);                   // max length in bytes
  map.push_back(0x01);                // nullable
  map.insert(map.end(), {2, 1, 45});  // DEFAULT_CHARSET utf8mb4
  Decoder d("test-bin.000001");
  std::vector<Event> out;
  d.decode(fde(false), 4, out);
  d.decode(event(EventType::TABLE_MAP_EVENT, map, false), 200, out);
  const std::vector<std::string> values = {
      "'starts with a quote and runs past sixteen bytes",
      std::string(15, 'a') + "'" + std::string(15, 'b') + "\\" + std::string(20, 'c') + "\n",
      std::string(40, 'x'), "tail\\", std::string(31, 'q') + "''\n\n\\\\" + std::string(17, 'r')};
  for (const auto& v : values) {
    Bytes rows;
    put(rows, 42, 6);
    put(rows, 0, 2);
    rows.push_back(1);     // column count
    rows.push_back(0x01);  // present
    rows.push_back(0x00);  // not null
    rows.push_back(static_cast<uint8_t>(v.size()));
    rows.insert(rows.end(), v.begin(), v.end());
    out.clear();
    const Bytes raw = event(EventType::WRITE_ROWS_EVENT_V1, rows, false);  // the event views it
    d.decode(raw, 300, out);
    std::string text;
    print_text(out.at(0), d, "test-bin.000001", text);
    std::string expected = "###   @1='";
    for (char c : v) {
      if (c == '\'' || c == '\\') expected.push_back('\\');
      if (c == '\n') {
        expected += "\\n";
        continue;
      }
      expected.push_back(c);
    }
    expected += "'\n";
    CHECK_THAT(text, Catch::EndsWith(expected));
  }
}
