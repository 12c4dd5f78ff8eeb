// typemap/identifiers: source names to PostgreSQL names (schema renames, case policy, 63-byte
// shortening), collisions as errors, and the record of every changed name.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <tuple>
#include <typeinfo>
#include <vector>

#include "common/error.hpp"
#include "common/utf8.hpp"
#include "pg/connection.hpp"
#include "typemap/identifiers.hpp"

using my2pg::typemap::CasePolicy;
using my2pg::typemap::fold_case;
using my2pg::typemap::IdentifierMap;
using my2pg::typemap::IdentifierOptions;
using Entry = IdentifierMap::Entry;

namespace {

IdentifierOptions lower() {
  IdentifierOptions o;
  o.case_policy = CasePolicy::lower;
  return o;
}

// The message of the exception `f` throws, which must be exactly of type E.
template <typename E, typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const my2pg::Error& e) {
    CHECK(typeid(e) == typeid(E));
    return e.what();
  }
  FAIL("no exception thrown");
  return {};
}

auto key(const Entry& e) {
  return std::tie(e.kind, e.database, e.table, e.source, e.target);
}

std::vector<Entry> sorted(std::vector<Entry> entries) {
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return key(a) < key(b); });
  return entries;
}

bool same(const std::vector<Entry>& a, const std::vector<Entry>& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](auto& x, auto& y) { return key(x) == key(y); });
}

// Two names over 63 bytes with the same first 54 bytes and the same 32-bit FNV-1a hash: their
// shortened forms are equal (found by a birthday search over the hex suffix).
const std::string kLongA = "customer_order_line_item_with_a_very_long_descriptive_name_581a9";
const std::string kLongB = "customer_order_line_item_with_a_very_long_descriptive_name_c7e56";

}  // namespace

TEST_CASE("identifiers: names pass through unchanged under the keep policy", "[identifiers]") {
  IdentifierMap map;
  const std::vector<std::string> names = {
      "select", "Order Details", "na\xC3\xAFve", "a\"b", "MixedCase", "x", std::string(63, 'n')};
  for (const auto& n : names) {
    INFO(n);
    CHECK(map.schema(n) == n);
    CHECK(map.table("shop", n) == n);
    CHECK(map.column("shop", "t", n) == n);
  }
  CHECK(map.changed().empty());
  // Quoting happens at DDL time and keeps them apart from keywords and each other.
  CHECK(my2pg::pg::quote_identifier(map.table("shop", "select")) == "\"select\"");
  CHECK(my2pg::pg::quote_identifier(map.table("shop", "Order Details")) == "\"Order Details\"");
  CHECK(my2pg::pg::quote_identifier(map.table("shop", "a\"b")) == "\"a\"\"b\"");
  CHECK(my2pg::pg::quote_identifier(map.table("shop", "na\xC3\xAFve")) == "\"na\xC3\xAFve\"");
}

TEST_CASE("identifiers: the lower policy folds ASCII letters and leaves multibyte ones intact",
          "[identifiers]") {
  CHECK(fold_case("Order Details", CasePolicy::lower) == "order details");
  CHECK(fold_case("Order Details", CasePolicy::keep) == "Order Details");
  CHECK(fold_case("NA\xC3\xAFVE", CasePolicy::lower) == "na\xC3\xAFve");
  // As PostgreSQL folds unquoted names in a UTF-8 database: É (U+00C9) is not ASCII.
  CHECK(fold_case("\xC3\x89"
                  "COLE",
                  CasePolicy::lower) ==
        "\xC3\x89"
        "cole");
  CHECK(fold_case("\xF0\x9F\x98\x80Z", CasePolicy::lower) == "\xF0\x9F\x98\x80z");

  IdentifierMap map(lower());
  CHECK(map.schema("Shop") == "shop");
  CHECK(map.table("Shop", "Order") == "order");
  CHECK(map.column("Shop", "Order", "CustomerID") == "customerid");
  CHECK(map.column("Shop", "Order", "select") == "select");
  CHECK(map.column("Shop", "Order", "na\xC3\xAFve") == "na\xC3\xAFve");
  CHECK(same(map.changed(), {{"schema", "Shop", "shop", "", ""},
                             {"table", "Order", "order", "Shop", ""},
                             {"column", "CustomerID", "customerid", "Shop", "Order"}}));
}

TEST_CASE("identifiers: a schema rename maps a database to a schema as given", "[identifiers]") {
  IdentifierOptions o = lower();
  o.schema_renames = {{"Shop", "Sales"}, {"crm", "customers"}};
  IdentifierMap map(o);
  CHECK(map.schema("Shop") == "Sales");  // not folded: the operator spelled it
  CHECK(map.schema("crm") == "customers");
  CHECK(map.schema("other") == "other");
  CHECK(map.table("Shop", "Items") == "items");
  CHECK(same(map.changed(), {{"schema", "Shop", "Sales", "", ""},
                             {"schema", "crm", "customers", "", ""},
                             {"table", "Items", "items", "Shop", ""}}));
}

TEST_CASE("identifiers: names over 63 bytes are shortened with a hash of the whole name",
          "[identifiers]") {
  IdentifierMap map;
  const std::string long64(64, 'a');
  const std::string t = map.table("shop", long64);
  CHECK(t.size() == 63);
  CHECK(t == my2pg::pg::fit_identifier(long64));
  CHECK(t.substr(0, 55) == std::string(54, 'a') + "_");
  CHECK(my2pg::pg::quote_identifier(t) == "\"" + t + "\"");
  // Deterministic, and different long names stay apart.
  CHECK(IdentifierMap().table("shop", long64) == t);
  CHECK(map.table("shop", std::string(63, 'a') + "b") != t);
  CHECK(map.table("shop", std::string(63, 'a')) == std::string(63, 'a'));

  // Multibyte names are cut at a character boundary.
  std::string accents;
  for (int i = 0; i < 40; ++i) accents += "\xC3\xA9";  // 80 bytes
  const std::string c = map.column("shop", "t", accents);
  CHECK(c.size() <= 63);
  CHECK(my2pg::is_valid_utf8(c));
  CHECK(c.substr(0, 54) == accents.substr(0, 54));

  // A long name with a quote shortens and still quotes correctly.
  const std::string quoted_long = std::string("a\"b") + std::string(62, 'q');
  const std::string q = map.column("shop", "t", quoted_long);
  CHECK(q.size() == 63);
  CHECK(q.substr(0, 3) == "a\"b");
  CHECK(my2pg::pg::quote_identifier(q).size() == 66);

  // Under the lower policy the folded name is shortened.
  IdentifierMap folded(lower());
  CHECK(folded.schema(std::string(70, 'S')) == my2pg::pg::fit_identifier(std::string(70, 's')));

  REQUIRE(map.changed().size() == 4);
  CHECK(key(map.changed()[0]) == key(Entry{"table", long64, t, "shop", ""}));
  CHECK(key(map.changed()[2]) == key(Entry{"column", accents, c, "shop", "t"}));
}

TEST_CASE("identifiers: asking again gives the same name and records it once", "[identifiers]") {
  IdentifierMap map(lower());
  for (int i = 0; i < 3; ++i) {
    CHECK(map.schema("Shop") == "shop");
    CHECK(map.table("Shop", "Order") == "order");
    CHECK(map.column("Shop", "Order", "ID") == "id");
  }
  CHECK(map.changed().size() == 3);
}

TEST_CASE("identifiers: two fresh maps give the same names in any call order", "[identifiers]") {
  IdentifierOptions o = lower();
  o.schema_renames = {{"Crm", "customers"}};
  const std::string long_table = std::string("Table_") + std::string(70, 'x');
  const std::string long_column = std::string(65, 'C');
  struct Call {
    std::string database, table, column;
  };
  const std::vector<Call> calls = {
      {"Shop", "Order", "ID"},       {"Shop", long_table, long_column},
      {"Crm", "People", "Name"},     {"Shop", "Order", "Total"},
      {"Crm", long_table, "x"},      {"Shop", "na\xC3\xAFve", "y"},
      {"Shop", long_table, "Other"},
  };
  IdentifierMap forward(o), backward(o);
  std::vector<std::string> a, b;
  for (const auto& c : calls) a.push_back(forward.column(c.database, c.table, c.column));
  for (auto it = calls.rbegin(); it != calls.rend(); ++it) {
    b.insert(b.begin(), backward.column(it->database, it->table, it->column));
  }
  CHECK(a == b);
  for (const auto& c : calls) {
    CHECK(forward.table(c.database, c.table) == backward.table(c.database, c.table));
  }
  CHECK(same(sorted(forward.changed()), sorted(backward.changed())));
  CHECK(forward.changed().size() == 11);  // 2 schemas, 4 tables, 5 columns
}

TEST_CASE("identifiers: names that would merge under the lower policy are an error",
          "[identifiers]") {
  SECTION("tables") {
    for (bool reverse : {false, true}) {
      IdentifierMap map(lower());
      const std::string first = reverse ? "order" : "Order", second = reverse ? "Order" : "order";
      map.table("shop", first);
      const std::string msg = error_of<my2pg::MappingError>([&] { map.table("shop", second); });
      CHECK_THAT(msg, Catch::Contains("tables `" + first + "` and `" + second + "`"));
      CHECK_THAT(msg, Catch::Contains("database `shop`"));
      CHECK_THAT(msg, Catch::Contains("PostgreSQL table \"shop\".\"order\""));
      CHECK_THAT(msg, Catch::Contains("lower-case policy"));
      CHECK_THAT(msg, Catch::Contains("rename one of them on the source"));
      CHECK_THAT(msg, Catch::Contains("keep the source's case"));
    }
    // Under the keep policy they are two tables.
    IdentifierMap keep;
    CHECK(keep.table("shop", "Order") != keep.table("shop", "order"));
  }
  SECTION("columns") {
    IdentifierMap map(lower());
    map.column("shop", "t", "Name");
    const std::string msg = error_of<my2pg::MappingError>([&] { map.column("shop", "t", "NAME"); });
    CHECK_THAT(msg, Catch::Contains("columns `Name` and `NAME` of table `shop`.`t`"));
    CHECK_THAT(msg, Catch::Contains("column \"name\" of table \"shop\".\"t\""));
    // The same column name in another table is no collision.
    CHECK(map.column("shop", "u", "NAME") == "name");
  }
  SECTION("schemas") {
    IdentifierMap map(lower());
    map.schema("Shop");
    const std::string msg = error_of<my2pg::MappingError>([&] { map.schema("SHOP"); });
    CHECK_THAT(msg, Catch::Contains("databases `Shop` and `SHOP`"));
    CHECK_THAT(msg, Catch::Contains("schema rename"));
  }
  SECTION("tables of two databases folded into one schema") {
    IdentifierMap map(lower());
    map.table("Shop", "t");
    CHECK_THROWS_AS(map.table("shop", "t"), my2pg::MappingError);
  }
}

TEST_CASE("identifiers: long names whose shortened forms collide are an error", "[identifiers]") {
  REQUIRE(kLongA.size() > 63);
  REQUIRE(my2pg::pg::fit_identifier(kLongA) == my2pg::pg::fit_identifier(kLongB));
  for (bool reverse : {false, true}) {
    IdentifierMap map;
    const std::string& first = reverse ? kLongB : kLongA;
    const std::string& second = reverse ? kLongA : kLongB;
    map.column("shop", "t", first);
    const std::string msg = error_of<my2pg::MappingError>([&] { map.column("shop", "t", second); });
    CHECK_THAT(msg, Catch::Contains(first));
    CHECK_THAT(msg, Catch::Contains(second));
    CHECK_THAT(msg, Catch::Contains("shortened"));
    CHECK_THAT(msg, Catch::Contains("rename one of them on the source"));
  }
  // A 63-byte source name equal to another's shortened form.
  IdentifierMap map;
  const std::string shortened = map.table("shop", kLongA);
  const std::string msg = error_of<my2pg::MappingError>([&] { map.table("shop", shortened); });
  CHECK_THAT(msg, Catch::Contains("shortened"));
}

TEST_CASE("identifiers: a schema rename onto another database's schema is an error",
          "[identifiers]") {
  IdentifierOptions o;
  o.schema_renames = {{"old_shop", "shop"}};
  for (bool reverse : {false, true}) {
    IdentifierMap map(o);
    map.schema(reverse ? "shop" : "old_shop");
    const std::string msg =
        error_of<my2pg::MappingError>([&] { map.schema(reverse ? "old_shop" : "shop"); });
    CHECK_THAT(msg, Catch::Contains("`old_shop`"));
    CHECK_THAT(msg, Catch::Contains("`shop`"));
    CHECK_THAT(msg, Catch::Contains("schema rename"));
  }
}

TEST_CASE("identifiers: bad schema renames and unmappable names are refused", "[identifiers]") {
  IdentifierOptions o;
  o.schema_renames = {{"shop", std::string(64, 's')}};
  CHECK_THAT(error_of<my2pg::ConfigError>([&] { IdentifierMap bad(o); }),
             Catch::Contains("64 bytes, over PostgreSQL's 63-byte limit"));
  o.schema_renames = {{"shop", ""}};
  CHECK_THAT(error_of<my2pg::ConfigError>([&] { IdentifierMap bad(o); }),
             Catch::Contains("`shop`") && Catch::Contains("is empty"));
  o.schema_renames = {{"shop", std::string("a\0b", 3)}};
  CHECK_THAT(error_of<my2pg::ConfigError>([&] { IdentifierMap bad(o); }),
             Catch::Contains("NUL byte"));

  IdentifierMap map;
  CHECK_THAT(error_of<my2pg::MappingError>([&] { map.schema(""); }),
             Catch::Contains("empty database name"));
  CHECK_THAT(error_of<my2pg::MappingError>([&] { map.table("shop", ""); }),
             Catch::Contains("empty table name"));
  CHECK_THAT(error_of<my2pg::MappingError>([&] { map.column("shop", "t", ""); }),
             Catch::Contains("empty column name"));
  CHECK_THAT(
      error_of<my2pg::MappingError>([&] { map.column("shop", "t", std::string("a\0b", 3)); }),
      Catch::Contains("NUL byte") && Catch::Contains("column name"));
  CHECK_THAT(error_of<my2pg::Error>([&] { map.object("shop", ""); }), Catch::Contains("internal"));
}

TEST_CASE("identifiers: objects are made unique within their schema", "[identifiers]") {
  IdentifierMap map(lower());
  CHECK(map.table("Shop", "Orders") == "orders");
  CHECK(map.object("shop", "orders_pkey") == "orders_pkey");
  CHECK(map.object("shop", "orders_pkey") == "orders_pkey_2");
  CHECK(map.object("shop", "Orders_PKEY") == "orders_pkey_3");
  CHECK(map.object("other", "orders_pkey") == "orders_pkey");  // another schema
  // A table's name is taken (tables and indexes, sequences and types share a namespace).
  CHECK(map.object("shop", "orders") == "orders_2");

  // Long wanted names are fitted, and the suffix still fits in 63 bytes.
  const std::string long_name = std::string("idx_") + std::string(70, 'k');
  const std::string first = map.object("shop", long_name);
  CHECK(first == my2pg::pg::fit_identifier(long_name));
  const std::string second = map.object("shop", long_name);
  CHECK(second.size() == 63);
  CHECK(second != first);
  CHECK(second.substr(61) == "_2");
  CHECK(second.substr(0, 61) == first.substr(0, 61));

  // Multibyte names: the suffix never splits a character.
  std::string accents;
  for (int i = 0; i < 31; ++i) accents += "\xC3\xA9";  // 62 bytes
  CHECK(map.object("shop", accents) == accents);
  const std::string again = map.object("shop", accents);
  CHECK(again.size() <= 63);
  CHECK(my2pg::is_valid_utf8(again));
  CHECK(again.substr(again.size() - 2) == "_2");

  const auto& changed = map.changed();
  CHECK(std::count_if(changed.begin(), changed.end(),
                      [](const Entry& e) { return e.kind == "object"; }) == 6);
  CHECK(std::any_of(changed.begin(), changed.end(), [](const Entry& e) {
    return key(e) == key(Entry{"object", "orders_pkey", "orders_pkey_2", "shop", ""});
  }));
}

TEST_CASE("identifiers: a table mapped after an object took its name is a caller's error",
          "[identifiers]") {
  IdentifierMap map;
  CHECK(map.object("shop", "orders_seq") == "orders_seq");
  const std::string msg = error_of<my2pg::Error>([&] { map.table("shop", "orders_seq"); });
  CHECK_THAT(msg, Catch::Contains("map every table before naming objects"));
}
