// User mapping rules (--mapping) through `my2pg migrate` on real servers: opt-in narrower types,
// value policies, rule errors, and the refusal when existing data would not fit.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <string>

#include "support/servers.hpp"

using my2pg::test::run_my2pg;
using my2pg::test::TestDatabases;

namespace {

class RulesFile {
 public:
  explicit RulesFile(const std::string& yaml) {
    char name[] = "/tmp/my2pg-rules-XXXXXX.yaml";
    const int fd = mkstemps(name, 5);
    REQUIRE(fd >= 0);
    REQUIRE(write(fd, yaml.data(), yaml.size()) == static_cast<ssize_t>(yaml.size()));
    close(fd);
    m_path = name;
  }
  ~RulesFile() { std::remove(m_path.c_str()); }
  RulesFile(const RulesFile&) = delete;
  RulesFile& operator=(const RulesFile&) = delete;
  const std::string& path() const { return m_path; }

 private:
  std::string m_path;
};

my2pg::test::CommandResult migrate(TestDatabases& db, const RulesFile& rules,
                                   const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"migrate",       "--source",  db.source_uri(), "--target",
                                   db.target_uri(), "--mapping", rules.path()};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_my2pg(args);
}

}  // namespace

TEST_CASE("opt-in rules: TINYINT(1) and BIT(1) to boolean, ENUM to a PostgreSQL enum type",
          "[mapping]") {
  TestDatabases db;
  db.source().execute(
      "CREATE TABLE flags (id INT PRIMARY KEY, active BOOLEAN NOT NULL DEFAULT 1, b BIT(1), "
      "size ENUM('small', 'it''s big', 'x\"l') NOT NULL DEFAULT 'small', n TINYINT)");
  db.source().execute(
      "INSERT INTO flags VALUES (1, 0, b'1', 'it''s big', 5), (2, 1, b'0', 'x\"l', NULL), "
      "(3, 1, NULL, 'small', -1)");
  const RulesFile rules(
      "rules:\n"
      "  - {match: {column_type: tinyint(1)}, target: boolean, why: flags}\n"
      "  - {match: {column_type: bit(1)}, target: boolean, why: one bit}\n"
      "  - {match: {type: enum}, target: enum, why: same labels}\n");
  const auto r = migrate(db, rules);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string t = "\"" + db.name() + "\".flags";
  CHECK(db.target_value("SELECT string_agg(concat_ws('|', active, b, size, n), ';' ORDER BY id) "
                        "FROM " +
                        t) == "f|t|it's big|5;t|f|x\"l;t|small|-1");
  CHECK(db.target_value("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE "
                        "attrelid = '" +
                        t + "'::regclass AND attname = 'active'") == "boolean");
  CHECK(db.target_value("SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum "
                        "e JOIN pg_attribute a ON a.atttypid = e.enumtypid WHERE a.attrelid = '" +
                        t + "'::regclass AND a.attname = 'size'") == "small,it's big,x\"l");
  // The defaults follow the narrower types, and the enum orders as MySQL's does.
  CHECK(db.target_value("INSERT INTO " + t + " (id) VALUES (4) RETURNING concat(active, size)") ==
        "tsmall");
  CHECK(db.target_value("SELECT string_agg(id::text, ',' ORDER BY size, id) FROM " + t) ==
        "3,4,1,2");
}

TEST_CASE("a narrowing rule is refused when source data does not fit it", "[mapping]") {
  TestDatabases db;
  db.source().execute("CREATE TABLE flags (id INT PRIMARY KEY, active TINYINT(1))");
  db.source().execute("INSERT INTO flags VALUES (1, 0), (2, 1), (7, 2), (9, 3)");
  const RulesFile rules(
      "rules:\n  - {match: {column_type: tinyint(1)}, target: boolean, why: flags}\n");
  const auto r = migrate(db, rules);
  CHECK(r.exit_code == 5);
  CHECK_THAT(r.err, Catch::Contains(db.name() + ".flags.active (tinyint(1)) to boolean") &&
                        Catch::Contains("2 source row(s)") && Catch::Contains("'2' at id=7") &&
                        Catch::Contains(rules.path() + " rule 1"));
  CHECK(db.target_value("SELECT to_regclass('" + db.name() + ".flags') IS NULL") == "t");
}

TEST_CASE(
    "value policies: zero dates to NULL or -infinity, NUL bytes stripped, bad UTF-8 "
    "replaced, typmod and default dropped by column glob",
    "[mapping]") {
  TestDatabases db;
  db.source().execute("SET SESSION sql_mode = ''");
  db.source().execute(
      "CREATE TABLE legacy (id INT PRIMARY KEY, d DATE, dt DATETIME(3) NOT NULL, "
      "ts TIMESTAMP NULL, legacy_note VARCHAR(20) DEFAULT 'none', raw VARBINARY(10))");
  db.source().execute(
      "INSERT INTO legacy VALUES (1, '0000-00-00', '0000-00-00 00:00:00', '0000-00-00 00:00:00', "
      "CONCAT('a', CHAR(0), 'b'), NULL), (2, '2021-00-10', '2024-01-02 03:04:05.678', NULL, "
      "'plain', NULL)");
  const RulesFile rules(
      "rules:\n"
      "  - {match: {type: date}, target: date, zero_dates: null, why: zero dates are unknown}\n"
      "  - {match: {type: datetime}, target: 'timestamp({fsp})', zero_dates: -infinity, why: "
      "before all}\n"
      "  - {match: {type: timestamp}, target: 'timestamptz({fsp})', zero_dates: null, why: x}\n"
      "  - {match: {column: '*.legacy.legacy_*'}, target: 'varchar({length})', nul_bytes: strip, "
      "typmod: drop, default: drop, why: cleaned}\n");
  const auto r = migrate(db, rules);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string t = "\"" + db.name() + "\".legacy";
  CHECK(db.target_value("SELECT concat_ws('|', coalesce(d::text, 'NULL'), dt, "
                        "coalesce(ts::text, 'NULL'), legacy_note) FROM " +
                        t + " WHERE id = 1") == "NULL|-infinity|NULL|ab");
  CHECK(db.target_value("SELECT concat_ws('|', coalesce(d::text, 'NULL'), dt) FROM " + t +
                        " WHERE id = 2") == "NULL|2024-01-02 03:04:05.678");
  CHECK(db.target_value("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE "
                        "attrelid = '" +
                        t + "'::regclass AND attname = 'legacy_note'") == "character varying");
  CHECK(db.target_value("SELECT count(*) FROM pg_attrdef WHERE adrelid = '" + t + "'::regclass") ==
        "0");
}

TEST_CASE(
    "mapping rule errors name the file and line, and zero dates to NULL need a nullable column",
    "[mapping]") {
  TestDatabases db;
  db.source().execute("CREATE TABLE t (id INT PRIMARY KEY, d DATE NOT NULL)");
  {
    const RulesFile rules("rules:\n  - {match: {type: date}, target: date, zero_dates: maybe}\n");
    const auto r = migrate(db, rules);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(rules.path() + ":2") && Catch::Contains("maybe"));
  }
  {
    const auto r = run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri(),
                              "--mapping", "/nonexistent/rules.yaml"});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("/nonexistent/rules.yaml"));
  }
  {
    const RulesFile rules(
        "rules:\n  - {match: {type: date}, target: date, zero_dates: null, why: unknown}\n");
    const auto r = migrate(db, rules);
    CHECK(r.exit_code == 5);
    CHECK_THAT(r.err, Catch::Contains(db.name() + ".t.d is NOT NULL") &&
                          Catch::Contains("zero_dates: -infinity"));
  }
}

TEST_CASE("JSON with a NUL escape is refused for jsonb and kept by a json rule", "[mapping]") {
  TestDatabases db;
  db.source().execute("CREATE TABLE docs (id INT PRIMARY KEY, doc JSON)");
  db.source().execute("INSERT INTO docs VALUES (1, '{\"a\": 1}'), (2, '[\"a\\\\u0000b\"]')");
  auto r = run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri()});
  CHECK(r.exit_code == 5);
  CHECK_THAT(r.err, Catch::Contains(db.name() + ".docs.doc") && Catch::Contains("at id=2") &&
                        Catch::Contains("target: json"));
  const RulesFile rules(
      "rules:\n  - {match: {column: '*.docs.doc'}, target: json, why: keeps "
      "every escape}\n");
  r = migrate(db, rules, {"--replace"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(db.target_value("SELECT doc::text FROM \"" + db.name() + "\".docs WHERE id = 2") ==
        "[\"a\\u0000b\"]");
}

TEST_CASE("timestamps mapped across zone kinds and an integer key mapped to numeric verify equal",
          "[mapping]") {
  TestDatabases db;
  db.source().execute(
      "CREATE TABLE events (id INT PRIMARY KEY, at TIMESTAMP(3) NULL, local_at DATETIME(6), "
      "day DATE)");
  db.source().execute(
      "INSERT INTO events SELECT seq, '2024-03-01 10:00:00.250', '2024-03-01 12:30:00.000500', "
      "'2024-02-29' FROM seq_1_to_3000");
  db.source().execute("ANALYZE TABLE events");
  const RulesFile rules(
      "rules:\n"
      "  - {match: {type: timestamp}, target: \"timestamp({fsp})\", why: wall clock in UTC}\n"
      "  - {match: {type: datetime}, target: \"timestamptz({fsp})\", why: read as UTC}\n"
      "  - {match: {type: date}, target: timestamp, why: midnight}\n"
      "  - {match: {column: \"*.events.id\"}, target: \"numeric(12,2)\", why: a key with a "
      "scale}\n");
  const auto r = migrate(db, rules, {"--chunk-rows", "500"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("row digests verified equal"));
  // DATETIME is read as UTC into timestamptz, whatever the server's TimeZone.
  CHECK(db.target_value("SELECT to_char(local_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') "
                        "|| ' ' || to_char(at, 'HH24:MI:SS.MS') || ' ' || day::text FROM \"" +
                        db.name() + "\".events WHERE id = 7") ==
        "2024-03-01 12:30:00.000500 10:00:00.250 2024-02-29 00:00:00");
  // A key whose target has a scale is not cut into ranges: one whole-table chunk.
  CHECK(db.target_value("SELECT count(*) FROM my2pg.chunk_state WHERE source_database = '" +
                        db.name() + "'") == "1");
}
