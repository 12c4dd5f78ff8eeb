// Binlog positions and GTID sets: ordering, parsing, advancing and counting the transactions
// between an applied set and a server's.
#include <catch2/catch.hpp>

#include "common/error.hpp"
#include "common/position.hpp"

using namespace my2pg;

TEST_CASE("binlog positions order by file sequence then offset", "[position]") {
  CHECK(compare_positions("b.000001", 400, "b.000002", 4) < 0);
  CHECK(compare_positions("b.000002", 4, "b.000001", 400) > 0);
  CHECK(compare_positions("b.000002", 4, "b.000002", 4) == 0);
  CHECK(compare_positions("b.999999", 9, "b.1000000", 4) < 0);
}

TEST_CASE("FILE:POS parses and bad forms name the option", "[position]") {
  const BinlogPosition p = parse_file_position("mariadb-bin.000002:1234", "--from");
  CHECK(p.file == "mariadb-bin.000002");
  CHECK(p.pos == 1234);
  CHECK_THROWS_WITH(parse_file_position("nocolon", "--until"),
                    Catch::Contains("--until takes FILE:POSITION"));
  CHECK_THROWS_WITH(parse_file_position("f.1:x", "--from"), Catch::Contains("not a number"));
  CHECK_THROWS_WITH(parse_file_position("f.1:3", "--from"), Catch::Contains("4 or more"));
}

TEST_CASE("advancing GTID sets keeps MariaDB domains and MySQL intervals", "[position]") {
  CHECK(advance_gtid_set("0-1-100,1-2-5", "0-1-101") == "0-1-101,1-2-5");
  CHECK(advance_gtid_set("0-1-100", "2-1-7") == "0-1-100,2-1-7");
  CHECK(advance_gtid_set("", "0-1-1") == "0-1-1");
  const std::string a = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
  CHECK(advance_gtid_set(a + ":1-5", a + ":6") == a + ":1-6");
  CHECK(advance_gtid_set(a + ":1-5", a + ":8") == a + ":1-5:8");
  CHECK(advance_gtid_set(a + ":1-5:7", a + ":6") == a + ":1-7");
  CHECK(advance_gtid_set(a + ":1-5", "ANONYMOUS") == a + ":1-5");
  CHECK(advance_gtid_set(a + ":1-5", "") == a + ":1-5");
}

TEST_CASE("transactions between an applied GTID set and the server's", "[position]") {
  SECTION("MariaDB counts per domain") {
    CHECK(gtid_transactions_between("0-1-100", "0-1-100") == 0U);
    CHECK(gtid_transactions_between("0-1-100", "0-1-142") == 42U);
    CHECK(gtid_transactions_between("0-1-100,1-2-5", "0-1-110,1-2-8") == 13U);
    // A domain the replica has not seen yet: every transaction of it.
    CHECK(gtid_transactions_between("0-1-100", "0-1-100,3-1-4") == 4U);
    // Ahead (a server reset, or sets read at different moments) counts nothing.
    CHECK(gtid_transactions_between("0-1-105", "0-1-100") == 0U);
    CHECK_FALSE(gtid_transactions_between("0-1-x", "0-1-100").has_value());
  }
  SECTION("MySQL counts numbers outside the applied intervals") {
    const std::string a = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
    const std::string b = "4e11fa47-71ca-11e1-9e33-c80aa9429562";
    CHECK(gtid_transactions_between(a + ":1-10", a + ":1-10") == 0U);
    CHECK(gtid_transactions_between(a + ":1-10", a + ":1-25") == 15U);
    CHECK(gtid_transactions_between(a + ":1-10:20", a + ":1-25") == 14U);
    CHECK(gtid_transactions_between(a + ":1-10", a + ":1-12," + b + ":1-3") == 5U);
    CHECK(gtid_transactions_between("", a + ":1-3") == 3U);
  }
  SECTION("no server set: unknown") {
    CHECK_FALSE(gtid_transactions_between("0-1-1", "").has_value());
  }
}
