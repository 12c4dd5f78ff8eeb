#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "common/utf8.hpp"
#include "schema/ddl_tracker.hpp"

using my2pg::schema::apply_ddl;
using my2pg::schema::create_table_statement;
using my2pg::schema::DdlError;
using my2pg::schema::DefaultKind;
using my2pg::schema::Generated;
using my2pg::schema::Table;
using my2pg::schema::TableChange;
using my2pg::schema::TrackedSchema;

namespace {

bool all(const std::string&) {
  return true;
}

TrackedSchema shop(bool mariadb = true) {
  TrackedSchema s;
  s.database = "shop";
  s.mariadb = mariadb;
  s.default_charset = "utf8mb4";
  return s;
}

std::vector<TableChange> run(TrackedSchema& s, const std::string& sql) {
  return apply_ddl(s, sql, "shop", all);
}

const my2pg::schema::Column& col(const TrackedSchema& s, const std::string& t,
                                 const std::string& c) {
  const auto* column = s.tables.at(t).column(c);
  REQUIRE(column != nullptr);
  return *column;
}

std::string index_names(const Table& t) {
  std::string out;
  for (const auto& i : t.indexes) out += (out.empty() ? "" : " ") + i.name;
  return out;
}

std::string column_names(const Table& t) {
  std::string out;
  for (const auto& c : t.columns) out += (out.empty() ? "" : " ") + c.name;
  return out;
}

bool same_table(const Table& a, const Table& b) {
  if (a.name != b.name || a.comment != b.comment || a.engine != b.engine ||
      a.primary_key != b.primary_key || a.columns.size() != b.columns.size() ||
      a.indexes.size() != b.indexes.size() || a.foreign_keys.size() != b.foreign_keys.size() ||
      a.checks.size() != b.checks.size())
    return false;
  for (size_t i = 0; i < a.columns.size(); ++i) {
    const auto &x = a.columns[i], &y = b.columns[i];
    if (x.name != y.name || x.data_type != y.data_type || x.column_type != y.column_type ||
        x.nullable != y.nullable || x.is_unsigned != y.is_unsigned ||
        x.auto_increment != y.auto_increment || x.is_json != y.is_json ||
        x.char_length != y.char_length || x.precision != y.precision || x.scale != y.scale ||
        x.fsp != y.fsp || x.charset != y.charset || x.collation != y.collation ||
        x.default_value.kind != y.default_value.kind ||
        x.default_value.value != y.default_value.value ||
        x.on_update_current_timestamp != y.on_update_current_timestamp ||
        x.generated != y.generated || x.generation_expression != y.generation_expression ||
        x.comment != y.comment)
      return false;
  }
  for (size_t i = 0; i < a.indexes.size(); ++i) {
    const auto &x = a.indexes[i], &y = b.indexes[i];
    if (x.name != y.name || x.unique != y.unique || x.kind != y.kind ||
        x.parts.size() != y.parts.size())
      return false;
    for (size_t j = 0; j < x.parts.size(); ++j) {
      if (x.parts[j].column != y.parts[j].column || x.parts[j].prefix != y.parts[j].prefix ||
          x.parts[j].descending != y.parts[j].descending ||
          x.parts[j].expression != y.parts[j].expression)
        return false;
    }
  }
  for (size_t i = 0; i < a.foreign_keys.size(); ++i) {
    const auto &x = a.foreign_keys[i], &y = b.foreign_keys[i];
    if (x.name != y.name || x.columns != y.columns || x.ref_database != y.ref_database ||
        x.ref_table != y.ref_table || x.ref_columns != y.ref_columns ||
        x.on_delete != y.on_delete || x.on_update != y.on_update)
      return false;
  }
  for (size_t i = 0; i < a.checks.size(); ++i) {
    if (a.checks[i].name != b.checks[i].name || a.checks[i].clause != b.checks[i].clause ||
        a.checks[i].enforced != b.checks[i].enforced)
      return false;
  }
  return true;
}

}  // namespace

TEST_CASE("ddl tracker: CREATE TABLE spells MariaDB's column types", "[ddl_tracker]") {
  auto s = shop();
  const auto changes = run(s,
                           "CREATE TABLE /* c */ `t` (id INT UNSIGNED NOT NULL AUTO_INCREMENT, "
                           "a TINYINT, b BOOL, c BIGINT, d DECIMAL, e DEC(6,2) ZEROFILL, "
                           "f FLOAT(30), g REAL, h VARCHAR(10) CHARACTER SET latin1, "
                           "i TEXT(100), j NCHAR(2), k JSON, l ENUM('x','yy ') DEFAULT 'x', "
                           "m SET('a','b'), n TIMESTAMP(3) NULL, o YEAR, p BIT, q UUID, "
                           "r CHAR(3) BINARY, s LONG VARCHAR, u SERIAL, PRIMARY KEY (id))");
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].kind == TableChange::Kind::created);
  CHECK(changes[0].table == "t");
  auto t = [&]() -> const Table& { return s.tables.at("t"); };
  CHECK(t().engine == "InnoDB");
  CHECK(col(s, "t", "id").column_type == "int(10) unsigned");
  CHECK(col(s, "t", "id").default_value.kind == DefaultKind::none);
  CHECK(col(s, "t", "a").column_type == "tinyint(4)");
  CHECK(col(s, "t", "a").precision == 3);
  CHECK(col(s, "t", "a").default_value.kind == DefaultKind::null);
  CHECK(col(s, "t", "b").column_type == "tinyint(1)");
  CHECK(col(s, "t", "c").column_type == "bigint(20)");
  CHECK(col(s, "t", "d").column_type == "decimal(10,0)");
  CHECK(col(s, "t", "e").column_type == "decimal(6,2) unsigned zerofill");
  CHECK(col(s, "t", "f").data_type == "double");
  CHECK(col(s, "t", "g").column_type == "double");
  CHECK(col(s, "t", "h").collation == "latin1_swedish_ci");
  CHECK(col(s, "t", "i").data_type == "text");
  CHECK(col(s, "t", "i").char_length == 65535);
  CHECK(col(s, "t", "j").charset == "utf8mb3");
  CHECK(col(s, "t", "k").data_type == "longtext");
  CHECK(col(s, "t", "k").is_json);
  CHECK(col(s, "t", "k").collation == "utf8mb4_bin");
  CHECK(col(s, "t", "l").column_type == "enum('x','yy')");
  CHECK(col(s, "t", "l").char_length == 2);
  CHECK(col(s, "t", "l").default_value.value == "x");
  CHECK(col(s, "t", "m").char_length == 3);
  CHECK(col(s, "t", "n").column_type == "timestamp(3)");
  CHECK(col(s, "t", "n").fsp == 3);
  CHECK(col(s, "t", "o").column_type == "year(4)");
  CHECK(col(s, "t", "p").column_type == "bit(1)");
  CHECK(col(s, "t", "p").precision == 1);
  CHECK(col(s, "t", "q").column_type == "uuid");
  CHECK(col(s, "t", "r").collation == "utf8mb4_bin");
  CHECK(col(s, "t", "s").data_type == "mediumtext");
  CHECK(col(s, "t", "u").column_type == "bigint(20) unsigned");
  CHECK_FALSE(col(s, "t", "u").nullable);
  CHECK(index_names(t()) == "u");
  CHECK(t().primary_key == std::vector<std::string>{"id"});
}

TEST_CASE("ddl tracker: MySQL 8 drops integer display widths but tinyint(1)", "[ddl_tracker]") {
  auto s = shop(false);
  run(s,
      "CREATE TABLE t (a INT, b TINYINT(1), c INT(8) ZEROFILL, d BIGINT UNSIGNED, e YEAR, "
      "f JSON, g VARCHAR(3), h DATETIME DEFAULT CURRENT_TIMESTAMP)");
  CHECK(col(s, "t", "a").column_type == "int");
  CHECK(col(s, "t", "a").default_value.kind == DefaultKind::none);
  CHECK(col(s, "t", "b").column_type == "tinyint(1)");
  CHECK(col(s, "t", "c").column_type == "int(8) unsigned zerofill");
  CHECK(col(s, "t", "d").column_type == "bigint unsigned");
  CHECK(col(s, "t", "e").column_type == "year");
  CHECK(col(s, "t", "f").data_type == "json");
  CHECK(col(s, "t", "f").charset.empty());
  CHECK(col(s, "t", "g").collation == "utf8mb4_0900_ai_ci");
  CHECK(col(s, "t", "h").default_value.value == "CURRENT_TIMESTAMP");
}

TEST_CASE("ddl tracker: defaults are normalised as information_schema shows them",
          "[ddl_tracker]") {
  auto s = shop();
  run(s,
      "CREATE TABLE t (a INT DEFAULT '7', b DOUBLE DEFAULT -1.5e3, c DECIMAL(5,2) DEFAULT 3.1, "
      "d BIT(3) DEFAULT 5, e CHAR(3) DEFAULT 0x414243, f DATETIME(3) DEFAULT '2020-01-01', "
      "g INT DEFAULT (1+2), h VARCHAR(5) DEFAULT upper('x'), i DATETIME(2) DEFAULT NOW(2) "
      "ON UPDATE NOW(2), j INT NOT NULL, k VARCHAR(4) DEFAULT 'it''s', l INT AS (a) STORED)");
  CHECK(col(s, "t", "a").default_value.value == "7");
  CHECK(col(s, "t", "b").default_value.value == "-1500");
  CHECK(col(s, "t", "c").default_value.value == "3.10");
  CHECK(col(s, "t", "d").default_value.value == "b'101'");
  CHECK(col(s, "t", "e").default_value.value == "ABC");
  CHECK(col(s, "t", "f").default_value.value == "2020-01-01 00:00:00.000");
  CHECK(col(s, "t", "g").default_value.kind == DefaultKind::expression);
  CHECK(col(s, "t", "g").default_value.value == "1+2");
  CHECK(col(s, "t", "h").default_value.kind == DefaultKind::expression);
  CHECK(col(s, "t", "i").default_value.kind == DefaultKind::current_timestamp);
  CHECK(col(s, "t", "i").default_value.value == "current_timestamp(2)");
  CHECK(col(s, "t", "i").on_update_current_timestamp);
  CHECK(col(s, "t", "j").default_value.kind == DefaultKind::none);
  CHECK(col(s, "t", "k").default_value.value == "it's");
  CHECK(col(s, "t", "l").generated == Generated::stored);
  CHECK(col(s, "t", "l").generation_expression == "a");
  CHECK(col(s, "t", "l").default_value.kind == DefaultKind::none);
}

TEST_CASE("ddl tracker: implicit index and foreign key and check names follow the server",
          "[ddl_tracker]") {
  auto s = shop();
  run(s, "CREATE TABLE p (id INT PRIMARY KEY)");
  run(s,
      "CREATE TABLE t (a INT UNIQUE, b INT CHECK (b > 0), c INT, KEY (a), KEY (a, b), "
      "FOREIGN KEY (c) REFERENCES p (id) ON DELETE SET NULL, CONSTRAINT fk2 FOREIGN KEY (b) "
      "REFERENCES p (id), CHECK (c > 0), CHECK (c < 9), FULLTEXT (x), x TEXT, "
      "SPATIAL (g), g POINT NOT NULL)");
  auto t = [&]() -> const Table& { return s.tables.at("t"); };
  CHECK(index_names(t()) == "a a_2 a_3 c fk2 g x");
  CHECK(t().indexes[0].unique);
  CHECK(t().indexes[6].kind == "FULLTEXT");
  CHECK(t().indexes[5].kind == "SPATIAL");
  CHECK(t().indexes[5].parts[0].prefix == 32);
  REQUIRE(t().foreign_keys.size() == 2);
  CHECK(t().foreign_keys[0].name == "fk2");
  CHECK(t().foreign_keys[1].name == "t_ibfk_1");
  CHECK(t().foreign_keys[1].on_delete == "SET NULL");
  CHECK(t().foreign_keys[1].on_update == "RESTRICT");
  CHECK(t().foreign_keys[1].ref_database == "shop");
  REQUIRE(t().checks.size() == 3);
  CHECK(t().checks[0].name == "b");
  CHECK(t().checks[1].name == "CONSTRAINT_1");
  CHECK(t().checks[2].name == "CONSTRAINT_2");
  run(s, "ALTER TABLE t ADD FOREIGN KEY (a) REFERENCES p (id), ADD CHECK (a > 1)");
  CHECK(t().foreign_keys.back().name == "t_ibfk_2");
  CHECK(t().checks[3].name == "CONSTRAINT_3");
  // a new index that covers a foreign key replaces the one the server made for it
  run(s, "ALTER TABLE t ADD INDEX c_cover (c, a)");
  CHECK(index_names(t()) == "a a_2 a_3 c_cover fk2 g x");

  auto m = shop(false);
  run(m, "CREATE TABLE p (id INT PRIMARY KEY)");
  run(m, "CREATE TABLE t (a INT CHECK (a > 0), CHECK (a < 5))");
  CHECK(m.tables.at("t").checks[0].name == "t_chk_1");
  CHECK(m.tables.at("t").checks[1].name == "t_chk_2");
}

TEST_CASE("ddl tracker: ALTER TABLE column operations keep keys in step", "[ddl_tracker]") {
  auto s = shop();
  run(s,
      "CREATE TABLE t (id INT, a INT, b VARCHAR(5), c INT, PRIMARY KEY (id, a), KEY k (a, b), "
      "KEY kb (b), CHECK (c > 0)) DEFAULT CHARSET latin1");
  auto changes = run(s, "ALTER TABLE t DROP COLUMN b, ADD d VARCHAR(3) FIRST");
  auto t = [&]() -> const Table& { return s.tables.at("t"); };
  CHECK(column_names(t()) == "d id a c");
  CHECK(index_names(t()) == "k");
  CHECK(t().indexes[0].parts.size() == 1);
  CHECK(col(s, "t", "d").charset == "latin1");
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].kind == TableChange::Kind::altered);
  CHECK(changes[0].kept_columns ==
        std::vector<std::pair<std::string, std::string>>{{"id", "id"}, {"a", "a"}, {"c", "c"}});
  changes = run(s, "ALTER TABLE t CHANGE a a2 BIGINT NOT NULL AFTER c, RENAME COLUMN c TO c2");
  CHECK(column_names(t()) == "d id c2 a2");
  CHECK(t().primary_key == std::vector<std::string>{"id", "a2"});
  CHECK(t().indexes[0].parts[0].column == "a2");
  CHECK(changes[0].kept_columns == std::vector<std::pair<std::string, std::string>>{
                                       {"d", "d"}, {"id", "id"}, {"c", "c2"}, {"a", "a2"}});
  run(s, "ALTER TABLE t MODIFY COLUMN d VARCHAR(9) NOT NULL DEFAULT 'q' COMMENT 'dd'");
  CHECK(col(s, "t", "d").column_type == "varchar(9)");
  CHECK(col(s, "t", "d").comment == "dd");
  run(s, "ALTER TABLE t ALTER d DROP DEFAULT, ALTER COLUMN c2 SET DEFAULT 4");
  CHECK(col(s, "t", "d").default_value.kind == DefaultKind::none);
  CHECK(col(s, "t", "c2").default_value.value == "4");
  run(s, "ALTER TABLE t DROP COLUMN c2");
  CHECK(t().checks.empty());  // a check on the dropped column goes with it
  run(s, "ALTER TABLE t DROP PRIMARY KEY, ADD UNIQUE u (id), RENAME INDEX k TO k2");
  CHECK(t().primary_key.empty());
  CHECK(index_names(t()) == "k2 u");
  run(s, "ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4");
  CHECK(col(s, "t", "d").collation == "utf8mb4_general_ci");
  run(s,
      "ALTER TABLE t ADD COLUMN IF NOT EXISTS d INT, DROP COLUMN IF EXISTS nope, "
      "DROP INDEX IF EXISTS nope, ENGINE=MyISAM, COMMENT='x', ALGORITHM=COPY, ORDER BY id");
  CHECK(t().engine == "MyISAM");
  CHECK(t().comment == "x");
  CHECK(col(s, "t", "d").data_type == "varchar");
}

TEST_CASE("ddl tracker: CREATE/DROP INDEX and MySQL comments", "[ddl_tracker]") {
  auto s = shop();
  run(s, "CREATE TABLE t (a VARCHAR(20), b INT) /*!40100 DEFAULT CHARSET=latin1 */");
  CHECK(col(s, "t", "a").charset == "latin1");
  run(s, "CREATE UNIQUE INDEX ua USING BTREE ON t (a(5) DESC, b) COMMENT 'x'");
  auto t = [&]() -> const Table& { return s.tables.at("t"); };
  REQUIRE(t().indexes.size() == 1);
  CHECK(t().indexes[0].unique);
  CHECK(t().indexes[0].parts[0].prefix == 5);
  CHECK(t().indexes[0].parts[0].descending);
  run(s, "/*M!100100 CREATE INDEX ib ON t (b) */");
  CHECK(index_names(t()) == "ib ua");
  run(s, "DROP INDEX ua ON shop.t");
  CHECK(index_names(t()) == "ib");
  CHECK(run(s, "DROP INDEX IF EXISTS ua ON t").empty());
}

TEST_CASE("ddl tracker: RENAME TABLE is sequential and swaps work", "[ddl_tracker]") {
  auto s = shop();
  run(s, "CREATE TABLE a (x INT)");
  run(s, "CREATE TABLE b (y INT)");
  run(s, "CREATE TABLE c (z INT, FOREIGN KEY (z) REFERENCES a (x))");
  auto changes = run(s, "RENAME TABLE a TO tmp, b TO a, tmp TO b");
  REQUIRE(changes.size() == 3);
  CHECK(changes[0].kind == TableChange::Kind::renamed);
  CHECK(changes[0].old_name == "a");
  CHECK(changes[0].table == "tmp");
  CHECK(s.tables.at("a").columns[0].name == "y");
  CHECK(s.tables.at("b").columns[0].name == "x");
  CHECK(s.tables.count("tmp") == 0);
  CHECK(s.tables.at("c").foreign_keys[0].ref_table == "b");
  changes = run(s, "RENAME TABLE c TO other_db.c");
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].kind == TableChange::Kind::dropped);
  CHECK(s.tables.count("c") == 0);
  changes = run(s, "ALTER TABLE b RENAME TO d, ADD w INT");
  REQUIRE(changes.size() == 2);
  CHECK(changes[0].kind == TableChange::Kind::renamed);
  CHECK(changes[1].kind == TableChange::Kind::altered);
  CHECK(changes[1].table == "d");
  CHECK(column_names(s.tables.at("d")) == "x w");
  REQUIRE_THROWS_WITH(run(s, "RENAME TABLE other_db.q TO q"),
                      Catch::Contains("not tracked, its definition is unknown"));
}

TEST_CASE("ddl tracker: DROP TABLE, DROP DATABASE, LIKE and IF NOT EXISTS", "[ddl_tracker]") {
  auto s = shop();
  run(s, "CREATE TABLE a (x INT PRIMARY KEY, KEY (x))");
  CHECK(run(s, "CREATE TABLE IF NOT EXISTS a (y INT)").empty());
  CHECK(column_names(s.tables.at("a")) == "x");
  run(s, "CREATE TABLE b LIKE a");
  CHECK(same_table(s.tables.at("a"), [&] {
    Table t = s.tables.at("b");
    t.name = "a";
    return t;
  }()));
  CHECK(run(s, "CREATE TEMPORARY TABLE tt (x INT)").empty());
  REQUIRE_THROWS_WITH(run(s, "CREATE TABLE c LIKE nope"), Catch::Contains("LIKE shop.nope"));
  auto changes = run(s, "DROP TABLE IF EXISTS a, missing RESTRICT");
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].table == "a");
  CHECK(run(s, "CREATE DATABASE x").empty());
  changes = run(s, "DROP DATABASE shop");
  REQUIRE(changes.size() == 1);
  CHECK(s.tables.empty());
}

TEST_CASE("ddl tracker: errors name the part and leave the schema unchanged", "[ddl_tracker]") {
  auto s = shop();
  run(s, "CREATE TABLE t (a INT, b INT)");
  const TrackedSchema before = s;
  REQUIRE_THROWS_WITH(run(s, "ALTER TABLE t ADD c INT, PARTITION BY HASH(a) PARTITIONS 2"),
                      Catch::Contains("ALTER TABLE shop.t: PARTITION BY is not replicated"));
  REQUIRE_THROWS_WITH(run(s, "ALTER TABLE t DROP COLUMN a, MODIFY c INT"),
                      Catch::Contains("ALTER TABLE shop.t: MODIFY c: the table has no column c"));
  REQUIRE_THROWS_WITH(run(s, "ALTER TABLE t ADD d INT, DROP COLUMN zz"),
                      Catch::Contains("DROP COLUMN zz: the table has no column zz"));
  REQUIRE_THROWS_AS(run(s, "ALTER TABLE t ADD x FOO"), DdlError);
  REQUIRE_THROWS_WITH(run(s, "ALTER TABLE u ADD x INT"), Catch::Contains("not in the tracked"));
  REQUIRE_THROWS_WITH(run(s, "INSERT INTO t VALUES (1)"), Catch::Contains("INSERT"));
  REQUIRE_THROWS_WITH(run(s, "CREATE TABLE t2 SELECT 1"), Catch::Contains("SELECT"));
  CHECK(s.tables.size() == 1);
  CHECK(column_names(s.tables.at("t")) == "a b");
  CHECK(same_table(s.tables.at("t"), before.tables.at("t")));
}

TEST_CASE("ddl tracker: only selected tables of the schema's database are tracked",
          "[ddl_tracker]") {
  auto s = shop();
  auto only_a = [](const std::string& n) { return n == "a"; };
  CHECK(apply_ddl(s, "CREATE TABLE b (x INT)", "shop", only_a).empty());
  CHECK(apply_ddl(s, "CREATE TABLE a (x INT)", "other", only_a).empty());
  CHECK(apply_ddl(s, "CREATE TABLE shop.a (x INT)", "other", only_a).size() == 1);
  CHECK(apply_ddl(s, "ALTER TABLE b ADD y INT", "shop", only_a).empty());
  CHECK(s.tables.count("b") == 0);
  REQUIRE_THROWS_WITH(apply_ddl(s, "RENAME TABLE b TO a2, c TO a", "shop", only_a),
                      Catch::Contains("not tracked"));
  // a swap through an unselected temporary name
  apply_ddl(s, "RENAME TABLE a TO a_old", "shop", only_a);
  CHECK(s.tables.empty());
}

TEST_CASE("ddl tracker: create_table_statement reads back into an equal table", "[ddl_tracker]") {
  for (const bool mariadb : {true, false}) {
    auto s = shop(mariadb);
    run(s, "CREATE TABLE p (id INT PRIMARY KEY)");
    run(s,
        "CREATE TABLE `odd``name` (id BIGINT UNSIGNED AUTO_INCREMENT, `a b` VARCHAR(10) "
        "CHARACTER SET latin1 COLLATE latin1_bin NOT NULL DEFAULT 'it''s\\\\', "
        "c DECIMAL(8,3) DEFAULT 1.5, d BIT(4) DEFAULT b'11', e JSON, f ENUM('x','y''z') "
        "DEFAULT 'x', g DATETIME(6) DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6), "
        "h INT AS (id + 1) VIRTUAL, i TEXT COMMENT 'ii', j INT DEFAULT (2 * 3), k POINT NOT "
        "NULL, PRIMARY KEY (id), UNIQUE KEY u (`a b`(4) DESC, c), FULLTEXT (i), SPATIAL (k), "
        "CONSTRAINT fk FOREIGN KEY (j) REFERENCES p (id) ON DELETE CASCADE, "
        "CONSTRAINT ck CHECK (c > 0)) ENGINE=InnoDB COMMENT='the table' CHARSET=latin1");
    const Table& original = s.tables.at("odd`name");
    const std::string sql = create_table_statement(original, "latin1_swedish_ci");
    INFO(sql);
    auto other = shop(mariadb);
    other.default_charset = "ascii";
    run(other, "CREATE TABLE p (id INT PRIMARY KEY)");
    run(other, sql);
    CHECK(same_table(other.tables.at("odd`name"), original));
    CHECK(other.table_collations.at("odd`name") == "latin1_swedish_ci");
  }
}

TEST_CASE("ddl tracker: MySQL 8.0.21+ logs CREATE TABLE ... SELECT with START TRANSACTION",
          "[ddl_tracker]") {
  TrackedSchema s = shop(false);
  const auto changes =
      run(s,
          "CREATE TABLE `t2` (\n  `id` int NOT NULL,\n  `v` varchar(10) DEFAULT NULL\n) "
          "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci START TRANSACTION");
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].kind == TableChange::Kind::created);
  CHECK(column_names(s.tables.at("t2")) == "id v");
}

TEST_CASE("ddl tracker: hex and bit literal defaults, empty or long, as the server stores them",
          "[ddl_tracker]") {
  auto s = shop();
  run(s,
      "CREATE TABLE t (a VARBINARY(20) NOT NULL DEFAULT x'', b BINARY(2) DEFAULT b'0', "
      "c BIT(4) DEFAULT b'', d INT DEFAULT x'', e INT DEFAULT 0x41, "
      "f VARBINARY(4) DEFAULT b'100000001', g BIGINT UNSIGNED DEFAULT x'ffffffffffffffff')");
  const Table& t = s.tables.at("t");
  auto value = [&](size_t i) { return t.columns.at(i).default_value.value; };
  CHECK(t.columns.at(0).default_value.kind == DefaultKind::literal);
  CHECK(value(0).empty());
  CHECK(value(1) == std::string(2, '\0'));  // one byte the digits fill, padded to BINARY(2)
  CHECK(value(2) == "b'0'");
  CHECK(value(3) == "0");
  CHECK(value(4) == "65");
  CHECK(value(5) == std::string("\x01\x01", 2));
  CHECK(value(6) == "18446744073709551615");
}

TEST_CASE("ddl tracker: a binary default that is no UTF-8 is written back as a hex literal",
          "[ddl_tracker]") {
  auto s = shop();
  run(s, "CREATE TABLE t (id INT, b VARBINARY(20) DEFAULT x'ff00', c BINARY(3) DEFAULT x'30de0b')");
  const Table& original = s.tables.at("t");
  const std::string sql = create_table_statement(original, "utf8mb4_general_ci");
  INFO(sql);
  CHECK(my2pg::is_valid_utf8(sql));
  CHECK_THAT(sql, Catch::Contains("DEFAULT x'ff00'") && Catch::Contains("DEFAULT x'30de0b'"));
  auto other = shop();
  run(other, sql);
  CHECK(same_table(other.tables.at("t"), original));
  CHECK(other.tables.at("t").columns.at(1).default_value.value == std::string("\xff\x00", 2));
}

TEST_CASE("ddl tracker: YEAR and TIME defaults given as numbers, as the server reads them",
          "[ddl_tracker]") {
  auto s = shop();
  run(s,
      "CREATE TABLE t (a YEAR DEFAULT 99, b YEAR DEFAULT 5, c YEAR DEFAULT 0, d YEAR DEFAULT '0', "
      "e YEAR DEFAULT 2024, f TIME DEFAULT 100, g TIME DEFAULT 123456, h TIME(1) DEFAULT -10.5, "
      "i TIME DEFAULT '100', j YEAR DEFAULT '69')");
  const Table& t = s.tables.at("t");
  auto value = [&](size_t i) { return t.columns.at(i).default_value.value; };
  CHECK(value(0) == "1999");
  CHECK(value(1) == "2005");
  CHECK(value(2) == "0");
  CHECK(value(3) == "2000");
  CHECK(value(4) == "2024");
  CHECK(value(5) == "00:01:00");
  CHECK(value(6) == "12:34:56");
  CHECK(value(7) == "-00:00:10.5");
  CHECK(value(9) == "2069");
}
