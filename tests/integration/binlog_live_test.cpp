// Changes made on the sandbox MariaDB, read back from its live binary log (mysql::BinlogStream
// into binlog::Decoder): UPDATE before and after images, DELETE images, multi-row INSERTs split
// over several events, a transaction over several tables, and a stream started at a GTID. Every
// decoded row is compared with what SELECT returned at the time.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "binlog_live_support.hpp"

using namespace my2pg::test::live;
using my2pg::binlog::RowsKind;
using my2pg::mysql::StreamStart;
using my2pg::test::TestDatabases;

namespace {

constexpr uint16_t STMT_END_F = 1;

void check_rows(const std::vector<RowText>& decoded, const std::vector<RowText>& selected) {
  REQUIRE(decoded.size() == selected.size());
  for (size_t r = 0; r < decoded.size(); ++r) {
    INFO("row " << r);
    REQUIRE(decoded[r].size() == selected[r].size());
    for (size_t c = 0; c < decoded[r].size(); ++c) {
      INFO("column " << c);
      CHECK(difference(decoded[r][c], selected[r][c]) == "");
    }
  }
}

std::vector<RowText> pick(const std::vector<RowText>& rows, const std::vector<std::string>& ids) {
  std::vector<RowText> out;
  for (const auto& id : ids) {
    for (const auto& row : rows) {
      if (row.at(0) == id) out.push_back(row);
    }
  }
  REQUIRE(out.size() == ids.size());
  return out;
}

// "0-1-7" -> "0-1-8"
std::string next_gtid(const std::string& gtid) {
  const size_t dash = gtid.rfind('-');
  return gtid.substr(0, dash + 1) + std::to_string(std::stoull(gtid.substr(dash + 1)) + 1);
}

}  // namespace

TEST_CASE("live binlog: UPDATE carries before and after images, DELETE the deleted rows",
          "[binlog][live]") {
  TestDatabases db;
  auto& conn = db.source();
  conn.execute("SET time_zone = '+00:00'");
  conn.execute(
      "CREATE TABLE items (id INT PRIMARY KEY, qty SMALLINT UNSIGNED, price DECIMAL(10,2), "
      "name VARCHAR(40), note TEXT CHARACTER SET latin1, seen DATETIME(6), at TIMESTAMP(3) NULL, "
      "data BLOB, doc JSON, state ENUM('new','old'), flags SET('x','y'), b BIT(3), u UUID, "
      "t TIME(2))");
  const std::string all = "SELECT * FROM items ORDER BY id";
  const auto start = master_position(conn);
  conn.execute(
      "INSERT INTO items VALUES "
      "(1, 1, 9.99, 'caf\xC3\xA9', 'd\xC3\xA9j\xC3\xA0', '2024-01-01 10:00:00.000001', "
      " '2024-01-01 10:00:00.5', X'00FF00', '{\"a\": 1}', 'new', 'x', b'001', "
      " '11111111-2222-3333-4444-555555555555', '-1:00:00.25'),"
      "(2, 65535, -0.01, '\xF0\x9F\x98\x80', '', '9999-12-31 23:59:59.999999', NULL, X'', '[]', "
      " 'old', '', b'111', NULL, '838:59:59'),"
      "(3, 0, 0, '', NULL, NULL, '1970-01-01 00:00:01', NULL, NULL, NULL, 'x,y', b'0', "
      " '00000000-0000-0000-0000-000000000001', '00:00:00')");
  const auto inserted = select_rows(conn, all);
  conn.execute(
      "UPDATE items SET qty = qty - 1, price = price * 2, name = CONCAT(name, '\xE6\xBC\xA2'), "
      "note = '\xE2\x82\xAC', seen = '2000-02-29 00:00:00', at = '2038-01-19 03:14:07.999', "
      "data = X'0000', doc = JSON_SET(doc, '$.b', 'x'), state = 'old', flags = 'y', b = b'101', "
      "u = 'ffffffff-ffff-ffff-ffff-fffffffffff0', t = '-838:59:59' WHERE id IN (1, 2)");
  const auto updated = select_rows(conn, all);
  conn.execute(
      "UPDATE items SET qty = NULL, price = NULL, name = NULL, flags = NULL, b = NULL, u = NULL, "
      "t = NULL, note = 'x', seen = '2024-02-29 12:00:00' WHERE id = 3");
  const auto nulled = select_rows(conn, all);
  conn.execute("UPDATE items SET id = 30 WHERE id = 3");  // a primary key change
  const auto moved = select_rows(conn, all);
  conn.execute("DELETE FROM items WHERE id IN (1, 30)");
  const auto left = select_rows(conn, all);
  REQUIRE(left.size() == 1);

  const BinlogRead read = read_binlog(db, start);
  REQUIRE(read.transactions.size() == 5);
  for (const auto& t : read.transactions) REQUIRE(t.changes.size() == 1);
  const auto& write = read.transactions[0].changes[0];
  const auto& update = read.transactions[1].changes[0];
  const auto& to_null = read.transactions[2].changes[0];
  const auto& move = read.transactions[3].changes[0];
  const auto& erase = read.transactions[4].changes[0];

  CHECK(write.kind == RowsKind::write);
  CHECK(write.before.empty());
  check_rows(write.after, inserted);

  CHECK(update.kind == RowsKind::update);
  check_rows(update.before, pick(inserted, {"1", "2"}));
  check_rows(update.after, pick(updated, {"1", "2"}));

  CHECK(to_null.kind == RowsKind::update);
  check_rows(to_null.before, pick(updated, {"3"}));
  check_rows(to_null.after, pick(nulled, {"3"}));

  CHECK(move.kind == RowsKind::update);
  check_rows(move.before, pick(nulled, {"3"}));
  check_rows(move.after, pick(moved, {"30"}));

  CHECK(erase.kind == RowsKind::erase);
  CHECK(erase.after.empty());
  check_rows(erase.before, pick(moved, {"1", "30"}));
}

TEST_CASE("live binlog: a multi-row INSERT arrives as its rows in order, over several events",
          "[binlog][live]") {
  TestDatabases db;
  auto& conn = db.source();
  conn.execute("CREATE TABLE big (id INT PRIMARY KEY, label VARCHAR(100), n BIGINT)");
  conn.execute("CREATE TABLE small (id INT PRIMARY KEY, label VARCHAR(10))");
  const auto start = master_position(conn);
  // About 120 KB of rows: more than binlog_row_event_max_size (8 KB), so several WRITE_ROWS.
  std::string sql = "INSERT INTO big VALUES ";
  for (int i = 1; i <= 2000; ++i) {
    sql += (i == 1 ? "(" : ", (") + std::to_string(i) + ", '" + std::string(40, 'a') + "\xC3\xA9" +
           std::to_string(i) + "', " + std::to_string(-1000000007LL * i) + ")";
  }
  conn.execute(sql);
  conn.execute("INSERT INTO small VALUES (3, 'c'), (1, 'a'), (2, NULL)");

  const BinlogRead read = read_binlog(db, start);
  REQUIRE(read.transactions.size() == 2);

  const Transaction& large = read.transactions[0];
  REQUIRE(large.changes.size() > 1);
  CHECK(large.trace.front() == "GTID");
  CHECK(large.trace.at(1) == "TABLE_MAP big");
  CHECK(large.trace.back() == "XID");
  CHECK(large.trace.size() == large.changes.size() + 3);
  for (size_t i = 0; i < large.changes.size(); ++i) {
    INFO("rows event " << i << " of " << large.changes.size());
    CHECK(large.changes[i].kind == RowsKind::write);
    CHECK(large.trace.at(i + 2) == "WRITE_ROWS big");
    // Only the statement's last rows event ends it.
    CHECK(((large.changes[i].flags & STMT_END_F) != 0) == (i + 1 == large.changes.size()));
  }
  check_rows(inserted_rows(read, "big"), select_rows(conn, "SELECT * FROM big ORDER BY id"));

  const Transaction& three = read.transactions[1];
  CHECK(three.trace ==
        std::vector<std::string>{"GTID", "TABLE_MAP small", "WRITE_ROWS small", "XID"});
  // Rows in statement order, not key order.
  check_rows(three.changes.at(0).after,
             pick(select_rows(conn, "SELECT * FROM small"), {"3", "1", "2"}));
}

TEST_CASE("live binlog: a transaction over several tables, its rows between GTID and XID",
          "[binlog][live]") {
  TestDatabases db;
  auto& conn = db.source();
  conn.execute("CREATE TABLE a (id INT PRIMARY KEY, v VARCHAR(20))");
  conn.execute("CREATE TABLE b (id INT PRIMARY KEY, n INT)");
  conn.execute("CREATE TABLE c (id INT PRIMARY KEY, d DATE)");
  conn.execute("INSERT INTO b VALUES (1, 10), (2, 20)");
  conn.execute("INSERT INTO c VALUES (1, '2024-01-01'), (2, '2024-01-02')");
  const auto start = master_position(conn);
  const auto b_before = select_rows(conn, "SELECT * FROM b ORDER BY id");
  const auto c_before = select_rows(conn, "SELECT * FROM c ORDER BY id");

  conn.execute("BEGIN");
  conn.execute("INSERT INTO a VALUES (1, 'first')");
  conn.execute("UPDATE b SET n = n + 1");
  conn.execute("DELETE FROM c WHERE id = 2");
  conn.execute("INSERT INTO a VALUES (2, 'second'), (3, 'third')");
  conn.execute("UPDATE a SET v = 'changed' WHERE id = 1");
  conn.execute("COMMIT");
  const auto a_after = select_rows(conn, "SELECT * FROM a ORDER BY id");
  const auto b_after = select_rows(conn, "SELECT * FROM b ORDER BY id");
  conn.execute("BEGIN");
  conn.execute("INSERT INTO a VALUES (9, 'rolled back')");
  conn.execute("ROLLBACK");
  conn.execute("INSERT INTO b VALUES (3, 30)");

  const BinlogRead read = read_binlog(db, start);
  REQUIRE(read.transactions.size() == 2);  // the rolled back one is not in the binlog
  const Transaction& t = read.transactions[0];
  CHECK_FALSE(t.gtid.empty());
  CHECK(t.trace == std::vector<std::string>{"GTID", "TABLE_MAP a", "WRITE_ROWS a", "TABLE_MAP b",
                                            "UPDATE_ROWS b", "TABLE_MAP c", "DELETE_ROWS c",
                                            "TABLE_MAP a", "WRITE_ROWS a", "TABLE_MAP a",
                                            "UPDATE_ROWS a", "XID"});
  REQUIRE(t.changes.size() == 5);
  const std::vector<RowText> first = {{"1", "first"}}, changed = {{"1", "changed"}};
  check_rows(t.changes[0].after, first);
  check_rows(t.changes[1].before, b_before);
  check_rows(t.changes[1].after, b_after);
  check_rows(t.changes[2].before, pick(c_before, {"2"}));
  check_rows(t.changes[3].after, pick(a_after, {"2", "3"}));
  check_rows(t.changes[4].before, first);
  check_rows(t.changes[4].after, changed);

  const Transaction& last = read.transactions[1];
  CHECK(last.gtid != t.gtid);
  CHECK(last.trace == std::vector<std::string>{"GTID", "TABLE_MAP b", "WRITE_ROWS b", "XID"});
  check_rows(last.changes.at(0).after, {{"3", "30"}});
}

TEST_CASE("live binlog: a stream started at a MariaDB GTID sees exactly what follows it",
          "[binlog][live]") {
  TestDatabases db;
  auto& conn = db.source();
  conn.execute("CREATE TABLE g (id INT PRIMARY KEY, v VARCHAR(20))");
  const auto start = master_position(conn);
  conn.execute("INSERT INTO g VALUES (1, 'one')");
  conn.execute("INSERT INTO g VALUES (2, 'two'), (3, 'three')");
  conn.execute("UPDATE g SET v = 'TWO' WHERE id = 2");
  conn.execute("DELETE FROM g WHERE id = 1");

  const BinlogRead by_position = read_binlog(db, start);
  REQUIRE(by_position.transactions.size() == 4);

  StreamStart after_first;
  after_first.gtid = by_position.transactions[0].gtid;
  const BinlogRead by_gtid = read_binlog(db, after_first);
  // The first transaction the stream gives is the one right after the start GTID (whoever wrote
  // it), and ours are the three after the first, decoded alike.
  CHECK(by_gtid.first_gtid == next_gtid(after_first.gtid));
  REQUIRE(by_gtid.transactions.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    const Transaction& expected = by_position.transactions[i + 1];
    const Transaction& got = by_gtid.transactions[i];
    INFO("transaction " << expected.gtid);
    CHECK(got.gtid == expected.gtid);
    CHECK(got.trace == expected.trace);
    REQUIRE(got.changes.size() == 1);
    CHECK(got.changes[0].kind == expected.changes[0].kind);
    check_rows(got.changes[0].before, expected.changes[0].before);
    check_rows(got.changes[0].after, expected.changes[0].after);
  }
  check_rows(by_gtid.transactions[0].changes[0].after, {{"2", "two"}, {"3", "three"}});
  check_rows(by_gtid.transactions[1].changes[0].after, {{"2", "TWO"}});
  check_rows(by_gtid.transactions[2].changes[0].before, {{"1", "one"}});

  StreamStart after_last;
  after_last.gtid = by_position.transactions[3].gtid;
  CHECK(read_binlog(db, after_last).transactions.empty());
}

TEST_CASE("live binlog: a table of 100 columns with NULLs scattered over its null bitmap",
          "[binlog][live]") {
  TestDatabases db;
  auto& conn = db.source();
  const char* types[] = {"INT", "VARCHAR(5)", "DATE", "DECIMAL(6,2)", "BLOB"};
  const char* values[] = {"-7", "'v\xC3\xA9'", "'2024-02-29'", "-1234.56", "X'0001'"};
  std::string create = "CREATE TABLE wide (id INT PRIMARY KEY";
  for (size_t i = 0; i < 100; ++i) create += ", c" + std::to_string(i) + " " + types[i % 5];
  conn.execute(create + ")");
  const auto start = master_position(conn);
  std::string insert = "INSERT INTO wide VALUES ";
  for (size_t row = 0; row < 3; ++row) {
    insert += (row == 0 ? "(" : ", (") + std::to_string(row);
    for (size_t i = 0; i < 100; ++i)
      insert += (i + row) % 3 == 0 ? ", NULL" : ", " + std::string(values[i % 5]);
    insert += ")";
  }
  conn.execute(insert);
  const auto inserted = select_rows(conn, "SELECT * FROM wide ORDER BY id");
  conn.execute("UPDATE wide SET c0 = NULL, c99 = X'FF' WHERE id = 1");
  const auto updated = select_rows(conn, "SELECT * FROM wide ORDER BY id");

  const BinlogRead read = read_binlog(db, start);
  REQUIRE(read.transactions.size() == 2);
  check_rows(inserted_rows(read, "wide"), inserted);
  REQUIRE(read.transactions[1].changes.size() == 1);
  check_rows(read.transactions[1].changes[0].before, pick(inserted, {"1"}));
  check_rows(read.transactions[1].changes[0].after, pick(updated, {"1"}));
}
