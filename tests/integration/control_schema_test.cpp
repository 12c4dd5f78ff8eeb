// The control schema's migrations run once, in order, and refuse a schema newer than the binary.
#include <catch2/catch.hpp>

#include "common/error.hpp"
#include "control/migrator.hpp"
#include "support/servers.hpp"

using my2pg::test::TestDatabases;

namespace {

// A PostgreSQL database of its own, so the control schema starts absent.
struct FreshTargetDatabase {
  explicit FreshTargetDatabase(TestDatabases& db) : admin(db.target()), name(db.name() + "_ctl") {
    admin.execute("CREATE DATABASE " + name);
    uri = db.target_uri().substr(0, db.target_uri().rfind('/') + 1) + name;
  }
  ~FreshTargetDatabase() {
    try {
      admin.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    } catch (const std::exception&) {
    }
  }
  my2pg::pg::Connection& admin;
  std::string name;
  std::string uri;
};

}  // namespace

TEST_CASE("control schema migrations apply once and are recorded") {
  TestDatabases db;
  FreshTargetDatabase fresh(db);
  my2pg::pg::Connection conn(fresh.uri);

  const auto first = my2pg::control::migrate_control_schema(conn);
  CHECK(first.from_version == 0);
  CHECK(first.to_version == 9);
  const auto second = my2pg::control::migrate_control_schema(conn);
  CHECK(second.from_version == 9);
  CHECK(second.to_version == 9);
  const auto versions =
      conn.query("SELECT version, name FROM my2pg.schema_version ORDER BY version");
  REQUIRE(versions.rows.size() == 9);
  CHECK(versions.rows[0][1] == "0001_control_schema.sql");
  CHECK(versions.rows[1][1] == "0002_identifier_map.sql");
  CHECK(versions.rows[2][1] == "0003_rejects.sql");
  CHECK(versions.rows[3][1] == "0004_table_positions.sql");
  CHECK(versions.rows[4][1] == "0005_chunks.sql");
  CHECK(versions.rows[5][1] == "0006_replica.sql");
  CHECK(versions.rows[6][1] == "0007_replica_progress.sql");
  CHECK(versions.rows[7][1] == "0008_table_pause.sql");
  CHECK(conn.query("SELECT to_regclass('my2pg.table_state') IS NOT NULL").rows[0][0] == "t");
  CHECK(conn.query("SELECT to_regclass('my2pg.identifier_map') IS NOT NULL").rows[0][0] == "t");

  SECTION("a control schema from a newer my2pg is refused") {
    conn.execute("INSERT INTO my2pg.schema_version (version, name) VALUES (999, 'future.sql')");
    REQUIRE_THROWS_WITH(my2pg::control::migrate_control_schema(conn),
                        Catch::Contains("version 999, newer than this my2pg knows (9)"));
  }
}
