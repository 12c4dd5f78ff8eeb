#include "common/row_set.hpp"

#include "common/error.hpp"

namespace my2pg {

size_t RowSet::column_index(std::string_view name) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == name) return i;
  }
  std::string have;
  for (const auto& c : columns) have += (have.empty() ? "" : ", ") + c;
  throw Error("a query result has no column '" + std::string(name) + "' (it has: " + have + ")");
}

}  // namespace my2pg
