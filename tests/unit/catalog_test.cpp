// schema/catalog: build_tables() from information_schema rows built by hand.
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

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
