// The source settings replication needs, and what a user is told to change.
#include <catch2/catch.hpp>

#include "replica/source_settings.hpp"

using my2pg::replica::describe;
using my2pg::replica::replication_setting_problems;

TEST_CASE("a server logging full rows with full metadata has no problem", "[source_settings]") {
  CHECK(replication_setting_problems({{"log_bin", "ON"},
                                      {"binlog_format", "ROW"},
                                      {"binlog_row_image", "FULL"},
                                      {"binlog_row_metadata", "FULL"}})
            .empty());
  CHECK(replication_setting_problems({{"log_bin", "1"},
                                      {"binlog_format", "row"},
                                      {"binlog_row_image", "full"},
                                      {"binlog_row_metadata", "full"}})
            .empty());
}

TEST_CASE("each wrong or missing setting is named with the fix", "[source_settings]") {
  const auto problems = replication_setting_problems(
      {{"log_bin", "OFF"}, {"binlog_format", "MIXED"}, {"binlog_row_image", "MINIMAL"}});
  REQUIRE(problems.size() == 4);
  const std::string text = describe(problems);
  CHECK_THAT(text, Catch::Contains("log_bin is OFF, needs ON: start the server with log_bin"));
  CHECK_THAT(text, Catch::Contains("binlog_format is MIXED, needs ROW: SET GLOBAL binlog_format"));
  CHECK_THAT(text, Catch::Contains("binlog_row_image is MINIMAL, needs FULL"));
  CHECK_THAT(text, Catch::Contains("binlog_row_metadata is missing, needs FULL") &&
                       Catch::Contains("MariaDB 10.5"));
}
