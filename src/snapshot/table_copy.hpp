#pragma once
// Streams one table from the source's snapshot transaction into a COPY on the target.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mysql/connection.hpp"
#include "pg/connection.hpp"
#include "schema/table.hpp"
#include "typemap/target_table.hpp"
#include "verify/row_digest.hpp"

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
  verify::Digest digest;              // of the rows written, as sent
  verify::Digest rejected_digest;     // of the rows set aside, as read
  bool binary = false;                // sent in COPY binary format
};

enum class OnError {
  stop,      // the first value that cannot be stored stops the copy (the default)
  skip_row,  // its row is left out and returned in CopyResult::rejected
};

// More rejected rows than this in one table stop the copy: something is wrong wholesale.
constexpr size_t kMaxRejectedRows = 10000;

// The SELECT the copy reads `source` with: every column, FLOAT widened to DOUBLE and YEAR as a
// number so that their text keeps the stored value (the replica renders binlog values alike).
// `where`, when not empty, selects part of the table (a chunk).
std::string select_sql(const schema::Table& source, const std::string& where = {});

// What a copy reads and how it reports: a chunk's condition, the error policy, a row counter the
// copy adds its rows to as it goes (for progress), and the largest row accepted (memory bound;
// 0: no limit).
struct CopySpec {
  std::string where;
  OnError on_error = OnError::stop;
  bool offer_skip_row = true;  // the error names --on-error skip-row (migrate has it, resync not)
  std::atomic<uint64_t>* rows_read = nullptr;
  uint64_t max_row_bytes = 0;
  // COPY binary format when every column has a binary form (typemap/binary_encoder.hpp), else
  // COPY text; false: always text.
  bool allow_binary = true;
  // Rows set aside so far in the whole table (its chunks share it), against kMaxRejectedRows.
  std::atomic<uint64_t>* table_rejects = nullptr;
  // Set when another worker failed: the copy gives up within about a thousand rows.
  const std::atomic<bool>* stop = nullptr;
};

// Reads every row of `source` (or of the chunk spec.where selects) with one streaming SELECT
// (memory stays flat) and writes it to the target table with COPY, digesting each row as sent. A
// value that cannot be represented throws MappingError naming table, column, primary key (or row
// number), an excerpt of the value and the reason (or, with OnError::skip_row, leaves the row out);
// the caller's transaction then rolls back. A row larger than spec.max_row_bytes throws ConfigError
// naming the table, the key and the setting.
CopyResult copy_table(mysql::Connection& src, pg::Connection& tgt, const schema::Table& source,
                      const typemap::TargetTable& target, const CopySpec& spec = {});

// The digests copy_table would record for the same chunk (of the rows it would send, and of
// the rows it would set aside), without writing anything: used to check whether a chunk copied
// from an earlier snapshot still holds.
struct SourceDigests {
  verify::Digest sent, rejected;
};
SourceDigests source_digest(mysql::Connection& src, const schema::Table& source,
                            const typemap::TargetTable& target, const std::string& where,
                            bool allow_binary = true);

// The digest of the target's rows, per chunk: one scan of the target table, each row counted in
// the chunk its key falls in (bucket_of maps the key column's text to a chunk index); `key` is
// the target column index the chunks are over, or nullopt for a single whole-table chunk. Runs
// inside the caller's transaction (it sets the output settings the digest needs for it only).
std::vector<verify::Digest> target_digests(
    pg::Connection& tgt, const typemap::TargetTable& target, std::optional<size_t> key,
    size_t chunks, const std::function<size_t(std::string_view)>& bucket_of);

// Row-level comparison of one chunk: each row's hash by its key (the canonical text of the key
// columns, "id=7" or "a=1, b=x"; every column when the table has no primary key, with a count
// for repeated rows). Memory grows with the chunk's rows.
struct KeyedRows {
  std::map<std::string, uint64_t> hash_by_key;
  std::map<std::string, uint64_t> repeats;  // keys seen more than once (tables without a key)
  uint64_t unstorable = 0;                  // source rows whose values cannot be stored
};
KeyedRows source_rows_by_key(mysql::Connection& src, const schema::Table& source,
                             const typemap::TargetTable& target, const std::string& where);
// The same for the target's rows (`where` over target columns), inside the caller's transaction.
KeyedRows target_rows_by_key(pg::Connection& tgt, const typemap::TargetTable& target,
                             const std::string& where);

}  // namespace my2pg::snapshot
