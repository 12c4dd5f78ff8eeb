#pragma once
// Streams one table from the source's snapshot transaction into a COPY on the target.
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "mysql/connection.hpp"
#include "pg/connection.hpp"
#include "schema/table.hpp"
#include "typemap/target_table.hpp"

namespace my2pg::snapshot {

// A source row left out by --on-error skip-row: where, which column, what, and why.
struct RejectedRow {
  std::string key;  // "id=7", or the row number when the table has no primary key
  std::string column;
  std::string value;  // an excerpt: quoted, or X'..' hex
  std::string reason;
};

struct CopyResult {
  uint64_t rows = 0;  // read from the source
  uint64_t bytes = 0;
  std::vector<RejectedRow> rejected;  // rows not written (only with OnError::skip_row)
};

enum class OnError {
  stop,      // the first value that cannot be stored stops the copy (the default)
  skip_row,  // its row is left out and returned in CopyResult::rejected
};

// More rejected rows than this in one table stop the copy: something is wrong wholesale.
constexpr size_t kMaxRejectedRows = 10000;

// The SELECT the copy reads `source` with: every column, FLOAT widened to DOUBLE and YEAR as a
// number so that their text keeps the stored value (the replica renders binlog values alike).
std::string select_sql(const schema::Table& source);

// Reads every row of `source` with one streaming SELECT (memory stays flat) and writes it to the
// target table with COPY. A value that cannot be represented throws MappingError naming table,
// column, primary key (or row number), an excerpt of the value and the reason (or, with
// OnError::skip_row, leaves the row out); the caller's transaction then rolls back.
// `rows_read`, when given, is kept up to date with the rows read so far (for progress).
CopyResult copy_table(mysql::Connection& src, pg::Connection& tgt, const schema::Table& source,
                      const typemap::TargetTable& target, OnError on_error = OnError::stop,
                      std::atomic<uint64_t>* rows_read = nullptr);

}  // namespace my2pg::snapshot
