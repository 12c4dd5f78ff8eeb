#pragma once
// How a table is cut into chunks for a parallel, resumable copy: ranges of its first primary-key
// column when that is an integer (bounds worked out on the server from MIN and MAX, each chunk
// read with a range condition on the key, never OFFSET), else the whole table as one chunk.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mysql/connection.hpp"
#include "schema/table.hpp"
#include "typemap/target_table.hpp"

namespace my2pg::snapshot {

// One range: lower < key <= upper, an absent bound being open (the first and the last chunk),
// so that the chunks of a table cover every row whatever was inserted after they were planned.
struct Chunk {
  int no = 0;
  std::optional<std::string> lower, upper;  // decimal integers
};

struct ChunkPlan {
  std::string key_column;  // the source column the ranges are over; empty: one whole-table chunk
  std::vector<Chunk> chunks;
};

// The column chunks of `source` are ranged over: its first primary-key column when that is an
// integer copied to an integer or numeric column, in a transactional table (InnoDB, RocksDB:
// chunks read at different moments must see one snapshot); nullopt otherwise.
std::optional<size_t> chunk_key_column(const schema::Table& source,
                                       const typemap::TargetTable& target);

// Cuts `source` into chunks of about `chunk_rows` rows by the server's row estimate, with MIN and
// MAX of the key read in `src`'s snapshot. Tables that fit one chunk, have no integer key or are
// empty get one whole-table chunk.
ChunkPlan plan_chunks(mysql::Connection& src, const schema::Table& source,
                      const typemap::TargetTable& target, uint64_t chunk_rows);

// The WHERE condition selecting `chunk` on the source and on the target ("" for a whole-table
// chunk).
std::string source_condition(const ChunkPlan& plan, const Chunk& chunk);
std::string target_condition(const ChunkPlan& plan, const std::string& target_column,
                             const Chunk& chunk);

// Whether `text` is a decimal integer a chunk bound can be (checked when bounds are read back).
bool is_chunk_bound(std::string_view text);

// Finds the chunk a key value falls in; the plan must be ranged. Bounds are parsed once.
class ChunkLocator {
 public:
  explicit ChunkLocator(const ChunkPlan& plan);
  // The index of the chunk holding key value `key` (a decimal integer); throws TargetError for
  // anything else.
  size_t operator()(std::string_view key) const;

 private:
  __extension__ typedef __int128 Int;  // every signed and unsigned 64-bit key
  std::vector<Int> m_uppers;           // in order; the last chunk's is absent
};

}  // namespace my2pg::snapshot
