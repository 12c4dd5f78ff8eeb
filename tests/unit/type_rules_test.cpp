// typemap/type_rules: the default rules and TypeRules::parse().
#include <catch2/catch.hpp>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/resources.hpp"
#include "schema/table.hpp"
#include "typemap/type_rules.hpp"

using my2pg::ConfigError;
using my2pg::MappingError;
using my2pg::schema::Column;
using my2pg::schema::Table;
using my2pg::typemap::InvalidText;
using my2pg::typemap::NulBytes;
using my2pg::typemap::TargetKind;
using my2pg::typemap::TargetType;
using my2pg::typemap::TypeRules;
using my2pg::typemap::ZeroDates;

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

Column named(std::string name, std::string data_type, std::string column_type) {
  Column c = col(std::move(data_type), std::move(column_type));
  c.name = std::move(name);
  return c;
}

// A rules file in the temporary directory, removed when the test ends.
class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    static int counter = 0;
    m_path = (std::filesystem::temp_directory_path() /
              ("my2pg_type_rules_test_" + std::to_string(getpid()) + "_" +
               std::to_string(++counter) + ".yaml"))
                 .string();
    std::ofstream(m_path) << text;
  }
  ~TempFile() { std::filesystem::remove(m_path); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return m_path; }

 private:
  std::string m_path;
};

// The message of the ConfigError that parsing `yaml` throws.
std::string parse_error(const std::string& yaml) {
  try {
    TypeRules::parse(yaml, "u.yaml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  FAIL("TypeRules::parse did not throw ConfigError");
  return {};
}

TargetType map_with(const std::string& yaml, const Column& c) {
  return TypeRules::parse(yaml, "u.yaml").map(shop_items(), c);
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
        Catch::StartsWith("r.yaml:3: rule 2: each rule needs 'match:' (a map) and 'target:'"));
  }
  SECTION("unknown match key") {
    REQUIRE_THROWS_WITH(TypeRules::parse("rules:\n  - match:\n      type: int\n      signed: true\n"
                                         "    target: integer\n",
                                         "r.yaml"),
                        Catch::StartsWith("r.yaml:4: rule 1: unknown match key 'signed'") &&
                            Catch::Contains("use type, unsigned, json, postgis, length, "
                                            "precision, scale, column_type or column"));
  }
  SECTION("a match value of the wrong type") {
    REQUIRE_THROWS_WITH(
        TypeRules::parse("rules:\n  - {match: {unsigned: maybe}, target: x}\n", "r.yaml"),
        Catch::StartsWith("r.yaml:2: rule 1: "));
  }
}

TEST_CASE("unknown or unclosed placeholders fail when the rules are read", "[type_rules]") {
  const std::string rules =
      "rules:\n  - {match: {type: char}, target: \"char({length})\"}\n"
      "  - {match: {type: int}, target: \"integer({width})\"}\n";
  REQUIRE_THROWS_AS(TypeRules::parse(rules, "p.yaml"), ConfigError);
  REQUIRE_THROWS_WITH(
      TypeRules::parse(rules, "p.yaml"),
      Catch::StartsWith("p.yaml:3: rule 2: unknown placeholder {width} in target type "
                        "'integer({width})'") &&
          Catch::Contains("{length}, {precision}, {scale} or {fsp}"));
  REQUIRE_THROWS_WITH(
      TypeRules::parse("rules:\n  - {match: {type: char}, target: \"char({length\"}\n", "p.yaml"),
      Catch::Equals("p.yaml:2: rule 1: unclosed '{' in target type 'char({length'"));
  REQUIRE_THROWS_WITH(TypeRules::parse("rules:\n  - {match: {}, target: ''}\n", "p.yaml"),
                      Catch::Equals("p.yaml:2: rule 1: empty target type"));
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

TEST_CASE("default rules say why and where, with the refusing policies", "[type_rules]") {
  const std::string_view yaml = my2pg::resource("schema-mapping/default.yaml");
  std::istringstream lines{std::string(yaml)};
  int rules = 0;
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("  - ")) continue;
    ++rules;
    INFO(line);
    CHECK(line.find(", why: \"") != std::string::npos);
  }
  CHECK(rules == 29);

  const TypeRules defaults = TypeRules::load_default();
  const TargetType t = defaults.map(shop_items(), col("tinyint", "tinyint(4)"));
  CHECK(t.origin == "schema-mapping/default.yaml rule 2");
  CHECK(t.policy.zero_dates == ZeroDates::error);
  CHECK(t.policy.nul_bytes == NulBytes::error);
  CHECK(t.policy.invalid_text == InvalidText::error);
  CHECK(t.keep_default);
  CHECK(t.kind == TargetKind::as_declared);
  CHECK(t.misfit_predicate.empty());
  CHECK(t.enum_labels.empty());
  const TargetType e = defaults.map(shop_items(), col("enum", "enum('a','b')"));
  CHECK(e.sql == "text");
  CHECK(e.kind == TargetKind::as_declared);
  CHECK(e.origin == "schema-mapping/default.yaml rule 23");
}

TEST_CASE("match keys precision, scale and column_type", "[type_rules]") {
  const std::string yaml = R"yaml(rules:
  - {match: {type: decimal, precision: 10, scale: 2}, target: money_like, why: p10s2}
  - {match: {precision: 10}, target: p10}
  - {match: {scale: 0}, target: s0}
  - {match: {column_type: tinyint(1)}, target: one}
  - {match: {column_type: [int(11), "bigint(20) unsigned"]}, target: listed}
  - {match: {}, target: other}
)yaml";
  Column d = col("decimal", "decimal(10,2)");
  d.precision = 10;
  d.scale = 2;
  CHECK(map_with(yaml, d).sql == "money_like");
  d.scale = 3;
  CHECK(map_with(yaml, d).sql == "p10");
  d.precision = 12;
  CHECK(map_with(yaml, d).sql == "other");
  d.scale = 0;
  CHECK(map_with(yaml, d).sql == "s0");
  d.scale.reset();
  CHECK(map_with(yaml, d).sql == "other");  // a column without a scale fails `scale: 0`
  CHECK(map_with(yaml, col("tinyint", "tinyint(1)")).sql == "one");
  CHECK(map_with(yaml, col("tinyint", "tinyint(1) unsigned")).sql == "other");
  CHECK(map_with(yaml, col("tinyint", "tinyint(4)")).sql == "other");
  CHECK(map_with(yaml, col("int", "int(11)")).sql == "listed");
  CHECK(map_with(yaml, col("bigint", "bigint(20) unsigned")).sql == "listed");
  CHECK(map_with(yaml, col("bigint", "bigint(20)")).sql == "other");
}

TEST_CASE("match keys type (any case, or a list), unsigned, json and length all must hold",
          "[type_rules]") {
  const std::string yaml = R"yaml(rules:
  - {match: {type: VARCHAR, length: 3, unsigned: false, json: false}, target: short}
  - {match: {type: [longtext, json], json: true}, target: jsonb}
  - {match: {type: [int, bigint], unsigned: true}, target: wide}
  - {match: {}, target: other}
)yaml";
  Column v = col("varchar", "varchar(3)");
  v.char_length = 3;
  CHECK(map_with(yaml, v).sql == "short");
  v.char_length = 4;
  CHECK(map_with(yaml, v).sql == "other");
  Column j = col("longtext", "longtext");
  CHECK(map_with(yaml, j).sql == "other");
  j.is_json = true;
  CHECK(map_with(yaml, j).sql == "jsonb");
  CHECK(map_with(yaml, col("bigint", "bigint unsigned")).sql == "wide");
  CHECK(map_with(yaml, col("int", "int")).sql == "other");
}

TEST_CASE("column globs match database.table.column, case-sensitive", "[type_rules]") {
  const std::string yaml = R"yaml(rules:
  - {match: {column: shop.*.created_at}, target: created}
  - {match: {column: ["*.*.legacy_*", "*.orders.?d"]}, target: legacy}
  - {match: {column: "shop.items.[ab]*"}, target: ab}
  - {match: {column: "*x"}, target: ends_in_x}
  - {match: {}, target: other}
)yaml";
  const auto map_name = [&](const char* name) {
    return map_with(yaml, named(name, "text", "text")).sql;
  };
  CHECK(map_name("created_at") == "created");
  CHECK(map_name("Created_at") == "other");
  CHECK(map_name("legacy_notes") == "legacy");
  CHECK(map_name("old_legacy_note") == "other");
  CHECK(map_name("alpha") == "ab");
  CHECK(map_name("beta") == "ab");
  CHECK(map_name("gamma") == "other");
  CHECK(map_name("tax") == "ends_in_x");

  Table orders = shop_items();
  orders.name = "orders";
  const TypeRules rules = TypeRules::parse(yaml, "u.yaml");
  CHECK(rules.map(orders, named("id", "int", "int")).sql == "legacy");
  CHECK(rules.map(orders, named("ids", "int", "int")).sql == "other");
  CHECK(rules.map(orders, named("created_at", "int", "int")).sql == "created");
  orders.database = "shop2";
  CHECK(rules.map(orders, named("created_at", "int", "int")).sql == "other");
  CHECK(rules.map(orders, named("id", "int", "int")).sql == "legacy");
}

TEST_CASE("bad column globs are refused when the rules are read", "[type_rules]") {
  CHECK_THAT(
      parse_error("rules:\n  - {match: {column: \"shop.[items.c\"}, target: x}\n"),
      Catch::StartsWith("u.yaml:2: rule 1: column glob 'shop.[items.c' has an unclosed '['"));
  CHECK_THAT(parse_error("rules:\n  - {match: {column: \"shop.items.c\\\\\"}, target: x}\n"),
             Catch::Contains("column glob 'shop.items.c\\' ends in a backslash"));
  CHECK_THAT(parse_error("rules:\n  - {match: {column: created_at}, target: x}\n"),
             Catch::Contains("column glob 'created_at' can never match") &&
                 Catch::Contains("e.g. 'shop.*.created_at'"));
  CHECK_THAT(parse_error("rules:\n  - {match: {column: [\"*.*.a\", \"\"]}, target: x}\n"),
             Catch::Contains("rule 1: empty column glob"));
  CHECK_THAT(parse_error("rules:\n  - {match: {column: []}, target: x}\n"),
             Catch::Contains("'column' must be a glob or a non-empty list of them"));
  // A bracket that closes, and escapes, are fine.
  CHECK_NOTHROW(TypeRules::parse("rules:\n  - {match: {column: \"shop.[]x].\\\\*\"}, target: x}\n",
                                 "u.yaml"));
}

TEST_CASE("rule settings: policies, default and typmod", "[type_rules]") {
  const std::string yaml = R"yaml(rules:
  - match: {type: date}
    target: date
    zero_dates: null
  - match: {type: datetime}
    target: "timestamp({fsp})"
    zero_dates: -infinity
    typmod: drop
  - match: {type: timestamp}
    target: "timestamptz({fsp})"
    zero_dates: error
  - match: {type: varchar}
    target: "varchar({length})"
    typmod: drop
    nul_bytes: strip
    invalid_text: replace
    default: drop
  - match: {type: char}
    target: "char({length})"
    typmod: keep
    nul_bytes: error
    invalid_text: error
    default: keep
  - match: {type: decimal}
    target: "numeric({precision},{scale})"
    typmod: drop
)yaml";
  const TypeRules rules = TypeRules::parse(yaml, "u.yaml");
  const TargetType date = rules.map(shop_items(), col("date", "date"));
  CHECK(date.sql == "date");
  CHECK(date.policy.zero_dates == ZeroDates::null);
  CHECK(date.origin == "u.yaml rule 1");

  Column dt = col("datetime", "datetime(3)");
  dt.fsp = 3;
  const TargetType datetime = rules.map(shop_items(), dt);
  CHECK(datetime.sql == "timestamp");
  CHECK(datetime.policy.zero_dates == ZeroDates::minus_infinity);

  Column ts = col("timestamp", "timestamp(6)");
  ts.fsp = 6;
  const TargetType timestamp = rules.map(shop_items(), ts);
  CHECK(timestamp.sql == "timestamptz(6)");
  CHECK(timestamp.policy.zero_dates == ZeroDates::error);

  Column vc = col("varchar", "varchar(20)");
  vc.char_length = 20;
  const TargetType varchar = rules.map(shop_items(), vc);
  CHECK(varchar.sql == "varchar");
  CHECK(varchar.policy.nul_bytes == NulBytes::strip);
  CHECK(varchar.policy.invalid_text == InvalidText::replace);
  CHECK(varchar.policy.zero_dates == ZeroDates::error);
  CHECK_FALSE(varchar.keep_default);
  CHECK(varchar.origin == "u.yaml rule 4");

  Column ch = col("char", "char(2)");
  ch.char_length = 2;
  const TargetType chr = rules.map(shop_items(), ch);
  CHECK(chr.sql == "char(2)");
  CHECK(chr.policy.nul_bytes == NulBytes::error);
  CHECK(chr.policy.invalid_text == InvalidText::error);
  CHECK(chr.keep_default);

  Column dec = col("decimal", "decimal(10,2)");
  dec.precision = 10;
  dec.scale = 2;
  CHECK(rules.map(shop_items(), dec).sql == "numeric");
}

TEST_CASE("zero_dates: -infinity is accepted only for date and timestamp targets", "[type_rules]") {
  for (const char* target : {"date", "\"timestamp({fsp})\"", "\"timestamptz({fsp})\"", "TIMESTAMP",
                             "\"timestamp(3) with time zone\"", "timestamp without time zone"}) {
    INFO(target);
    CHECK_NOTHROW(TypeRules::parse(std::string("rules:\n  - {match: {type: datetime}, target: ") +
                                       target + ", zero_dates: -infinity}\n",
                                   "u.yaml"));
  }
  CHECK_THAT(parse_error("rules:\n  - {match: {type: date}, target: date}\n"
                         "  - {match: {type: datetime},\n     target: text,\n"
                         "     zero_dates: -infinity}\n"),
             Catch::Equals("u.yaml:5: rule 2: zero_dates: -infinity needs a date or timestamp "
                           "target, not 'text'; use null or error"));
  CHECK_THAT(parse_error("rules:\n  - {match: {type: time}, target: interval, zero_dates: "
                         "-infinity}\n"),
             Catch::Contains("not 'interval'"));
}

TEST_CASE("unknown keys and policy values are refused with file, line and rule", "[type_rules]") {
  CHECK_THAT(parse_error("rules:\n  - {match: {type: int}, target: integer}\n"
                         "  - {match: {type: date}, target: date,\n     zero_date: null}\n"),
             Catch::Equals("u.yaml:4: rule 2: unknown key 'zero_date'; use match, target, why, "
                           "zero_dates, nul_bytes, invalid_text, default or typmod"));
  CHECK_THAT(parse_error("rules:\n  - {match: {type: date}, target: date, zero_dates: zero}\n"),
             Catch::Equals("u.yaml:2: rule 1: unknown zero_dates value 'zero'; use error, null, "
                           "-infinity"));
  CHECK_THAT(parse_error("rules:\n  - {match: {type: text}, target: text, nul_bytes: drop}\n"),
             Catch::Contains("rule 1: unknown nul_bytes value 'drop'; use error, strip"));
  CHECK_THAT(parse_error("rules:\n  - {match: {type: text}, target: text, invalid_text: fix}\n"),
             Catch::Contains("unknown invalid_text value 'fix'; use error, replace"));
  CHECK_THAT(parse_error("rules:\n  - {match: {type: int}, target: integer, default: yes}\n"),
             Catch::Contains("unknown default value 'yes'; use keep, drop"));
  CHECK_THAT(parse_error("rules:\n  - {match: {type: int}, target: integer, typmod: [drop]}\n"),
             Catch::Contains("unknown typmod value ''; use keep, drop"));
  CHECK_THAT(
      parse_error("rules:\n  - {match: {type: int}, target: integer}\nrule: []\n"),
      Catch::Equals("u.yaml:3: unknown top-level key 'rule'; a rules file has only 'rules:'"));
  CHECK_THAT(parse_error("rules:\n  - just a string\n"),
             Catch::Contains("u.yaml:2: rule 1: each rule needs 'match:' (a map) and 'target:'"));
}

TEST_CASE("a bad type list is refused", "[type_rules]") {
  CHECK_THAT(parse_error("rules:\n  - {match: {type: []}, target: x}\n"),
             Catch::Equals("u.yaml:2: rule 1: 'type' must be a type name or a non-empty list of "
                           "them"));
  CHECK_THAT(parse_error("rules:\n  - {match: {type: [int, [bigint]]}, target: x}\n"),
             Catch::Contains("'type' must be a type name"));
  CHECK_THAT(parse_error("rules:\n  - {match: {type: {int: 1}}, target: x}\n"),
             Catch::Contains("'type' must be a type name"));
  CHECK_THAT(parse_error("rules:\n  - {match: {type: }, target: x}\n"),
             Catch::Contains("'type' must be a type name"));
  CHECK_THAT(parse_error("rules:\n  - {match: {column_type: [[int]]}, target: x}\n"),
             Catch::Contains("'column_type' must be a declared type or a non-empty list"));
  CHECK_THAT(parse_error("rules:\n  - {match: {precision: ten}, target: x}\n"),
             Catch::StartsWith("u.yaml:2: rule 1: "));
}

TEST_CASE("load_file reads a user rules file and names it in errors", "[type_rules]") {
  SECTION("a good file") {
    const TempFile f("rules:\n  - {match: {type: int}, target: bigint, why: mine}\n");
    const TypeRules rules = TypeRules::load_file(f.path());
    const TargetType t = rules.map(shop_items(), col("int", "int"));
    CHECK(t.sql == "bigint");
    CHECK(t.why == "mine");
    CHECK(t.origin == f.path() + " rule 1");
    REQUIRE_THROWS_WITH(rules.map(shop_items(), col("text", "text")),
                        Catch::Contains("no type rule in " + f.path() + " matches"));
  }
  SECTION("a missing file") {
    REQUIRE_THROWS_AS(TypeRules::load_file("/nonexistent/my2pg-rules.yaml"), ConfigError);
    REQUIRE_THROWS_WITH(TypeRules::load_file("/nonexistent/my2pg-rules.yaml"),
                        Catch::Equals("cannot read the mapping file /nonexistent/my2pg-rules.yaml: "
                                      "No such file or directory; check the --mapping path"));
    const std::string dir = std::filesystem::temp_directory_path().string();
    REQUIRE_THROWS_WITH(TypeRules::load_file(dir),
                        Catch::Equals("cannot read the mapping file " + dir +
                                      ": Is a directory; check the --mapping path"));
  }
  SECTION("bad YAML") {
    const TempFile f("rules:\n  - {match: {type: int}, target: x\n");
    REQUIRE_THROWS_WITH(TypeRules::load_file(f.path()),
                        Catch::StartsWith(f.path() + ":") && Catch::Contains("not valid YAML"));
  }
  SECTION("an unknown match key") {
    const TempFile f(
        "rules:\n  - {match: {type: int}, target: x}\n  - match: {kind: int}\n"
        "    target: x\n");
    REQUIRE_THROWS_WITH(TypeRules::load_file(f.path()),
                        Catch::StartsWith(f.path() + ":3: rule 2: unknown match key 'kind'"));
  }
  SECTION("an unknown policy value") {
    const TempFile f("rules:\n  - {match: {type: text}, target: text,\n     nul_bytes: keep}\n");
    REQUIRE_THROWS_WITH(
        TypeRules::load_file(f.path()),
        Catch::Equals(f.path() + ":3: rule 1: unknown nul_bytes value 'keep'; use error, strip"));
  }
}

TEST_CASE("layered rules: the user's first, in file order, then the defaults", "[type_rules]") {
  const TypeRules rules = TypeRules::layered(TypeRules::parse(R"yaml(rules:
  - {match: {type: int, unsigned: true}, target: "numeric(10,0)", why: first}
  - {match: {type: int}, target: integer, why: second}
  - {match: {type: int}, target: never, why: shadowed}
  - {match: {column: "*.*.note"}, target: "varchar(100)", why: by name}
)yaml",
                                                              "mine.yaml"),
                                             TypeRules::load_default());
  const TargetType u = rules.map(shop_items(), col("int", "int(10) unsigned"));
  CHECK(u.sql == "numeric(10,0)");
  CHECK(u.origin == "mine.yaml rule 1");
  const TargetType s = rules.map(shop_items(), col("int", "int(11)"));
  CHECK(s.sql == "integer");
  CHECK(s.why == "second");
  CHECK(s.origin == "mine.yaml rule 2");
  const TargetType note = rules.map(shop_items(), named("note", "text", "text"));
  CHECK(note.sql == "varchar(100)");
  CHECK(note.origin == "mine.yaml rule 4");
  const TargetType other = rules.map(shop_items(), named("body", "text", "text"));
  CHECK(other.sql == "text");
  CHECK(other.origin == "schema-mapping/default.yaml rule 22");
  const TargetType big = rules.map(shop_items(), col("bigint", "bigint(20) unsigned"));
  CHECK(big.sql == "numeric(20,0)");
  CHECK(big.origin == "schema-mapping/default.yaml rule 8");
  REQUIRE_THROWS_WITH(
      rules.map(shop_items(), col("vector", "vector(3)")),
      Catch::Contains("no type rule in mine.yaml or schema-mapping/default.yaml matches column "
                      "shop.items.c of type vector(3)"));
}

TEST_CASE("tinyint and bit(1) to boolean expose their conversion and misfit check",
          "[type_rules]") {
  const std::string yaml = R"yaml(rules:
  - {match: {column_type: [tinyint(1), tinyint(1) unsigned]}, target: boolean}
  - {match: {column_type: bit(1)}, target: BOOLEAN}
  - {match: {type: bit}, target: bool}
  - {match: {type: char}, target: boolean}
)yaml";
  const TargetType t = map_with(yaml, col("tinyint", "tinyint(1)"));
  CHECK(t.sql == "boolean");
  CHECK(t.kind == TargetKind::boolean);
  CHECK(t.misfit_predicate == "{column} NOT IN (0,1)");
  CHECK(t.misfit_condition("`is_active`") == "`is_active` NOT IN (0,1)");
  CHECK(map_with(yaml, col("tinyint", "tinyint(1) unsigned")).kind == TargetKind::boolean);

  Column bit1 = col("bit", "bit(1)");
  bit1.precision = 1;
  const TargetType b = map_with(yaml, bit1);
  CHECK(b.sql == "BOOLEAN");
  CHECK(b.kind == TargetKind::boolean);
  CHECK(b.misfit_predicate.empty());
  CHECK(b.misfit_condition("`flag`").empty());

  Column bit8 = named("mask", "bit", "bit(8)");
  bit8.precision = 8;
  REQUIRE_THROWS_AS(map_with(yaml, bit8), MappingError);
  REQUIRE_THROWS_WITH(map_with(yaml, bit8),
                      Catch::Equals("column shop.items.mask (bit(8)) cannot become boolean by "
                                    "u.yaml rule 3: only BIT(1) can; narrow that rule's match, "
                                    "e.g. column_type: bit(1)"));

  // Text keeps its form: PostgreSQL's boolean input decides.
  const TargetType c = map_with(yaml, col("char", "char(1)"));
  CHECK(c.sql == "boolean");
  CHECK(c.kind == TargetKind::as_declared);
  CHECK(c.misfit_predicate.empty());
}

TEST_CASE("ENUM to a PostgreSQL enum exposes the labels and the misfit check", "[type_rules]") {
  const std::string yaml = "rules:\n  - {match: {type: [enum, set]}, target: enum}\n";
  const TargetType t = map_with(yaml, col("enum", R"(enum('new','it''s','a\\b','','x,y'))"));
  CHECK(t.sql == "enum");
  CHECK(t.kind == TargetKind::pg_enum);
  CHECK(t.enum_labels == std::vector<std::string>{"new", "it's", "a\\b", "", "x,y"});
  CHECK(t.misfit_predicate == "{column} = 0");
  CHECK(t.misfit_condition("`state`") == "`state` = 0");
  CHECK(map_with(yaml, col("enum", "enum('a')")).enum_labels == std::vector<std::string>{"a"});
  CHECK(map_with(yaml, col("enum", R"(enum('\n\r\0\Z'))")).enum_labels ==
        std::vector<std::string>{std::string("\n\r\0\032", 4)});

  REQUIRE_THROWS_WITH(map_with(yaml, named("tags", "set", "set('a','b')")),
                      Catch::Equals("column shop.items.tags (set('a','b')) cannot become a "
                                    "PostgreSQL enum by u.yaml rule 1: only a MySQL ENUM column "
                                    "can; narrow that rule's match, e.g. type: enum"));
  REQUIRE_THROWS_AS(map_with(yaml, col("enum", "enum('a'")), MappingError);
  const std::string long_label(64, 'x');
  REQUIRE_THROWS_WITH(map_with(yaml, named("s", "enum", "enum('ok','" + long_label + "')")),
                      Catch::Contains("column shop.items.s: ENUM label '" + long_label +
                                      "' is 64 bytes, over PostgreSQL's 63-byte enum label limit"));
  CHECK(map_with(yaml, col("enum", "enum('" + std::string(63, 'y') + "')")).enum_labels.size() ==
        1);
}

TEST_CASE("the friendlier examples parse and narrow as documented", "[type_rules]") {
  const std::filesystem::path here(__FILE__);
  std::ifstream in(here.parent_path() / "../../schema-mapping/examples/friendlier.yaml");
  REQUIRE(in);
  std::string yaml;
  int examples = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("  # - ")) {
      line.erase(2, 2);  // uncomment
      ++examples;
    }
    yaml += line + "\n";
  }
  CHECK(examples == 7);
  const TypeRules rules =
      TypeRules::layered(TypeRules::parse(yaml, "friendlier.yaml"), TypeRules::load_default());
  CHECK(rules.map(shop_items(), col("tinyint", "tinyint(1)")).sql == "boolean");
  CHECK(rules.map(shop_items(), col("tinyint", "tinyint(1) unsigned")).sql == "boolean");
  CHECK(rules.map(shop_items(), col("tinyint", "tinyint(4)")).sql == "smallint");
  Column bit1 = col("bit", "bit(1)");
  bit1.precision = 1;
  CHECK(rules.map(shop_items(), bit1).kind == TargetKind::boolean);
  Column bit2 = col("bit", "bit(2)");
  bit2.precision = 2;
  CHECK(rules.map(shop_items(), bit2).sql == "bit(2)");
  CHECK(rules.map(shop_items(), col("enum", "enum('a','b')")).kind == TargetKind::pg_enum);
  CHECK(rules.map(shop_items(), col("date", "date")).policy.zero_dates == ZeroDates::null);
  CHECK(rules.map(shop_items(), named("legacy_body", "text", "text")).policy.invalid_text ==
        InvalidText::replace);
}
