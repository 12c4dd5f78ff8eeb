#pragma once
// Streams one table from the source's snapshot transaction into a COPY on the target.
#include <cstdint>
#include <string>

#include "mysql/connection.hpp"
#include "pg/connection.hpp"
#include "schema/table.hpp"
#include "typemap/target_table.hpp"

namespace my2pg::snapshot {

struct CopyResult {
  uint64_t rows = 0;
  uint64_t bytes = 0;
};

// Reads every row of `source` with one streaming SELECT (memory stays flat) and writes it to the
// target table with COPY. A value that cannot be represented throws MappingError naming table,
// column, primary key (or row number) and the reason; the caller's transaction then rolls back.
// The SELECT the copy reads `source` with: every column, FLOAT widened to DOUBLE and YEAR as a
// number so that their text keeps the stored value (the replica renders binlog values alike).
std::string select_sql(const schema::Table& source);

CopyResult copy_table(mysql::Connection& src, pg::Connection& tgt, const schema::Table& source,
                      const typemap::TargetTable& target);

}  // namespace my2pg::snapshot
