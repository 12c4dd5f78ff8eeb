// Spatial columns: PostGIS geometry when the target database has the extension, EWKB in bytea
// otherwise; the SRID and every coordinate arrive either way.
#include <catch2/catch.hpp>

#include <string>

#include "pg/connection.hpp"
#include "support/servers.hpp"

using my2pg::test::PostgisDatabase;
using my2pg::test::run_my2pg;
using my2pg::test::TestDatabases;

namespace {

void make_shapes(TestDatabases& db) {
  db.source().execute("CREATE TABLE shapes (id INT PRIMARY KEY, g GEOMETRY, p POINT)");
  db.source().execute(
      "INSERT INTO shapes VALUES "
      "(1, ST_GeomFromText('POLYGON((0 0,10 0,10 10,0 10,0 0),(2 2,3 2,3 3,2 2))'), "
      "    ST_GeomFromText('POINT(1.5 -2.25)')), "
      "(2, ST_GeomFromText('MULTILINESTRING((1 1,2 2),(3 3,4 5))', 4326), "
      "    ST_GeomFromText('POINT(13.4 52.5)', 4326)), "
      "(3, ST_GeomFromText('GEOMETRYCOLLECTION(POINT(1 1),LINESTRING(0 0,1 1))'), NULL)");
}

std::string one(my2pg::pg::Connection& conn, const std::string& sql) {
  const auto r = conn.query(sql);
  REQUIRE(r.rows.size() == 1);
  return r.rows[0].at(0).value_or("<null>");
}

}  // namespace

TEST_CASE("without PostGIS, spatial values arrive as EWKB in bytea", "[spatial]") {
  TestDatabases db;
  make_shapes(db);
  const auto r = run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string t = "\"" + db.name() + "\".shapes";
  CHECK(db.target_value("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE "
                        "attrelid = '" +
                        t + "'::regclass AND attname = 'g'") == "bytea");
  // SRID 0: EWKB is plain WKB, byte for byte what MariaDB's ST_AsWKB gives.
  for (const char* id : {"1", "3"}) {
    const auto wkb = db.source().query(std::string("SELECT LOWER(HEX(ST_AsWKB(g))) FROM shapes "
                                                   "WHERE id = ") +
                                       id);
    CHECK(db.target_value("SELECT encode(g, 'hex') FROM " + t + " WHERE id = " + id) ==
          wkb.rows.at(0).at(0).value_or(""));
  }
  // SRID 4326: the type gets EWKB's SRID flag and the SRID follows it.
  const auto wkb = db.source().query("SELECT LOWER(HEX(ST_AsWKB(p))) FROM shapes WHERE id = 2");
  const std::string plain = wkb.rows.at(0).at(0).value_or("");
  REQUIRE(plain.size() > 10);
  CHECK(db.target_value("SELECT encode(p, 'hex') FROM " + t + " WHERE id = 2") ==
        "0101000020e6100000" + plain.substr(10));
}

TEST_CASE("with PostGIS on the target, spatial columns become geometry with their SRID",
          "[spatial]") {
  TestDatabases db;
  make_shapes(db);
  PostgisDatabase gis(db);
  const auto r = run_my2pg({"migrate", "--source", db.source_uri(), "--target", gis.uri});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  my2pg::pg::Connection target(gis.uri);
  const std::string t = "\"" + db.name() + "\".shapes";
  CHECK(one(target, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '" +
                        t + "'::regclass AND attname = 'g'") == "geometry");
  for (const char* id : {"1", "2", "3"}) {
    for (const char* column : {"g", "p"}) {
      const auto src = db.source().query(std::string("SELECT ST_AsText(") + column + "), ST_SRID(" +
                                         column + ") FROM shapes WHERE id = " + id);
      INFO("id " << id << ", column " << column);
      const auto& row = src.rows.at(0);
      CHECK(one(target, std::string("SELECT ST_AsText(") + column + ") FROM " + t +
                            " WHERE id = " + id) == row.at(0).value_or("<null>"));
      CHECK(one(target, std::string("SELECT ST_SRID(") + column + ") FROM " + t +
                            " WHERE id = " + id) == row.at(1).value_or("<null>"));
    }
  }
}
