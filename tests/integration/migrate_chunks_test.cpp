// Chunked copy: tables with an integer primary key are copied in key ranges, each committed with
// its row in my2pg.chunk_state and the digest of its rows; verification compares those digests
// with the target's; a run killed in mid-copy resumes from the last committed chunk, checking the
// chunks of the earlier snapshot against the new one. Also --data-only and --memory-limit.
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

namespace {

std::string chunk_count(TestDatabases& db, const std::string& state) {
  return db.target_value("SELECT count(*) FROM my2pg.chunk_state WHERE source_database = '" +
                         db.name() + "' AND state = '" + state + "'");
}

// Every source row's text is on the target, and nothing else.
void check_equal(TestDatabases& db, const std::string& table) {
  INFO("table " << table);
  const auto rows = db.source().query("SELECT id, v, n FROM " + table + " ORDER BY id");
  std::string source_text;
  for (const auto& r : rows.rows) {
    source_text += r.at(0).value_or("") + "|" + r.at(1).value_or("<null>") + "|" +
                   r.at(2).value_or("<null>") + "\n";
  }
  const std::string target_text = db.target_value(
      "SELECT coalesce(string_agg(id || '|' || coalesce(v, '<null>') || '|' || "
      "coalesce(n::text, '<null>'), E'\\n' ORDER BY id) || E'\\n', '') FROM \"" +
      db.name() + "\".\"" + table + "\"");
  CHECK(target_text == source_text);
}

void make_table(TestDatabases& db, const std::string& table, int rows) {
  db.source().execute("CREATE TABLE " + table +
                      " (id BIGINT PRIMARY KEY, v VARCHAR(100), n DECIMAL(10,2))");
  db.source().execute("INSERT INTO " + table +
                      " SELECT seq * 3, CONCAT('row ', seq), seq / 7 FROM seq_1_to_" +
                      std::to_string(rows));
  db.source().execute("ANALYZE TABLE " + table);  // the chunk plan goes by the row estimate
}

}  // namespace

TEST_CASE("a table with an integer key is copied in committed chunks and verified by digest",
          "[migrate_chunks]") {
  TestDatabases db;
  make_table(db, "big", 20000);
  // Keys past bigint's range: chunk bounds are worked out in 128 bits.
  db.source().execute(
      "CREATE TABLE wide (id BIGINT UNSIGNED PRIMARY KEY, v VARCHAR(100), n DECIMAL(10,2))");
  db.source().execute(
      "INSERT INTO wide SELECT seq * 3000000000000000, seq, seq FROM seq_1_to_6000");
  db.source().execute("ANALYZE TABLE wide");
  db.source().execute("CREATE TABLE small (id INT PRIMARY KEY, v VARCHAR(100), n DECIMAL(10,2))");
  db.source().execute("INSERT INTO small VALUES (1, 'one', 1.5), (2, NULL, NULL)");
  // Not transactional: chunks read at different moments could miss or repeat moved rows.
  db.source().execute(
      "CREATE TABLE flat (id INT PRIMARY KEY, v VARCHAR(100), n DECIMAL(10,2)) ENGINE=MyISAM");
  db.source().execute("INSERT INTO flat SELECT seq, seq, seq FROM seq_1_to_5000");
  db.source().execute("CREATE TABLE nokey (id INT, v VARCHAR(100), n DECIMAL(10,2))");
  db.source().execute("INSERT INTO nokey VALUES (1, 'a', 0), (1, 'a', 0), (2, 'b', -1)");
  const auto r = run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri(),
                            "--chunk-rows", "2000", "--jobs", "2"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("row counts and row digests verified equal"));
  const std::string big_chunks =
      db.target_value("SELECT count(*) FROM my2pg.chunk_state WHERE source_database = '" +
                      db.name() + "' AND source_table = 'big'");
  CHECK(std::stoi(big_chunks) >= 5);
  CHECK(chunk_count(db, "pending") == "0");
  // The chunks cover the keys without overlap: their row counts add up to the table's.
  CHECK(db.target_value("SELECT sum(rows_copied) FROM my2pg.chunk_state WHERE source_database = '" +
                        db.name() + "' AND source_table = 'big'") == "20000");
  CHECK(db.target_value("SELECT count(*) FROM my2pg.chunk_state WHERE source_database = '" +
                        db.name() + "' AND (digest IS NULL OR binlog_pos IS NULL)") == "0");
  // Small and key-less tables are one whole-table chunk.
  CHECK(db.target_value("SELECT string_agg(source_table || ':' || count, ',' ORDER BY "
                        "source_table) FROM (SELECT source_table, count(*) FROM my2pg.chunk_state "
                        "WHERE source_database = '" +
                        db.name() + "' AND key_column IS NULL GROUP BY source_table) c") ==
        "flat:1,nokey:1,small:1");
  CHECK(std::stoi(db.target_value(
            "SELECT count(*) FROM my2pg.chunk_state WHERE source_database = '" + db.name() +
            "' AND source_table = 'wide' AND upper_bound::numeric > 9223372036854775807")) >= 1);
  check_equal(db, "big");
  check_equal(db, "wide");
  check_equal(db, "small");
  check_equal(db, "nokey");
  check_equal(db, "flat");
}

TEST_CASE("killed in mid-chunk, a new run keeps the committed chunks and re-copies changed ones",
          "[migrate_chunks]") {
  TestDatabases db;
  make_table(db, "t", 60000);
  const std::vector<std::string> args = {
      "migrate", "--source", db.source_uri(), "--target", db.target_uri(), "--chunk-rows", "3000"};
  const pid_t pid = spawn_my2pg(args);
  REQUIRE(pid > 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  int copied = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      copied = std::stoi(chunk_count(db, "copied"));
    } catch (const std::exception&) {  // the control schema may not exist yet
    }
    if (copied >= 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(WIFSIGNALED(status));
  copied = std::stoi(chunk_count(db, "copied"));
  const int pending = std::stoi(chunk_count(db, "pending"));
  INFO("chunks committed before the kill: " << copied << ", pending: " << pending);
  REQUIRE(copied >= 2);
  REQUIRE(pending >= 1);
  // Nothing but committed chunks is on the target.
  CHECK(db.target_value("SELECT count(*) FROM \"" + db.name() + "\".t") ==
        db.target_value("SELECT sum(rows_copied) FROM my2pg.chunk_state WHERE source_database = '" +
                        db.name() + "' AND state = 'copied'"));

  // The source moves on: a row of the first (committed) chunk changes, one is deleted, and rows
  // are added at both ends of the key range.
  db.source().execute("UPDATE t SET v = 'changed after the kill' WHERE id = 3");
  db.source().execute("DELETE FROM t WHERE id = 6");
  db.source().execute("INSERT INTO t VALUES (-5, 'before the first', 1), (999999, 'late', 2)");
  const auto r = run_my2pg(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("resuming the unfinished copy"));
  CHECK_THAT(r.err, Catch::Contains("chunk 0 changed since the earlier snapshot"));
  CHECK_THAT(r.out, Catch::Contains("resumed: " + std::to_string(copied) + " chunk(s)"));
  CHECK_THAT(r.out, Catch::Contains("row counts and row digests verified equal"));
  check_equal(db, "t");
  CHECK(chunk_count(db, "pending") == "0");
  // Every chunk is recorded at the new snapshot's position.
  CHECK(db.target_value("SELECT count(DISTINCT binlog_file || ':' || binlog_pos) FROM "
                        "my2pg.chunk_state WHERE source_database = '" +
                        db.name() + "'") == "1");
  CHECK(db.target_value("SELECT state FROM my2pg.snapshot WHERE source_database = '" + db.name() +
                        "'") == "done");
}

TEST_CASE("data-only loads existing tables with triggers off, and verification finds a change",
          "[migrate_chunks]") {
  TestDatabases db;
  make_table(db, "t", 5000);
  db.source().execute(
      "CREATE TABLE child (id INT PRIMARY KEY, t_id BIGINT, "
      "FOREIGN KEY (t_id) REFERENCES t (id))");
  db.source().execute("INSERT INTO child VALUES (1, 3), (2, 6)");
  const std::string s = "\"" + db.name() + "\"";
  const std::vector<std::string> base = {"--source", db.source_uri(), "--target", db.target_uri()};
  auto with = [&](std::vector<std::string> args, const std::vector<std::string>& more) {
    args.insert(args.end(), base.begin(), base.end());
    args.insert(args.end(), more.begin(), more.end());
    return run_my2pg(args);
  };

  // No tables yet: say what to do.
  auto r = with({"migrate", "--data-only"}, {});
  CHECK(r.exit_code == 4);
  CHECK_THAT(r.err,
             Catch::Contains("does not exist on the target") && Catch::Contains("my2pg schema"));
  r = with({"migrate", "--data-only", "--schema-only"}, {});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("--schema-only and --data-only exclude each other"));

  r = with({"schema"}, {});
  REQUIRE(r.exit_code == 0);
  // A column whose type is not the mapped one is refused before anything is loaded.
  db.target().execute("ALTER TABLE " + s + ".t ALTER COLUMN n TYPE text");
  r = with({"migrate", "--data-only"}, {});
  CHECK(r.exit_code == 4);
  CHECK_THAT(r.err, Catch::Contains("column " + db.name() + ".t.n is text on the target") &&
                        Catch::Contains("numeric(10,2)"));
  db.target().execute("ALTER TABLE " + s + ".t ALTER COLUMN n TYPE numeric(10,2) USING n::numeric");
  db.target().execute("ALTER TABLE " + s + ".t RENAME COLUMN v TO w");
  r = with({"migrate", "--data-only"}, {});
  CHECK(r.exit_code == 4);
  CHECK_THAT(r.err, Catch::Contains("column " + db.name() + ".t.v does not exist on the target"));
  db.target().execute("ALTER TABLE " + s + ".t RENAME COLUMN w TO v");

  // A trigger that would refuse every row, and the child's foreign key, are off during the load
  // (child may be loaded before t).
  db.target().execute("CREATE FUNCTION " + s +
                      ".refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION "
                      "'trigger fired'; END $$");
  db.target().execute("CREATE TRIGGER refuse BEFORE INSERT ON " + s +
                      ".t FOR EACH ROW EXECUTE FUNCTION " + s + ".refuse()");
  r = with({"migrate", "--data-only", "--chunk-rows", "1000"}, {});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("row counts and row digests verified equal"));
  check_equal(db, "t");
  CHECK(db.target_value("SELECT count(*) FROM " + s + ".child") == "2");
  // The schema stayed as it was: the trigger is still there and fires for new rows.
  CHECK(db.target_value("SELECT count(*) FROM pg_trigger WHERE tgname = 'refuse'") == "1");

  // Filled tables are not loaded again unless --replace empties them.
  r = with({"migrate", "--data-only"}, {});
  CHECK(r.exit_code == 4);
  CHECK_THAT(r.err, Catch::Contains("already copied") && Catch::Contains("--replace"));
  db.target().execute("DELETE FROM my2pg.snapshot WHERE source_database = '" + db.name() + "'");
  r = with({"migrate", "--data-only"}, {});
  CHECK(r.exit_code == 4);
  CHECK_THAT(r.err, Catch::Contains("already holds rows") && Catch::Contains("TRUNCATE"));

  // A trigger that fires even for replication sessions changes what is stored: verification
  // names the key range whose rows differ, and the exit code says so.
  db.target().execute("DROP TRIGGER refuse ON " + s + ".t");
  db.target().execute("CREATE FUNCTION " + s +
                      ".shout() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.id = 30 THEN "
                      "NEW.v := upper(NEW.v); END IF; RETURN NEW; END $$");
  db.target().execute("CREATE TRIGGER shout BEFORE INSERT ON " + s +
                      ".t FOR EACH ROW EXECUTE FUNCTION " + s + ".shout()");
  db.target().execute("ALTER TABLE " + s + ".t ENABLE ALWAYS TRIGGER shout");
  r = with({"migrate", "--data-only", "--replace", "--chunk-rows", "1000"}, {});
  CHECK(r.exit_code == 6);
  CHECK_THAT(r.err, Catch::Contains("verification failed") &&
                        Catch::Contains(db.name() + ".t \"id\" <= ") &&
                        Catch::Contains("their values differ"));
  CHECK(db.target_value("SELECT v FROM " + s + ".t WHERE id = 30") == "ROW 10");
}

TEST_CASE("a row larger than the memory limit allows stops the copy and names it",
          "[migrate_chunks]") {
  TestDatabases db;
  db.source().execute("CREATE TABLE blobs (id INT PRIMARY KEY, b LONGBLOB)");
  db.source().execute("INSERT INTO blobs VALUES (1, 'small'), (2, REPEAT('x', 5000000))");
  auto r = run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri(),
                      "--memory-limit", "16M"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains(db.name() + ".blobs at id=2 holds 5000001 bytes") &&
                        Catch::Contains("raise --memory-limit"));
  r = run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri(),
                 "--memory-limit", "20M", "--jobs", "2"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("too small for 2 job(s)"));
  r = run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri(),
                 "--memory-limit", "lots"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("--memory-limit must be a size such as 512M"));
  r = run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri(),
                 "--memory-limit", "64M"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(db.target_value("SELECT length(b) FROM \"" + db.name() + "\".blobs WHERE id = 2") ==
        "5000000");
}

TEST_CASE(
    "a resumed copy re-copies a chunk whose rows became unstorable, and refuses other options",
    "[migrate_chunks]") {
  TestDatabases db;
  make_table(db, "t", 6000);  // ids 3..18000, about 6 chunks
  db.source().execute("UPDATE t SET v = CONCAT('bad', CHAR(0)) WHERE id = 18000");
  const std::vector<std::string> args = {
      "migrate", "--source", db.source_uri(), "--target", db.target_uri(), "--chunk-rows", "1000"};
  auto with = [&](const std::vector<std::string>& more) {
    std::vector<std::string> all = args;
    all.insert(all.end(), more.begin(), more.end());
    return run_my2pg(all);
  };
  auto r = with({});
  REQUIRE(r.exit_code == 5);  // stops in the last chunk; the ones before are committed
  CHECK_THAT(r.err, Catch::Contains("at id=18000"));
  REQUIRE(std::stoi(chunk_count(db, "copied")) >= 3);

  // Control rows are checked before they go into SQL.
  const std::string chunk0 = " WHERE source_database = '" + db.name() + "' AND chunk_no = 0";
  const std::string bound = db.target_value("SELECT upper_bound FROM my2pg.chunk_state" + chunk0);
  db.target().execute("UPDATE my2pg.chunk_state SET upper_bound = '1 OR true'" + chunk0);
  r = with({});
  CHECK(r.exit_code == 4);
  CHECK_THAT(r.err, Catch::Contains("holds a chunk bound '1 OR true'"));
  db.target().execute("UPDATE my2pg.chunk_state SET upper_bound = '" + bound + "'" + chunk0);

  // Resuming needs the same options.
  r = with({"--data-only"});
  CHECK(r.exit_code == 4);
  CHECK_THAT(r.err, Catch::Contains("was made with other options") &&
                        Catch::Contains("--replace to start over"));

  // The bad row is fixed, but a row of the first, committed chunk turns bad: the chunk no
  // longer matches the new snapshot, is copied again, and stops on it.
  db.source().execute("UPDATE t SET v = 'fixed' WHERE id = 18000");
  db.source().execute("UPDATE t SET v = CONCAT('now bad', CHAR(0)) WHERE id = 3");
  r = with({});
  CHECK(r.exit_code == 5);
  CHECK_THAT(r.err, Catch::Contains("chunk 0 changed since the earlier snapshot") &&
                        Catch::Contains("at id=3"));
  // Setting such rows aside, it ends with that row in my2pg.rejects, recorded in chunk 0.
  r = with({"--on-error", "skip-row"});
  INFO(r.err);
  CHECK(r.exit_code == 8);
  CHECK(db.target_value("SELECT count(*) FROM \"" + db.name() + "\".t") == "5999");
  CHECK(db.target_value("SELECT string_agg(row_key || ' chunk ' || chunk_no, ',') FROM "
                        "my2pg.rejects WHERE source_database = '" +
                        db.name() + "'") == "id=3 chunk 0");
  CHECK(db.target_value("SELECT v FROM \"" + db.name() + "\".t WHERE id = 18000") == "fixed");
}

TEST_CASE("data-only as a role that cannot turn triggers off warns, and will not delete rows",
          "[migrate_chunks]") {
  TestDatabases db;
  make_table(db, "t", 3000);  // ids 3..9000
  db.source().execute("UPDATE t SET v = CONCAT('bad', CHAR(0)) WHERE id = 9000");
  REQUIRE(
      run_my2pg({"schema", "--source", db.source_uri(), "--target", db.target_uri()}).exit_code ==
      0);
  const std::string role = db.name() + "_loader";
  const std::string s = "\"" + db.name() + "\"";
  db.target().execute("CREATE ROLE " + role + " LOGIN PASSWORD 'loader-pw'");
  struct DropRole {
    TestDatabases& db;
    std::string role;
    ~DropRole() {
      try {
        db.target().execute("DROP OWNED BY " + role + " CASCADE");
        db.target().execute("DROP ROLE " + role);
      } catch (const std::exception&) {
      }
    }
  } drop{db, role};
  for (const std::string& schema : {s, std::string("my2pg")}) {
    db.target().execute("GRANT USAGE, CREATE ON SCHEMA " + schema + " TO " + role);
    db.target().execute("GRANT ALL ON ALL TABLES IN SCHEMA " + schema + " TO " + role);
    db.target().execute("GRANT ALL ON ALL SEQUENCES IN SCHEMA " + schema + " TO " + role);
  }
  // The same server and database, as the loader role.
  const std::string uri = db.target_uri();
  const std::string as_loader =
      "postgresql://" + role + ":loader-pw@" + uri.substr(uri.find('@') + 1);
  const std::vector<std::string> args = {"migrate", "--source",    db.source_uri(), "--target",
                                         as_loader, "--data-only", "--chunk-rows",  "500"};
  auto r = run_my2pg(args);
  CHECK(r.exit_code == 5);
  CHECK_THAT(r.err, Catch::Contains("could not turn triggers and foreign-key checks off") &&
                        Catch::Contains("they stay on"));
  REQUIRE(std::stoi(chunk_count(db, "copied")) >= 2);
  // A committed chunk changes on the source: copying it again means deleting its rows, which
  // with triggers on could fire actions on other tables: refused, saying what to do.
  db.source().execute("UPDATE t SET v = 'fixed' WHERE id = 9000");
  db.source().execute("UPDATE t SET v = 'changed' WHERE id = 3");
  r = run_my2pg(args);
  CHECK(r.exit_code == 4);
  CHECK_THAT(r.err, Catch::Contains("chunk 0 of " + db.name() + ".t changed") &&
                        Catch::Contains("session_replication_role = replica") &&
                        Catch::Contains("--replace"));
  CHECK(db.target_value("SELECT v FROM " + s + ".t WHERE id = 3") == "row 1");
}

TEST_CASE("when one worker fails the others give up their chunk instead of finishing it",
          "[migrate_chunks]") {
  TestDatabases db;
  make_table(db, "big", 300000);  // the largest table, taken first, copied as one chunk
  db.source().execute("CREATE TABLE bad (id INT PRIMARY KEY, t TEXT)");
  db.source().execute("INSERT INTO bad VALUES (1, CONCAT('a', CHAR(0)))");
  const auto r = run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri(),
                            "--jobs", "2", "--chunk-rows", "0"});
  CHECK(r.exit_code == 5);
  CHECK_THAT(r.err, Catch::Contains(db.name() + ".bad.t"));
  CHECK_THAT(r.err, !Catch::Contains("another worker failed"));  // the first error is reported
  CHECK(db.target_value("SELECT state FROM my2pg.chunk_state WHERE source_database = '" +
                        db.name() + "' AND source_table = 'big'") == "pending");
  CHECK(db.target_value("SELECT count(*) FROM \"" + db.name() + "\".big") == "0");
}
