// schema/catalog: build_tables() from information_schema rows built by hand.
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "common/catalog_rows.hpp"
#include "common/error.hpp"
#include "common/row_set.hpp"
#include "schema/catalog.hpp"

using my2pg::Error;
using my2pg::RowSet;
using my2pg::schema::build_tables;
using my2pg::schema::Table;

namespace {

using Cell = std::optional<std::string>;
const Cell null = std::nullopt;

RowSet columns_rows() {
  RowSet rs;
  rs.columns = {"TABLE_NAME",
                "COLUMN_NAME",
                "IS_NULLABLE",
                "DATA_TYPE",
                "COLUMN_TYPE",
                "EXTRA",
                "CHARACTER_MAXIMUM_LENGTH",
                "NUMERIC_PRECISION",
                "NUMERIC_SCALE",
                "DATETIME_PRECISION",
                "CHARACTER_SET_NAME"};
  // Table "orders" comes first in the rows but sorts after "items".
  rs.rows = {
      {"orders", "id", "NO", "bigint", "bigint(20) unsigned", "auto_increment", null, "20", "0",
       null, null},
      {"orders", "item_id", "NO", "int", "int(10) unsigned", "", null, "10", "0", null, null},
      {"orders", "placed", "YES", "datetime", "datetime(6)", "", null, null, null, "6", null},
      {"orders", "doc", "YES", "longtext", "longtext", "", "4294967295", null, null, null,
       "utf8mb4"},
      {"items", "shop", "NO", "varchar", "varchar(20)", "", "20", null, null, null, "utf8mb4"},
      {"items", "sku", "NO", "int", "int(11)", "", null, "10", "0", null, null},
      {"items", "seq", "NO", "int", "int(11)", "auto_increment", null, "10", "0", null, null},
      {"items", "price", "YES", "decimal", "decimal(30,10)", "", null, "30", "10", null, null},
      {"items", "meta", "YES", "json", "json", "", null, null, null, null, null},
  };
  return rs;
}

RowSet pairs(std::vector<std::string> columns, std::vector<RowSet::Row> rows) {
  RowSet rs;
  rs.columns = std::move(columns);
  rs.rows = std::move(rows);
  return rs;
}

RowSet primary_keys() {
  return pairs({"TABLE_NAME", "COLUMN_NAME"},
               {{"items", "shop"}, {"items", "sku"}, {"orders", "id"}, {"gone", "x"}});
}

RowSet json_checks() {
  return pairs({"TABLE_NAME", "COLUMN_NAME"}, {{"orders", "doc"}});
}

RowSet counters() {
  return pairs({"TABLE_NAME", "AUTO_INCREMENT"},
               {{"orders", "18446744073709551615"}, {"items", "42"}, {"gone", "7"}});
}

}  // namespace

TEST_CASE("build_tables builds tables in name order with their columns", "[catalog]") {
  const std::vector<Table> tables =
      build_tables("shop", columns_rows(), primary_keys(), json_checks(), counters());
  REQUIRE(tables.size() == 2);

  const Table& items = tables[0];
  CHECK(items.database == "shop");
  CHECK(items.name == "items");
  CHECK(items.qualified_name() == "shop.items");
  REQUIRE(items.columns.size() == 5);
  CHECK(items.columns[0].name == "shop");
  CHECK(items.columns[1].name == "sku");
  CHECK(items.columns[2].name == "seq");
  CHECK(items.columns[3].name == "price");
  CHECK(items.columns[4].name == "meta");
  CHECK(items.primary_key == std::vector<std::string>{"shop", "sku"});
  CHECK(items.auto_increment_next == 42U);

  const auto& shop = items.columns[0];
  CHECK(shop.data_type == "varchar");
  CHECK(shop.column_type == "varchar(20)");
  CHECK_FALSE(shop.nullable);
  CHECK(shop.char_length == 20);
  CHECK_FALSE(shop.precision);
  CHECK(shop.charset == "utf8mb4");
  CHECK_FALSE(shop.is_json);

  const auto& sku = items.columns[1];
  CHECK_FALSE(sku.is_unsigned);
  CHECK_FALSE(sku.auto_increment);
  CHECK(items.columns[2].auto_increment);

  const auto& price = items.columns[3];
  CHECK(price.nullable);
  CHECK(price.precision == 30);
  CHECK(price.scale == 10);
  CHECK_FALSE(price.fsp);
  CHECK(price.charset.empty());

  CHECK(items.columns[4].is_json);  // MySQL JSON by its data type

  const Table& orders = tables[1];
  CHECK(orders.name == "orders");
  REQUIRE(orders.columns.size() == 4);
  CHECK(orders.primary_key == std::vector<std::string>{"id"});
  CHECK(orders.auto_increment_next == 18446744073709551615ULL);

  const auto& id = orders.columns[0];
  CHECK(id.name == "id");
  CHECK(id.is_unsigned);
  CHECK(id.auto_increment);
  CHECK(id.precision == 20);
  CHECK(id.scale == 0);

  const auto& item_id = orders.columns[1];
  CHECK(item_id.is_unsigned);
  CHECK_FALSE(item_id.auto_increment);
  CHECK_FALSE(item_id.nullable);

  CHECK(orders.columns[2].fsp == 6);
  CHECK(orders.columns[2].nullable);

  const auto& doc = orders.columns[3];
  CHECK(doc.is_json);  // MariaDB LONGTEXT with a json_valid() check
  CHECK(doc.char_length == 4294967295LL);
}

TEST_CASE("build_tables accepts empty optional row sets", "[catalog]") {
  const std::vector<Table> tables =
      build_tables("shop", columns_rows(), RowSet{}, RowSet{}, RowSet{});
  REQUIRE(tables.size() == 2);
  CHECK(tables[0].primary_key.empty());
  CHECK_FALSE(tables[0].auto_increment_next);
  CHECK_FALSE(tables[1].columns[3].is_json);  // orders.doc: no json check given
  CHECK(tables[0].columns[4].is_json);        // items.meta: JSON data type

  // A NULL counter (a table without AUTO_INCREMENT) leaves it unset.
  const auto none = build_tables("shop", columns_rows(), RowSet{}, RowSet{},
                                 pairs({"TABLE_NAME", "AUTO_INCREMENT"}, {{"items", null}}));
  CHECK_FALSE(none[0].auto_increment_next);

  CHECK(build_tables("shop", pairs(columns_rows().columns, {}), RowSet{}, RowSet{}, RowSet{})
            .empty());
}

TEST_CASE("build_tables refuses catalog values that are not whole numbers", "[catalog]") {
  RowSet cs = columns_rows();
  cs.rows[1][7] = "ten";  // orders.item_id NUMERIC_PRECISION
  REQUIRE_THROWS_AS(build_tables("shop", cs, RowSet{}, RowSet{}, RowSet{}), Error);
  REQUIRE_THROWS_WITH(build_tables("shop", cs, RowSet{}, RowSet{}, RowSet{}),
                      Catch::Equals("catalog value 'ten' is not a whole number"));

  cs = columns_rows();
  cs.rows[0][6] = "12abc";
  REQUIRE_THROWS_WITH(build_tables("shop", cs, RowSet{}, RowSet{}, RowSet{}),
                      Catch::Contains("'12abc' is not a whole number"));

  REQUIRE_THROWS_WITH(build_tables("shop", columns_rows(), RowSet{}, RowSet{},
                                   pairs({"TABLE_NAME", "AUTO_INCREMENT"}, {{"items", "-1"}})),
                      Catch::Contains("catalog value '-1' is not a whole number"));
  REQUIRE_THROWS_WITH(
      build_tables("shop", columns_rows(), RowSet{}, RowSet{},
                   pairs({"TABLE_NAME", "AUTO_INCREMENT"}, {{"items", "18446744073709551616"}})),
      Catch::Contains("'18446744073709551616' is not a whole number"));
}

TEST_CASE("build_tables names a missing catalog column", "[catalog]") {
  RowSet cs = columns_rows();
  cs.columns[5] = "EXTRA_INFO";
  REQUIRE_THROWS_WITH(build_tables("shop", cs, RowSet{}, RowSet{}, RowSet{}),
                      Catch::Contains("no column 'EXTRA'") && Catch::Contains("EXTRA_INFO"));
}

TEST_CASE("parse_default reads MariaDB's and MySQL's forms of column defaults", "[catalog]") {
  using my2pg::schema::DefaultKind;
  using my2pg::schema::parse_default;
  // MariaDB 10.2.7+: literals quoted, NULL as a word, expressions as SQL.
  CHECK(parse_default(null, "", true).kind == DefaultKind::none);
  CHECK(parse_default(Cell("NULL"), "", true).kind == DefaultKind::null);
  auto d = parse_default(Cell("'it''s \\\\ here'"), "", true);
  CHECK(d.kind == DefaultKind::literal);
  CHECK(d.value == "it's \\ here");
  d = parse_default(Cell("''"), "", true);
  CHECK(d.kind == DefaultKind::literal);
  CHECK(d.value.empty());
  d = parse_default(Cell("4.99"), "", true);
  CHECK(d.kind == DefaultKind::literal);
  CHECK(d.value == "4.99");
  CHECK(parse_default(Cell("-1e3"), "", true).kind == DefaultKind::literal);
  CHECK(parse_default(Cell("b'101'"), "", true).value == "b'101'");
  d = parse_default(Cell("current_timestamp(6)"), "on update current_timestamp(6)", true);
  CHECK(d.kind == DefaultKind::current_timestamp);
  CHECK(parse_default(Cell("uuid()"), "", true).kind == DefaultKind::expression);
  CHECK(parse_default(Cell("(`a` + 1)"), "", true).kind == DefaultKind::expression);
  // MySQL: literals bare, expressions flagged DEFAULT_GENERATED.
  d = parse_default(Cell("it's"), "", false);
  CHECK(d.kind == DefaultKind::literal);
  CHECK(d.value == "it's");
  CHECK(parse_default(Cell("NULL"), "", false).kind == DefaultKind::literal);  // the text NULL
  CHECK(parse_default(Cell("CURRENT_TIMESTAMP"), "DEFAULT_GENERATED", false).kind ==
        DefaultKind::current_timestamp);
  CHECK(parse_default(Cell("CURRENT_TIMESTAMP(3)"),
                      "DEFAULT_GENERATED on update "
                      "CURRENT_TIMESTAMP(3)",
                      false)
            .kind == DefaultKind::current_timestamp);
  CHECK(parse_default(Cell("CURRENT_TIMESTAMP"), "", false).kind ==
        DefaultKind::current_timestamp);  // MySQL 5.7
  CHECK(parse_default(Cell("rand()"), "DEFAULT_GENERATED", false).kind == DefaultKind::expression);
}

namespace {

my2pg::CatalogRows full_rows() {
  my2pg::CatalogRows rows;
  rows.mariadb = true;
  rows.columns = columns_rows();
  for (const char* extra :
       {"COLLATION_NAME", "COLUMN_DEFAULT", "GENERATION_EXPRESSION", "COLUMN_COMMENT"}) {
    rows.columns.columns.emplace_back(extra);
    for (auto& r : rows.columns.rows) r.emplace_back(null);
  }
  // items.shop: a quoted default and a comment; items.price: a generated column.
  rows.columns.rows[4][11] = "utf8mb4_general_ci";
  rows.columns.rows[4][12] = "'main'";
  rows.columns.rows[4][14] = "the shop's code";
  rows.columns.rows[7][5] = "STORED GENERATED";
  rows.columns.rows[7][13] = "`sku` * 2";
  rows.columns.rows[2][5] = "on update current_timestamp(6)";  // orders.placed
  rows.columns.rows[2][12] = "current_timestamp(6)";
  rows.primary_keys = primary_keys();
  rows.json_checks = json_checks();
  rows.counters = counters();
  rows.tables = pairs({"TABLE_NAME", "TABLE_TYPE", "ENGINE", "TABLE_COMMENT", "CREATE_OPTIONS"},
                      {{"items", "BASE TABLE", "InnoDB", "stock items", ""},
                       {"orders", "BASE TABLE", "MyISAM", "", "partitioned"},
                       {"item_view", "VIEW", null, "VIEW", null},
                       {"ids", "SEQUENCE", null, "", null}});
  rows.indexes = pairs({"TABLE_NAME", "INDEX_NAME", "NON_UNIQUE", "SEQ_IN_INDEX", "COLUMN_NAME",
                        "SUB_PART", "COLLATION", "INDEX_TYPE", "EXPRESSION"},
                       {{"items", "by_price", "1", "1", "price", null, "D", "BTREE", null},
                        {"items", "by_price", "1", "2", "shop", "5", "A", "BTREE", null},
                        {"items", "u_meta", "0", "1", null, null, "A", "BTREE", "(`sku` + 1)"},
                        {"orders", "ft", "1", "1", "doc", null, null, "FULLTEXT", null}});
  rows.foreign_keys =
      pairs({"TABLE_NAME", "CONSTRAINT_NAME", "COLUMN_NAME", "REFERENCED_TABLE_SCHEMA",
             "REFERENCED_TABLE_NAME", "REFERENCED_COLUMN_NAME", "UPDATE_RULE", "DELETE_RULE"},
            {{"orders", "fk_item", "item_id", "shop", "items", "sku", "CASCADE", "SET NULL"},
             {"orders", "fk_two", "id", "shop", "items", "shop", "RESTRICT", "RESTRICT"},
             {"orders", "fk_two", "item_id", "shop", "items", "sku", "RESTRICT", "RESTRICT"}});
  rows.checks = pairs({"TABLE_NAME", "CONSTRAINT_NAME", "CHECK_CLAUSE", "LEVEL"},
                      {{"orders", "doc", "json_valid(`doc`)", "Column"},
                       {"items", "price_positive", "`price` > 0", "Table"}});
  rows.triggers =
      pairs({"TRIGGER_NAME", "EVENT_OBJECT_TABLE", "ACTION_TIMING", "EVENT_MANIPULATION"},
            {{"t_ins", "items", "AFTER", "INSERT"}});
  rows.routines = pairs({"ROUTINE_NAME", "ROUTINE_TYPE"}, {{"refill", "PROCEDURE"}});
  rows.events = pairs({"EVENT_NAME"}, {{"nightly"}});
  return rows;
}

}  // namespace

TEST_CASE("build_catalog reads indexes, foreign keys, checks, defaults and other objects",
          "[catalog]") {
  using namespace my2pg::schema;
  const Catalog c = build_catalog("shop", full_rows());
  REQUIRE(c.tables.size() == 2);
  const Table& items = c.tables[0];
  CHECK(items.comment == "stock items");
  CHECK(items.engine == "InnoDB");
  CHECK_FALSE(items.partitioned);
  const Column& shop = items.columns[0];
  CHECK(shop.default_value.kind == DefaultKind::literal);
  CHECK(shop.default_value.value == "main");
  CHECK(shop.comment == "the shop's code");
  CHECK(shop.collation == "utf8mb4_general_ci");
  const Column& price = items.columns[3];
  CHECK(price.generated == Generated::stored);
  CHECK(price.generation_expression == "`sku` * 2");
  CHECK(price.default_value.kind == DefaultKind::none);
  REQUIRE(items.indexes.size() == 2);
  CHECK(items.indexes[0].name == "by_price");
  CHECK_FALSE(items.indexes[0].unique);
  REQUIRE(items.indexes[0].parts.size() == 2);
  CHECK(items.indexes[0].parts[0].descending);
  CHECK(items.indexes[0].parts[1].prefix == 5);
  CHECK(items.indexes[1].unique);
  CHECK(items.indexes[1].parts[0].expression == "(`sku` + 1)");
  REQUIRE(items.checks.size() == 1);
  CHECK(items.checks[0].clause == "`price` > 0");

  const Table& orders = c.tables[1];
  CHECK(orders.partitioned);
  CHECK(orders.engine == "MyISAM");
  CHECK(orders.columns[2].on_update_current_timestamp);
  CHECK(orders.columns[2].default_value.kind == DefaultKind::current_timestamp);
  CHECK(orders.checks.empty());  // the json_valid() check of a JSON column is not a check
  REQUIRE(orders.foreign_keys.size() == 2);
  CHECK(orders.foreign_keys[0].on_update == "CASCADE");
  CHECK(orders.foreign_keys[0].on_delete == "SET NULL");
  CHECK(orders.foreign_keys[1].columns == std::vector<std::string>{"id", "item_id"});
  CHECK(orders.foreign_keys[1].ref_columns == std::vector<std::string>{"shop", "sku"});
  CHECK(orders.indexes.at(0).kind == "FULLTEXT");

  std::vector<std::string> others;
  for (const auto& o : c.others) others.push_back(o.kind + " " + o.name + " " + o.detail);
  CHECK(others == std::vector<std::string>{"view item_view ", "sequence ids ",
                                           "trigger t_ins AFTER INSERT ON items",
                                           "procedure refill ", "event nightly "});
}

TEST_CASE("MySQL's bare text defaults that read like functions stay text", "[catalog]") {
  using my2pg::schema::DefaultKind;
  using my2pg::schema::parse_default;
  CHECK(parse_default(Cell("now()"), "", false, false).kind == DefaultKind::literal);
  CHECK(parse_default(Cell("CURRENT_TIMESTAMP"), "", false, false).kind == DefaultKind::literal);
  CHECK(parse_default(Cell("CURRENT_TIMESTAMP"), "", false, true).kind ==
        DefaultKind::current_timestamp);
  CHECK(parse_default(Cell("now()"), "DEFAULT_GENERATED", false, false).kind ==
        DefaultKind::current_timestamp);
}

TEST_CASE("MySQL checks that are NOT ENFORCED are read as such", "[catalog]") {
  my2pg::CatalogRows rows;
  rows.columns = columns_rows();
  rows.checks = pairs(
      {"TABLE_NAME", "CONSTRAINT_NAME", "CHECK_CLAUSE", "LEVEL", "ENFORCED"},
      {{"items", "on", "`sku` > 0", "Table", "YES"}, {"items", "off", "`sku` < 0", "Table", "NO"}});
  const auto c = my2pg::schema::build_catalog("shop", rows);
  REQUIRE(c.tables[0].checks.size() == 2);
  CHECK(c.tables[0].checks[0].enforced);
  CHECK_FALSE(c.tables[0].checks[1].enforced);
}
