// typemap/type_rules: the default rules and TypeRules::parse().
#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include "common/error.hpp"
#include "schema/table.hpp"
#include "typemap/type_rules.hpp"

using my2pg::ConfigError;
using my2pg::MappingError;
using my2pg::schema::Column;
using my2pg::schema::Table;
using my2pg::typemap::TypeRules;

namespace {

Table shop_items() {
  Table t;
  t.database = "shop";
  t.name = "items";
  return t;
}

Column col(std::string data_type, std::string column_type) {
  Column c;
  c.name = "c";
  c.data_type = std::move(data_type);
  c.column_type = std::move(column_type);
  c.is_unsigned = c.column_type.find(" unsigned") != std::string::npos;
  return c;
}

std::string map_default(const Column& c) {
  static const TypeRules rules = TypeRules::load_default();
  return rules.map(shop_items(), c).sql;
}

}  // namespace

TEST_CASE("default rules map integers by range", "[type_rules]") {
  CHECK(map_default(col("tinyint", "tinyint(3) unsigned")) == "smallint");
  CHECK(map_default(col("tinyint", "tinyint(4)")) == "smallint");
  CHECK(map_default(col("smallint", "smallint(5) unsigned")) == "integer");
  CHECK(map_default(col("smallint", "smallint(6)")) == "smallint");
  CHECK(map_default(col("mediumint", "mediumint(8) unsigned")) == "integer");
  CHECK(map_default(col("int", "int(10) unsigned")) == "bigint");
  CHECK(map_default(col("int", "int(11)")) == "integer");
  CHECK(map_default(col("bigint", "bigint(20) unsigned")) == "numeric(20,0)");
  CHECK(map_default(col("bigint", "bigint(20)")) == "bigint");
  CHECK(map_default(col("year", "year(4)")) == "smallint");
  CHECK(map_default(col("float", "float")) == "real");
  CHECK(map_default(col("double", "double")) == "double precision");
}

TEST_CASE("default rules fill precision, scale, fsp and length", "[type_rules]") {
  Column dec = col("decimal", "decimal(30,10)");
  dec.precision = 30;
  dec.scale = 10;
  CHECK(map_default(dec) == "numeric(30,10)");

  Column dt = col("datetime", "datetime(6)");
  dt.fsp = 6;
  CHECK(map_default(dt) == "timestamp(6)");

  Column ts = col("timestamp", "timestamp(3)");
  ts.fsp = 3;
  CHECK(map_default(ts) == "timestamptz(3)");

  Column vc = col("varchar", "varchar(20)");
  vc.char_length = 20;
  CHECK(map_default(vc) == "varchar(20)");

  Column ch = col("char", "char(2)");
  ch.char_length = 2;
  CHECK(map_default(ch) == "char(2)");

  Column bit = col("bit", "bit(10)");
  bit.precision = 10;
  CHECK(map_default(bit) == "bit(10)");
}

TEST_CASE("default rules map the other types", "[type_rules]") {
  CHECK(map_default(col("time", "time")) == "interval");
  CHECK(map_default(col("date", "date")) == "date");
  Column json = col("longtext", "longtext");
  json.is_json = true;
  CHECK(map_default(json) == "jsonb");
  Column mysql_json = col("json", "json");
  mysql_json.is_json = true;
  CHECK(map_default(mysql_json) == "jsonb");
  CHECK(map_default(col("longtext", "longtext")) == "text");
  CHECK(map_default(col("tinytext", "tinytext")) == "text");
  CHECK(map_default(col("blob", "blob")) == "bytea");
  CHECK(map_default(col("varbinary", "varbinary(16)")) == "bytea");
  CHECK(map_default(col("point", "point")) == "bytea");
  CHECK(map_default(col("geometry", "geometry")) == "bytea");
  CHECK(map_default(col("enum", "enum('a','b')")) == "text");
  CHECK(map_default(col("set", "set('x','y')")) == "text");
  CHECK(map_default(col("uuid", "uuid")) == "uuid");
  CHECK(map_default(col("inet6", "inet6")) == "inet");

  const TypeRules rules = TypeRules::load_default();
  CHECK_THAT(rules.map(shop_items(), col("tinyint", "tinyint(4)")).why,
             Catch::Contains("smallint holds -128..255"));
}

TEST_CASE("default rules name the column when a placeholder has no value", "[type_rules]") {
  Column dec = col("decimal", "decimal(10,2)");
  dec.name = "price";
  dec.precision = 10;  // scale missing
  REQUIRE_THROWS_AS(map_default(dec), MappingError);
  REQUIRE_THROWS_WITH(map_default(dec),
                      Catch::Contains("column shop.items.price (decimal(10,2)) has no scale") &&
                          Catch::Contains("numeric({precision},{scale})") &&
                          Catch::Contains("schema-mapping/default.yaml"));
}

TEST_CASE("no matching rule is a MappingError naming the column and type", "[type_rules]") {
  Column odd = col("vector", "vector(3)");
  odd.name = "embedding";
  REQUIRE_THROWS_AS(map_default(odd), MappingError);
  REQUIRE_THROWS_WITH(map_default(odd),
                      Catch::Contains("no type rule in schema-mapping/default.yaml") &&
                          Catch::Contains("shop.items.embedding of type vector(3)") &&
                          Catch::Contains("--mapping"));
  const TypeRules only_ints =
      TypeRules::parse("rules:\n  - {match: {type: int}, target: integer}\n", "ints.yaml");
  REQUIRE_THROWS_WITH(
      only_ints.map(shop_items(), col("text", "text")),
      Catch::Contains("no type rule in ints.yaml") && Catch::Contains("shop.items.c of type text"));
}

TEST_CASE("in a custom rules file the first matching rule wins", "[type_rules]") {
  const TypeRules rules = TypeRules::parse(R"(rules:
  - match: {type: int, unsigned: true}
    target: numeric(10,0)
    why: first
  - match: {type: [int, bigint]}
    target: bigint
    why: second
  - match: {type: int}
    target: integer
  - match: {}
    target: "text /* {length} */"
)",
                                           "custom.yaml");
  const auto u = rules.map(shop_items(), col("int", "int unsigned"));
  CHECK(u.sql == "numeric(10,0)");
  CHECK(u.why == "first");
  const auto s = rules.map(shop_items(), col("int", "int"));
  CHECK(s.sql == "bigint");
  CHECK(s.why == "second");
  Column any = col("varchar", "varchar(7)");
  any.char_length = 7;
  const auto fallback = rules.map(shop_items(), any);
  CHECK(fallback.sql == "text /* 7 */");
  CHECK(fallback.why.empty());
}

TEST_CASE("TypeRules::parse reports bad rule files with origin and line", "[type_rules]") {
  SECTION("invalid YAML") {
    REQUIRE_THROWS_AS(TypeRules::parse("rules:\n  - [unclosed\n", "bad.yaml"), ConfigError);
    REQUIRE_THROWS_WITH(
        TypeRules::parse("rules:\n  - {match: {type: int}, target: x\n", "bad.yaml"),
        Catch::StartsWith("bad.yaml:") && Catch::Contains("not valid YAML"));
  }
  SECTION("missing rules list") {
    REQUIRE_THROWS_WITH(TypeRules::parse("types: []\n", "r.yaml"),
                        Catch::Equals("r.yaml: expected a top-level 'rules:' list"));
    REQUIRE_THROWS_WITH(TypeRules::parse("rules: {a: b}\n", "r.yaml"),
                        Catch::Contains("expected a top-level 'rules:' list"));
    REQUIRE_THROWS_WITH(TypeRules::parse("", "r.yaml"),
                        Catch::Contains("expected a top-level 'rules:' list"));
  }
  SECTION("rule without target") {
    REQUIRE_THROWS_AS(TypeRules::parse("rules:\n  - {match: {type: int}}\n", "r.yaml"),
                      ConfigError);
    REQUIRE_THROWS_WITH(
        TypeRules::parse("rules:\n  - {match: {type: int}, target: integer}\n"
                         "  - {match: {type: int}}\n",
                         "r.yaml"),
        Catch::StartsWith("r.yaml:3: each rule needs 'match:' (a map) and 'target:'"));
  }
  SECTION("unknown match key") {
    REQUIRE_THROWS_WITH(TypeRules::parse("rules:\n  - match:\n      type: int\n      signed: true\n"
                                         "    target: integer\n",
                                         "r.yaml"),
                        Catch::StartsWith("r.yaml:4: unknown match key 'signed'") &&
                            Catch::Contains("use type, unsigned, json or length"));
  }
  SECTION("a match value of the wrong type") {
    REQUIRE_THROWS_WITH(
        TypeRules::parse("rules:\n  - {match: {unsigned: maybe}, target: x}\n", "r.yaml"),
        Catch::StartsWith("r.yaml:2: "));
  }
}

TEST_CASE("unknown or unclosed placeholders fail when a column is mapped", "[type_rules]") {
  const TypeRules rules = TypeRules::parse(
      "rules:\n  - {match: {type: int}, target: \"integer({width})\"}\n"
      "  - {match: {type: char}, target: \"char({length\"}\n",
      "p.yaml");
  REQUIRE_THROWS_AS(rules.map(shop_items(), col("int", "int")), ConfigError);
  REQUIRE_THROWS_WITH(
      rules.map(shop_items(), col("int", "int")),
      Catch::StartsWith("p.yaml: unknown placeholder {width} in 'integer({width})'") &&
          Catch::Contains("{length}, {precision}, {scale} or {fsp}"));
  REQUIRE_THROWS_WITH(rules.map(shop_items(), col("char", "char(1)")),
                      Catch::Equals("p.yaml: unclosed '{' in target type 'char({length'"));
}

TEST_CASE("CHAR(0) and VARCHAR(0) map to text, PostgreSQL having no zero-length type",
          "[type_rules]") {
  Column c = col("char", "char(0)");
  c.char_length = 0;
  CHECK(map_default(c) == "text");
  c = col("varchar", "varchar(0)");
  c.char_length = 0;
  CHECK(map_default(c) == "text");
  c.char_length = 1;
  CHECK(map_default(c) == "varchar(1)");
}
