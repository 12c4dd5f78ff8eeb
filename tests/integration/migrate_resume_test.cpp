// `my2pg migrate` killed with SIGKILL in mid-copy and started again: it keeps the tables that
// were committed, copies the rest, and ends with the same data as an uninterrupted run.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "support/servers.hpp"

using my2pg::test::run_my2pg;
using my2pg::test::spawn_my2pg;
using my2pg::test::TestDatabases;

TEST_CASE("killed with SIGKILL in mid-copy, a new run resumes and ends equal", "[migrate_resume]") {
  TestDatabases db;
  const std::vector<std::string> names = {"t1", "t2", "t3", "t4", "t5", "t6"};
  for (const auto& t : names) {
    db.source().execute("CREATE TABLE " + t + " (id INT PRIMARY KEY, v VARCHAR(200))");
    db.source().execute("INSERT INTO " + t + " SELECT seq, REPEAT('r', 150) FROM seq_1_to_150000");
  }
  const std::vector<std::string> args = {"migrate", "--source", db.source_uri(), "--target",
                                         db.target_uri()};
  const pid_t pid = spawn_my2pg(args);
  REQUIRE(pid > 0);
  // Kill it once at least one table is committed and before all are.
  const std::string copied =
      "SELECT count(*) FROM my2pg.table_state WHERE source_database = '" + db.name() + "'";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  std::string done = "0";
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      done = db.target_value(copied);
    } catch (const std::exception&) {  // the control schema may not exist yet
    }
    if (done != "0") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(WIFSIGNALED(status));
  done = db.target_value(copied);
  INFO("tables committed before the kill: " << done);
  REQUIRE(std::stoi(done) >= 1);
  REQUIRE(std::stoi(done) < 6);
  CHECK(db.target_value("SELECT state FROM my2pg.snapshot WHERE source_database = '" + db.name() +
                        "'") == "copying");

  // The source changes meanwhile: a resumed table is copied as it is now.
  db.source().execute("INSERT INTO t6 VALUES (150001, 'late')");
  const auto r = run_my2pg(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("resuming the unfinished copy"));
  CHECK_THAT(r.out, Catch::Contains("resumed: " + done + " table(s) were copied by an earlier"));
  const std::string s = "\"" + db.name() + "\"";
  for (const auto& t : names) {
    const auto src = db.source().query("SELECT COUNT(*), SUM(id), SUM(LENGTH(v)) FROM " + t);
    const auto& row = src.rows.at(0);
    INFO("table " << t);
    CHECK(db.target_value("SELECT concat_ws(',', count(*), sum(id), sum(length(v))) FROM " + s +
                          "." + t) ==
          row.at(0).value_or("") + "," + row.at(1).value_or("") + "," + row.at(2).value_or(""));
  }
  CHECK(db.target_value(copied) == "6");
  CHECK(db.target_value("SELECT count(*) FROM my2pg.table_state WHERE source_database = '" +
                        db.name() + "' AND binlog_pos IS NOT NULL") == "6");
  CHECK(db.target_value("SELECT state FROM my2pg.snapshot WHERE source_database = '" + db.name() +
                        "'") == "done");
  CHECK(db.target_value("SELECT count(*) FROM pg_constraint WHERE contype = 'p' AND "
                        "connamespace = '" +
                        s + "'::regnamespace") == "6");
}
