// common/row_set column lookup and common/resources, the files compiled into the binary.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "common/resources.hpp"
#include "common/row_set.hpp"

using my2pg::Error;
using my2pg::resource;
using my2pg::resources;
using my2pg::RowSet;

TEST_CASE("RowSet::column_index finds columns by exact name", "[row_set]") {
  RowSet rs;
  rs.columns = {"TABLE_NAME", "COLUMN_NAME", "AUTO_INCREMENT"};
  CHECK(rs.column_index("TABLE_NAME") == 0);
  CHECK(rs.column_index("COLUMN_NAME") == 1);
  CHECK(rs.column_index("AUTO_INCREMENT") == 2);
}

TEST_CASE("RowSet::column_index names the missing column and the ones there are", "[row_set]") {
  RowSet rs;
  rs.columns = {"TABLE_NAME", "COLUMN_NAME"};
  REQUIRE_THROWS_AS(rs.column_index("table_name"), Error);
  REQUIRE_THROWS_WITH(
      rs.column_index("table_name"),
      "a query result has no column 'table_name' (it has: TABLE_NAME, COLUMN_NAME)");
  const RowSet empty;
  REQUIRE_THROWS_WITH(empty.column_index("x"), "a query result has no column 'x' (it has: )");
  try {
    empty.column_index("x");
  } catch (const Error& e) {
    CHECK(e.exit_code() == my2pg::ExitCode::internal);
  }
}

TEST_CASE("the default type rules are compiled in", "[resources]") {
  const std::string_view rules = resource("schema-mapping/default.yaml");
  CHECK_FALSE(rules.empty());
  CHECK(rules.find("\nrules:\n") != std::string_view::npos);
  CHECK(rules.find("target: jsonb") != std::string_view::npos);
}

TEST_CASE("the control schema migration is compiled in", "[resources]") {
  const std::string_view sql = resource("migrations/0001_control_schema.sql");
  CHECK_FALSE(sql.empty());
  CHECK(sql.find("my2pg") != std::string_view::npos);
}

TEST_CASE("resources() include both kinds, migrations in version order", "[resources]") {
  const auto all = resources();
  REQUIRE(all.size() >= 2);
  const auto has = [&](std::string_view name) {
    return std::any_of(all.begin(), all.end(), [&](const auto& r) { return r.name == name; });
  };
  CHECK(has("schema-mapping/default.yaml"));
  CHECK(has("migrations/0001_control_schema.sql"));
  std::vector<std::string_view> migrations;
  for (const auto& r : all) {
    INFO(r.name);
    CHECK_FALSE(r.text.empty());
    if (r.name.starts_with("migrations/")) migrations.push_back(r.name);
  }
  CHECK(std::is_sorted(migrations.begin(), migrations.end()));
}

// cmake/embed_resources.cmake emits schema-mapping/default.yaml before migrations/*.
TEST_CASE("resources() are sorted by name", "[resources]") {
  const auto all = resources();
  CHECK(std::is_sorted(all.begin(), all.end(),
                       [](const auto& a, const auto& b) { return a.name < b.name; }));
}

TEST_CASE("an unknown resource is an error naming it", "[resources]") {
  REQUIRE_THROWS_AS(resource("migrations/9999_nope.sql"), Error);
  REQUIRE_THROWS_WITH(resource("migrations/9999_nope.sql"),
                      "built-in resource 'migrations/9999_nope.sql' is missing from this build");
  REQUIRE_THROWS_WITH(resource(""), Catch::Contains("built-in resource ''"));
  REQUIRE_THROWS_WITH(resource("schema-mapping/DEFAULT.yaml"),
                      Catch::Contains("'schema-mapping/DEFAULT.yaml' is missing"));
}
