#pragma once
// `my2pg verify`: compares every selected table of a source database with its copy in
// PostgreSQL: row counts, then digests per key range (each value in the canonical form of its
// PostgreSQL type), then, for ranges that differ, the rows themselves by key.
#include <cstdint>
#include <string>
#include <vector>

#include "common/position.hpp"
#include "snapshot/migrate.hpp"

namespace my2pg::snapshot {

// Brings the target to the source snapshot's position while replication runs (see
// replica::ReplicaHold): before() is called before the source snapshot is opened, at() with its
// position, returning an exported PostgreSQL snapshot that shows the target as of that position
// (empty: read the target as it is).
class TargetAlignment {
 public:
  virtual ~TargetAlignment() = default;
  virtual void before() = 0;
  virtual std::string at(const BinlogPosition& source_position) = 0;
};

struct VerifyOptions {
  std::string source_uri;
  std::string target_uri;
  ModelOptions model;  // the options the copy was made with (names and types follow from them)
  uint64_t chunk_rows = 250000;
  size_t max_rows_listed = 20;  // per table
  TargetAlignment* align = nullptr;
};

struct RowDifference {
  std::string kind;  // "missing" (on the target), "extra" (only on the target), "different"
  std::string key;   // "id=7", or every column of a table without a primary key
};

struct TableVerdict {
  std::string source_table;
  std::string target_table;  // schema.table
  bool target_exists = true;
  uint64_t source_rows = 0;
  uint64_t target_rows = 0;
  uint64_t unstorable = 0;          // source rows whose values the target type cannot hold
  size_t chunks = 0;                // key ranges compared
  std::vector<std::string> ranges;  // the ranges whose digests differ
  std::vector<RowDifference> rows;  // the first max_rows_listed differing rows
  uint64_t rows_not_listed = 0;
  bool equal() const {
    return target_exists && ranges.empty() && unstorable == 0 && source_rows == target_rows;
  }
};

struct VerifyReport {
  std::string source_database;
  std::string target_schema;
  BinlogPosition position;  // the source snapshot the comparison read
  bool aligned = false;     // the target was read as of that same position (replica held)
  std::vector<TableVerdict> tables;
  double seconds = 0;
  bool equal() const {
    for (const auto& t : tables) {
      if (!t.equal()) return false;
    }
    return true;
  }
};

VerifyReport run_verify(const VerifyOptions& options);

}  // namespace my2pg::snapshot
