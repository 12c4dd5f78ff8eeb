#pragma once
// A small, fully fetched query result: catalog and status queries on either side.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace my2pg {

struct RowSet {
  using Row = std::vector<std::optional<std::string>>;
  std::vector<std::string> columns;
  std::vector<Row> rows;

  // Index of the column with this name; throws Error naming the query's columns when absent.
  size_t column_index(std::string_view name) const;
};

}  // namespace my2pg
