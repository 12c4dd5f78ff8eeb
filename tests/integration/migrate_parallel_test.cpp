// `my2pg migrate --jobs N`: tables copied in parallel, every worker reading the same consistent
// view while the source keeps committing transactions that touch several tables at once.
#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <thread>

#include "mysql/connection.hpp"
#include "support/servers.hpp"

using my2pg::test::run_my2pg;
using my2pg::test::TestDatabases;

TEST_CASE("parallel workers share one snapshot while writes go on", "[migrate_parallel]") {
  TestDatabases db;
  for (const char* t : {"a", "b", "c", "d"}) {
    db.source().execute(std::string("CREATE TABLE ") + t + " (id INT PRIMARY KEY, v VARCHAR(100))");
    db.source().execute(std::string("INSERT INTO ") + t +
                        " SELECT seq, REPEAT('x', 60) FROM seq_1_to_30000");
  }
  // Every transaction adds the same id to a and b: in any one consistent view they hold the same
  // ids, whichever workers copy them and whenever.
  std::atomic<bool> stop{false};
  std::atomic<int> committed{0};
  std::thread writer([&] {
    my2pg::mysql::Connection conn(my2pg::mysql::Endpoint::parse(db.source_uri()));
    for (int id = 100000; !stop; ++id) {
      conn.execute("BEGIN");
      conn.execute("INSERT INTO a VALUES (" + std::to_string(id) + ", 'w')");
      conn.execute("INSERT INTO b VALUES (" + std::to_string(id) + ", 'w')");
      conn.execute("COMMIT");
      ++committed;
    }
  });
  while (committed < 20) std::this_thread::yield();
  const auto r = run_my2pg(
      {"migrate", "--source", db.source_uri(), "--target", db.target_uri(), "--jobs", "3"});
  stop = true;
  writer.join();
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("global read lock held for") &&
                        Catch::Contains("start 3 snapshot transaction(s)"));
  const std::string s = "\"" + db.name() + "\"";
  const std::string a_rows = db.target_value("SELECT count(*) FROM " + s + ".a");
  CHECK(std::stoi(a_rows) > 30000);  // writes committed before the snapshot are in it
  CHECK(db.target_value("SELECT count(*) FROM " + s + ".b") == a_rows);
  CHECK(db.target_value("SELECT count(*) FROM " + s + ".a FULL JOIN " + s +
                        ".b USING (id) WHERE a.v IS NULL OR b.v IS NULL") == "0");
  CHECK(db.target_value("SELECT count(*) FROM " + s + ".d") == "30000");
  CHECK_THAT(r.out, Catch::Contains("row counts and row digests verified equal"));
}

TEST_CASE("a parallel copy stops at the first bad value and names it", "[migrate_parallel]") {
  TestDatabases db;
  db.source().execute("CREATE TABLE good (id INT PRIMARY KEY)");
  db.source().execute("INSERT INTO good SELECT seq FROM seq_1_to_1000");
  db.source().execute("CREATE TABLE bad (id INT PRIMARY KEY, t TEXT)");
  db.source().execute("INSERT INTO bad VALUES (1, 'ok'), (2, CONCAT('a', CHAR(0)))");
  auto r = run_my2pg(
      {"migrate", "--source", db.source_uri(), "--target", db.target_uri(), "--jobs", "2"});
  CHECK(r.exit_code == 5);
  CHECK_THAT(r.err, Catch::Contains(db.name() + ".bad.t") && Catch::Contains("at id=2"));
  // What was committed stays for a rerun to resume from; the failed chunk left nothing.
  CHECK(db.target_value("SELECT count(*) FROM \"" + db.name() + "\".bad") == "0");
  CHECK_THAT(r.err, Catch::Contains("running the same command again resumes"));
  // Run again setting bad rows aside: it resumes, and only the failed table is copied again.
  r = run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri(), "--jobs", "2",
                 "--on-error", "skip-row"});
  CHECK(r.exit_code == 8);
  CHECK_THAT(r.err, Catch::Contains("resuming the unfinished copy"));
  CHECK(db.target_value("SELECT count(*) FROM \"" + db.name() + "\".bad") == "1");
  CHECK(db.target_value("SELECT count(*) FROM \"" + db.name() + "\".good") == "1000");
  r = run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri(), "--replace",
                 "--jobs", "0"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("--jobs must be a number from 1 to 64"));
}

TEST_CASE("parallel workers cannot clash on names PostgreSQL picks by itself",
          "[migrate_parallel]") {
  TestDatabases db;
  // Table t's array type is named _t; identity sequences of order.item_id and order_item.id
  // would both be order_item_id_seq.
  db.source().execute("CREATE TABLE t (id INT PRIMARY KEY)");
  db.source().execute("CREATE TABLE _t (id INT PRIMARY KEY)");
  db.source().execute("CREATE TABLE `order` (item_id INT AUTO_INCREMENT PRIMARY KEY)");
  db.source().execute("CREATE TABLE order_item (id INT AUTO_INCREMENT PRIMARY KEY)");
  for (const char* t : {"t", "_t", "`order`", "order_item"})
    db.source().execute(std::string("INSERT INTO ") + t + " VALUES (1), (2)");
  for (int run = 0; run < 3; ++run) {
    std::vector<std::string> args = {
        "migrate", "--source", db.source_uri(), "--target", db.target_uri(), "--jobs", "4"};
    if (run > 0) args.push_back("--replace");
    const auto r = run_my2pg(args);
    INFO("run " << run << ": " << r.err);
    REQUIRE(r.exit_code == 0);
  }
  const std::string s = "\"" + db.name() + "\"";
  CHECK(db.target_value("INSERT INTO " + s + ".\"order\" DEFAULT VALUES RETURNING item_id") == "3");
  CHECK(db.target_value("INSERT INTO " + s + ".order_item DEFAULT VALUES RETURNING id") == "3");
}
