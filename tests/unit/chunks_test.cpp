// Chunk ranges: the conditions each side reads a chunk with, and which chunk a key falls in.
#include <catch2/catch.hpp>

#include "snapshot/chunks.hpp"

using my2pg::snapshot::Chunk;
using my2pg::snapshot::ChunkPlan;

namespace {

ChunkPlan three_chunks() {
  ChunkPlan plan;
  plan.key_column = "id";
  plan.chunks = {{0, std::nullopt, "100"}, {1, "100", "200"}, {2, "200", std::nullopt}};
  return plan;
}

}  // namespace

TEST_CASE("chunk conditions are open at both ends of the key range", "[chunks]") {
  const ChunkPlan plan = three_chunks();
  CHECK(my2pg::snapshot::source_condition(plan, plan.chunks[0]) == "`id` <= 100");
  CHECK(my2pg::snapshot::source_condition(plan, plan.chunks[1]) == "`id` > 100 AND `id` <= 200");
  CHECK(my2pg::snapshot::source_condition(plan, plan.chunks[2]) == "`id` > 200");
  CHECK(my2pg::snapshot::target_condition(plan, "Id", plan.chunks[1]) ==
        "\"Id\" > 100 AND \"Id\" <= 200");
  ChunkPlan whole;
  whole.chunks.push_back({});
  CHECK(my2pg::snapshot::source_condition(whole, whole.chunks[0]).empty());
  CHECK(my2pg::snapshot::target_condition(whole, "id", whole.chunks[0]).empty());
}

TEST_CASE("a key falls in the chunk whose range holds it", "[chunks]") {
  const my2pg::snapshot::ChunkLocator chunk_index_of(three_chunks());
  CHECK(chunk_index_of("-9223372036854775808") == 0);
  CHECK(chunk_index_of("100") == 0);
  CHECK(chunk_index_of("101") == 1);
  CHECK(chunk_index_of("200") == 1);
  CHECK(chunk_index_of("201") == 2);
  CHECK(chunk_index_of("18446744073709551615") == 2);
  CHECK_THROWS_WITH(chunk_index_of("1.5"), Catch::Contains("'1.5' is not an integer"));
  ChunkPlan corrupt = three_chunks();
  corrupt.chunks[1].upper = "x";
  CHECK_THROWS_WITH(my2pg::snapshot::ChunkLocator(corrupt),
                    Catch::Contains("chunk bound 'x' is not an integer"));
  CHECK(my2pg::snapshot::is_chunk_bound("-12"));
  CHECK_FALSE(my2pg::snapshot::is_chunk_bound("1; DROP TABLE t"));
}
