// `my2pg binlog dump` end to end: live from the sandbox MariaDB, from its files, both formats.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "mysql/endpoint.hpp"
#include "support/servers.hpp"

using my2pg::test::run_my2pg;
using my2pg::test::TestDatabases;

namespace {

struct MasterStatus {
  std::string file;
  std::string position;
  std::string gtid;
};

MasterStatus master_status(my2pg::mysql::Connection& c) {
  const auto s = c.query("SHOW MASTER STATUS");
  const auto g = c.query("SELECT @@gtid_binlog_pos");
  return {*s.rows.at(0).at(0), *s.rows.at(0).at(1), g.rows.at(0).at(0).value_or("")};
}

}  // namespace

TEST_CASE("binlog dump --source prints the rows written since a position, as text and JSON",
          "[binlog][cli]") {
  TestDatabases db;
  db.source().execute(
      "CREATE TABLE t (id INT UNSIGNED PRIMARY KEY, name VARCHAR(20), amount DECIMAL(10,2), "
      "at DATETIME(6), doc JSON)");
  const MasterStatus start = master_status(db.source());
  db.source().execute(
      "INSERT INTO t VALUES (4294967295, 'caf\xC3\xA9 \xF0\x9F\x98\x80', -12.50, "
      "'2024-02-29 23:59:59.000001', '{\"k\": [1, \"x\"]}')");
  db.source().execute("UPDATE t SET name = 'renamed' WHERE id = 4294967295");
  db.source().execute("DELETE FROM t");

  auto r = run_my2pg({"binlog", "dump", "--source", db.source_uri(), "--start",
                      start.file + ":" + start.position});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("### INSERT INTO `" + db.name() + "`.`t`"));
  CHECK_THAT(r.out, Catch::Contains("###   @1=4294967295 /* id */"));
  CHECK_THAT(r.out, Catch::Contains("###   @2='caf\xC3\xA9 \xF0\x9F\x98\x80' /* name */"));
  CHECK_THAT(r.out, Catch::Contains("###   @3=-12.50 /* amount */"));
  CHECK_THAT(r.out, Catch::Contains("###   @4='2024-02-29 23:59:59.000001' /* at */"));
  CHECK_THAT(r.out, Catch::Contains("### UPDATE `" + db.name() + "`.`t`"));
  CHECK_THAT(r.out, Catch::Contains("###   @2='renamed' /* name */"));
  CHECK_THAT(r.out, Catch::Contains("### DELETE FROM `" + db.name() + "`.`t`"));
  CHECK_THAT(r.out, Catch::Contains("GTID_EVENT") && Catch::Contains("XID_EVENT"));

  r = run_my2pg({"binlog", "dump", "--format", "json", "--source", db.source_uri(), "--start",
                 start.file + ":" + start.position});
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(
      r.out,
      Catch::Contains(
          "\"kind\":\"insert\",\"rows\":[{\"after\":{\"id\":4294967295,\"name\":\"caf\xC3\xA9 "
          "\xF0\x9F\x98\x80\",\"amount\":\"-12.50\",\"at\":\"2024-02-29 23:59:59.000001\""));
  CHECK_THAT(r.out, Catch::Contains("\"kind\":\"update\""));
  CHECK_THAT(r.out, Catch::Contains("\"kind\":\"delete\""));

  SECTION("starting after a MariaDB GTID gives exactly the later transactions") {
    const MasterStatus before_last = master_status(db.source());
    db.source().execute("INSERT INTO t (id, name) VALUES (7, 'after gtid')");
    r = run_my2pg(
        {"binlog", "dump", "--source", db.source_uri(), "--start-gtid", before_last.gtid});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("'after gtid'"));
    CHECK(r.out.find("'renamed'") == std::string::npos);
  }
  SECTION("the server's own files decode the same rows") {
    const auto dir = db.source().query("SELECT @@log_bin_basename").rows.at(0).at(0).value_or("");
    const std::string file = dir.substr(0, dir.rfind('/') + 1) + start.file;
    // The server is writing this file for the tests running alongside: its last event may be
    // half written at the moment it is read, which the reader rightly calls a truncated file.
    for (int attempt = 0; attempt < 10; ++attempt) {
      r = run_my2pg({"binlog", "dump", "--start", start.file + ":" + start.position, file});
      if (r.exit_code == 0 || r.err.find("truncated") == std::string::npos) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("###   @2='caf\xC3\xA9 \xF0\x9F\x98\x80' /* name */"));
  }
}

TEST_CASE("binlog dump refuses bad arguments and unreadable positions clearly", "[binlog][cli]") {
  TestDatabases db;
  auto r = run_my2pg({"binlog", "dump"}, {"MY2PG_SOURCE="});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("give binlog files to read, or --source URI"));
  r = run_my2pg({"binlog", "list"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("usage: my2pg binlog dump"));
  r = run_my2pg({"binlog", "dump", "--format", "xml", "/dev/null"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("--format is text or json"));
  r = run_my2pg({"binlog", "dump", "--start", "nofile", "--source", db.source_uri()});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("--start takes FILE:POSITION"));
  r = run_my2pg({"binlog", "dump", "--start", "mariadb-bin.999999:4", "--source", db.source_uri()});
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains("cannot send its binary log from the requested start") &&
                        Catch::Contains("purged"));
  CHECK(r.err.find(my2pg::mysql::Endpoint::parse(db.source_uri()).password) == std::string::npos);
  r = run_my2pg({"binlog", "dump", "/etc/hostname"});
  CHECK(r.exit_code == 7);
  CHECK_THAT(r.err, Catch::Contains("not a binlog file"));
  r = run_my2pg({"binlog", "dump", "/nonexistent/mariadb-bin.000001"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("cannot open binlog file /nonexistent/mariadb-bin.000001"));
}
