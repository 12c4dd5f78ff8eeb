// replica/schema_change: the target statements for a source schema change, from the tracked
// model before and after the statement (parsed by schema/ddl_tracker, mapped by the default
// rules), as replicate runs them.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "replica/schema_change.hpp"
#include "schema/ddl_tracker.hpp"
#include "snapshot/migrate.hpp"
#include "snapshot/source_model.hpp"

using my2pg::schema::TrackedSchema;

namespace {

my2pg::schema::Catalog catalog_of(const TrackedSchema& s) {
  my2pg::schema::Catalog c;
  c.database = s.database;
  for (const auto& [name, table] : s.tables) c.tables.push_back(table);
  return c;
}

// The tracked schema after `setup`, then the target statements for `change`, one per line.
std::string statements(const std::vector<std::string>& setup, const std::string& change) {
  TrackedSchema schema;
  schema.database = "shop";
  const auto all = [](const std::string&) { return true; };
  for (const std::string& sql : setup) my2pg::schema::apply_ddl(schema, sql, "shop", all);
  const my2pg::snapshot::ModelOptions options;
  const auto before = my2pg::snapshot::map_model(catalog_of(schema), options, false);
  const auto changes = my2pg::schema::apply_ddl(schema, change, "shop", all);
  const auto after = my2pg::snapshot::map_model(catalog_of(schema), options, false);
  std::string out;
  for (const auto& s : my2pg::replica::target_changes(before, after, changes)) out += s.sql + "\n";
  return out;
}

}  // namespace

TEST_CASE("an added NOT NULL column without a default gets the type's zero for existing rows",
          "[schema_change]") {
  const std::string sql = statements({"CREATE TABLE t (id INT PRIMARY KEY)"},
                                     "ALTER TABLE t ADD COLUMN n INT NOT NULL, ADD s VARCHAR(5) "
                                     "NOT NULL DEFAULT 'x', ADD COLUMN m TEXT");
  CHECK(sql ==
        "ALTER TABLE \"shop\".\"t\" ADD COLUMN \"n\" integer DEFAULT 0 NOT NULL\n"
        "ALTER TABLE \"shop\".\"t\" ALTER COLUMN \"n\" DROP DEFAULT\n"
        "ALTER TABLE \"shop\".\"t\" ADD COLUMN \"s\" varchar(5) DEFAULT 'x' NOT NULL\n"
        "ALTER TABLE \"shop\".\"t\" ADD COLUMN \"m\" text\n");
}

TEST_CASE("columns swapped by name go through temporary names", "[schema_change]") {
  const std::string sql =
      statements({"CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT, c INT)"},
                 "ALTER TABLE t RENAME COLUMN a TO tmp, RENAME COLUMN b TO a, RENAME COLUMN tmp TO "
                 "b, DROP COLUMN c");
  CHECK(sql ==
        "ALTER TABLE \"shop\".\"t\" DROP COLUMN IF EXISTS \"c\" CASCADE\n"
        "ALTER TABLE \"shop\".\"t\" RENAME COLUMN \"a\" TO \"my2pg_rename_column_0\"\n"
        "ALTER TABLE \"shop\".\"t\" RENAME COLUMN \"b\" TO \"my2pg_rename_column_1\"\n"
        "ALTER TABLE \"shop\".\"t\" RENAME COLUMN \"my2pg_rename_column_0\" TO \"b\"\n"
        "ALTER TABLE \"shop\".\"t\" RENAME COLUMN \"my2pg_rename_column_1\" TO \"a\"\n");
}

TEST_CASE("a renamed table takes its key, index and check names along", "[schema_change]") {
  const std::string sql = statements(
      {"CREATE TABLE t (id INT PRIMARY KEY, v INT, KEY k_v (v), CONSTRAINT pos CHECK (v > 0))"},
      "RENAME TABLE t TO u");
  CHECK(sql.find("ALTER TABLE \"shop\".\"t\" RENAME TO \"my2pg_rename_0\"\n"
                 "ALTER TABLE \"shop\".\"my2pg_rename_0\" RENAME TO \"u\"\n") == 0);
  CHECK(sql.find("ALTER TABLE \"shop\".\"u\" RENAME CONSTRAINT \"t_pkey\" TO ") !=
        std::string::npos);
  CHECK(sql.find("ALTER INDEX IF EXISTS \"shop\".\"t_k_v\" RENAME TO ") != std::string::npos);
  CHECK(sql.find("RENAME TO \"u_k_v\"") != std::string::npos);
  CHECK(sql.find("RENAME CONSTRAINT \"t_pos\" TO ") != std::string::npos);
  CHECK(sql.find("TO \"u_pos\"") != std::string::npos);
  // Nothing is dropped or made again: the objects are the same.
  CHECK(sql.find("DROP") == std::string::npos);
  CHECK(sql.find("CREATE") == std::string::npos);
}

TEST_CASE("a changed index is dropped and made again and a retyped column is cast",
          "[schema_change]") {
  const std::string sql =
      statements({"CREATE TABLE t (id INT PRIMARY KEY, a INT, b VARCHAR(10), KEY k (a))"},
                 "ALTER TABLE t DROP INDEX k, ADD INDEX k (a, b), MODIFY b VARCHAR(40) NOT NULL");
  CHECK(sql ==
        "DROP INDEX IF EXISTS \"shop\".\"t_k\"\n"
        "ALTER TABLE \"shop\".\"t\" ALTER COLUMN \"b\" TYPE varchar(40) USING "
        "\"b\"::varchar(40)\n"
        "UPDATE \"shop\".\"t\" SET \"b\" = '' WHERE \"b\" IS NULL\n"
        "ALTER TABLE \"shop\".\"t\" ALTER COLUMN \"b\" SET NOT NULL\n"
        "CREATE INDEX IF NOT EXISTS \"t_k\" ON \"shop\".\"t\" (\"a\", \"b\")\n");
}

TEST_CASE("a created table comes with its key and indexes and unvalidated foreign keys",
          "[schema_change]") {
  const std::string sql = statements(
      {"CREATE TABLE p (id INT PRIMARY KEY)"},
      "CREATE TABLE c (id INT AUTO_INCREMENT PRIMARY KEY, p_id INT, CONSTRAINT fk FOREIGN "
      "KEY (p_id) REFERENCES p (id) ON DELETE CASCADE)");
  CHECK(sql.find("CREATE TABLE \"shop\".\"c\"") != std::string::npos);
  CHECK(sql.find("GENERATED BY DEFAULT AS IDENTITY") != std::string::npos);
  CHECK(sql.find("ALTER TABLE \"shop\".\"c\" ADD CONSTRAINT \"c_pkey\" PRIMARY KEY (\"id\")") !=
        std::string::npos);
  CHECK(sql.find("ADD CONSTRAINT \"fk\" FOREIGN KEY (\"p_id\") REFERENCES \"shop\".\"p\" (\"id\") "
                 "ON UPDATE RESTRICT ON DELETE CASCADE NOT VALID") != std::string::npos);
}

TEST_CASE("changes PostgreSQL cannot repeat on existing rows stop the apply if there are rows",
          "[schema_change]") {
  const std::string sql =
      statements({"CREATE TABLE t (v INT)"},
                 "ALTER TABLE t ADD COLUMN id INT AUTO_INCREMENT PRIMARY KEY, ADD COLUMN at "
                 "DATETIME NOT NULL, ADD COLUMN ts TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP");
  CHECK(sql.find("DO $my2pg$ BEGIN IF EXISTS (SELECT 1 FROM \"shop\".\"t\") THEN RAISE EXCEPTION "
                 "'%', 'the source added AUTO_INCREMENT column shop.t.id") != std::string::npos);
  CHECK(sql.find("NOT NULL column shop.t.at without a default") != std::string::npos);
  CHECK(sql.find("column shop.t.ts with DEFAULT") != std::string::npos);
  CHECK(sql.find("my2pg resync --table shop.t") != std::string::npos);
}

TEST_CASE("dropped tables and tables outside the model", "[schema_change]") {
  const std::string sql =
      statements({"CREATE TABLE a (id INT PRIMARY KEY)", "CREATE TABLE b (id INT PRIMARY KEY)"},
                 "DROP TABLE a, b");
  CHECK(sql ==
        "DROP TABLE IF EXISTS \"shop\".\"a\" CASCADE\n"
        "DROP TABLE IF EXISTS \"shop\".\"b\" CASCADE\n");
}

TEST_CASE("bytes and text change type as MySQL does: the bytes kept", "[schema_change]") {
  const std::string sql =
      statements({"CREATE TABLE t (id INT PRIMARY KEY, b VARBINARY(20), s VARCHAR(20) CHARACTER "
                  "SET latin1, p VARCHAR(20))"},
                 "ALTER TABLE t MODIFY b VARCHAR(20), MODIFY s VARBINARY(20), MODIFY p BINARY(20)");
  CHECK(sql.find("ALTER COLUMN \"b\" TYPE varchar(20) USING convert_from(\"b\", 'UTF8')::"
                 "varchar(20)") != std::string::npos);
  CHECK(sql.find("ALTER COLUMN \"s\" TYPE bytea USING convert_to(\"s\", 'WIN1252')") !=
        std::string::npos);
  // BINARY pads with zero bytes: applied only to an empty table.
  CHECK(sql.find("from varchar(20) to binary(20): BINARY pads the bytes with zeros") !=
        std::string::npos);
}

TEST_CASE("a renamed key column keeps the keys and foreign keys that use it", "[schema_change]") {
  const std::string sql =
      statements({"CREATE TABLE a (id INT PRIMARY KEY, v INT, KEY k (v, id))",
                  "CREATE TABLE b (id INT PRIMARY KEY, a_id INT, CONSTRAINT fk FOREIGN KEY (a_id) "
                  "REFERENCES a (id))"},
                 "ALTER TABLE a CHANGE id aid INT NOT NULL");
  CHECK(sql ==
        "ALTER TABLE \"shop\".\"a\" RENAME COLUMN \"id\" TO \"my2pg_rename_column_0\"\n"
        "ALTER TABLE \"shop\".\"a\" RENAME COLUMN \"my2pg_rename_column_0\" TO \"aid\"\n");
}

TEST_CASE("a changed primary key takes the foreign keys onto it along, dropped first",
          "[schema_change]") {
  const std::string sql =
      statements({"CREATE TABLE a (id INT, v INT NOT NULL, PRIMARY KEY (id))",
                  "CREATE TABLE b (id INT PRIMARY KEY, a_id INT, CONSTRAINT fk FOREIGN KEY (a_id) "
                  "REFERENCES a (id))"},
                 "ALTER TABLE a DROP PRIMARY KEY, ADD PRIMARY KEY (id, v)");
  CHECK(sql ==
        "ALTER TABLE \"shop\".\"b\" DROP CONSTRAINT IF EXISTS \"fk\"\n"
        "ALTER TABLE \"shop\".\"a\" DROP CONSTRAINT IF EXISTS \"a_pkey\"\n"
        "ALTER TABLE \"shop\".\"a\" ADD CONSTRAINT \"a_pkey\" PRIMARY KEY (\"id\", \"v\")\n"
        "ALTER TABLE \"shop\".\"b\" ADD CONSTRAINT \"fk\" FOREIGN KEY (\"a_id\") REFERENCES "
        "\"shop\".\"a\" (\"id\") ON UPDATE RESTRICT ON DELETE RESTRICT NOT VALID\n");
}

TEST_CASE("NULLs of a column made NOT NULL get the type's zero value or stop the apply",
          "[schema_change]") {
  const std::string sql =
      statements({"CREATE TABLE t (id INT PRIMARY KEY, n INT, d DATETIME)"},
                 "ALTER TABLE t MODIFY n INT NOT NULL, MODIFY d DATETIME NOT NULL");
  CHECK(sql.find("UPDATE \"shop\".\"t\" SET \"n\" = 0 WHERE \"n\" IS NULL") != std::string::npos);
  CHECK(sql.find("SELECT 1 FROM \"shop\".\"t\" WHERE \"d\" IS NULL) THEN RAISE EXCEPTION") !=
        std::string::npos);
}

TEST_CASE("foreign keys come after the keys they refer to", "[schema_change]") {
  const std::string created = statements(
      {}, "CREATE TABLE tree (id INT PRIMARY KEY, up INT, FOREIGN KEY (up) REFERENCES tree (id))");
  CHECK(created.find("PRIMARY KEY") < created.find("FOREIGN KEY"));
  const std::string renamed =
      statements({"CREATE TABLE p (id INT PRIMARY KEY, code INT, UNIQUE KEY uk (code))",
                  "CREATE TABLE c (id INT PRIMARY KEY, code INT, CONSTRAINT fk FOREIGN KEY (code) "
                  "REFERENCES p (code))"},
                 "ALTER TABLE p RENAME INDEX uk TO uk2");
  CHECK(renamed.find("DROP CONSTRAINT IF EXISTS \"fk\"") < renamed.find("DROP INDEX"));
  CHECK(renamed.find("CREATE UNIQUE INDEX IF NOT EXISTS \"p_uk2\"") <
        renamed.find("ADD CONSTRAINT \"fk\""));
}

TEST_CASE("a renamed column named like its table leaves the table's other keys alone",
          "[schema_change]") {
  const std::string sql =
      statements({"CREATE TABLE status (id INT PRIMARY KEY, status INT, KEY k (id))"},
                 "ALTER TABLE status RENAME COLUMN status TO state");
  CHECK(sql.find("DROP") == std::string::npos);
  CHECK(sql.find("CREATE") == std::string::npos);
}

TEST_CASE("an ENUM made NOT NULL gets '' for its NULLs as MySQL gives", "[schema_change]") {
  const std::string sql = statements({"CREATE TABLE t (id INT PRIMARY KEY, e ENUM('x', 'y'))"},
                                     "ALTER TABLE t MODIFY e ENUM('x', 'y') NOT NULL");
  CHECK(sql.find("SET \"e\" = '' WHERE \"e\" IS NULL") != std::string::npos);
}
