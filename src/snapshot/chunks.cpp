#include "snapshot/chunks.hpp"

#include <algorithm>
#include <charconv>

#include "common/error.hpp"
#include "common/pg_names.hpp"

namespace my2pg::snapshot {
namespace {

// Holds every signed and unsigned 64-bit key, and their differences.
__extension__ typedef __int128 Int;

std::optional<Int> parse_int(std::string_view text) {
  bool negative = false;
  size_t i = 0;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    i = 1;
  }
  if (i == text.size() || text.size() - i > 20) return std::nullopt;
  Int value = 0;
  for (; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return negative ? -value : value;
}

std::string to_text(Int value) {
  if (value == 0) return "0";
  const bool negative = value < 0;
  std::string digits;
  for (; value != 0; value /= 10) {
    const Int d = value % 10;
    digits.push_back(static_cast<char>('0' + static_cast<int>(negative ? -d : d)));
  }
  if (negative) digits.push_back('-');
  std::reverse(digits.begin(), digits.end());
  return digits;
}

std::string range_condition(const std::string& quoted_column, const Chunk& chunk) {
  std::string out;
  if (chunk.lower) out.append(quoted_column).append(" > ").append(*chunk.lower);
  if (chunk.upper) {
    out.append(out.empty() ? "" : " AND ").append(quoted_column).append(" <= ");
    out.append(*chunk.upper);
  }
  return out;
}

// Whether a column of this PostgreSQL type prints integer keys as integers (no scale).
bool integer_target(std::string_view type) {
  static constexpr std::string_view kIntegers[] = {"smallint", "integer", "bigint",
                                                   "int2",     "int4",    "int8"};
  if (std::find(std::begin(kIntegers), std::end(kIntegers), type) != std::end(kIntegers))
    return true;
  if (!type.starts_with("numeric(") || !type.ends_with(")")) return false;
  const size_t comma = type.find(',');
  return comma == std::string_view::npos ||
         type.substr(comma + 1, type.size() - comma - 2).find_first_not_of(" 0") ==
             std::string_view::npos;
}

}  // namespace

std::optional<size_t> chunk_key_column(const schema::Table& source,
                                       const typemap::TargetTable& target) {
  if (source.primary_key.empty()) return std::nullopt;
  for (size_t i = 0; i < source.columns.size(); ++i) {
    const schema::Column& c = source.columns[i];
    if (c.name != source.primary_key.front()) continue;
    static constexpr std::string_view kIntegers[] = {"tinyint", "smallint", "mediumint", "int",
                                                     "bigint"};
    const bool integer =
        std::find(std::begin(kIntegers), std::end(kIntegers), c.data_type) != std::end(kIntegers);
    const bool transactional = source.engine == "InnoDB" || source.engine == "RocksDB";
    if (!integer || !transactional || target.columns[i].codec.kind != typemap::ValueKind::plain ||
        !integer_target(target.columns[i].type.sql)) {
      return std::nullopt;
    }
    return i;
  }
  return std::nullopt;
}

ChunkPlan plan_chunks(mysql::Connection& src, const schema::Table& source,
                      const typemap::TargetTable& target, uint64_t chunk_rows) {
  ChunkPlan plan;
  plan.chunks.push_back({});
  const auto key = chunk_key_column(source, target);
  const uint64_t estimate = source.estimated_rows.value_or(0);
  if (!key || chunk_rows == 0 || estimate <= chunk_rows + chunk_rows / 2) return plan;
  const std::string column = mysql::quote_identifier(source.columns[*key].name);
  const RowSet r = src.query("SELECT MIN(" + column + "), MAX(" + column + ") FROM " +
                             mysql::quote_identifier(source.database) + "." +
                             mysql::quote_identifier(source.name));
  const auto low = parse_int(r.rows.at(0).at(0).value_or(""));
  const auto high = parse_int(r.rows.at(0).at(1).value_or(""));
  if (!low || !high || *high <= *low) return plan;  // empty, or one key
  const uint64_t wanted = std::min<uint64_t>((estimate + chunk_rows - 1) / chunk_rows, 100000);
  const Int span = *high - *low + 1;
  const Int count = std::min<Int>(static_cast<Int>(wanted), span);
  const Int width = (span + count - 1) / count;
  plan.key_column = source.columns[*key].name;
  plan.chunks.clear();
  std::optional<std::string> lower;
  for (Int bound = *low - 1 + width;; bound += width) {
    Chunk chunk;
    chunk.no = static_cast<int>(plan.chunks.size());
    chunk.lower = lower;
    if (bound < *high) chunk.upper = to_text(bound);
    plan.chunks.push_back(chunk);
    if (!chunk.upper) break;
    lower = chunk.upper;
  }
  return plan;
}

std::string source_condition(const ChunkPlan& plan, const Chunk& chunk) {
  if (plan.key_column.empty()) return {};
  return range_condition(mysql::quote_identifier(plan.key_column), chunk);
}

std::string target_condition(const ChunkPlan& plan, const std::string& target_column,
                             const Chunk& chunk) {
  if (plan.key_column.empty()) return {};
  return range_condition(pg::quote_identifier(target_column), chunk);
}

bool is_chunk_bound(std::string_view text) {
  return parse_int(text).has_value();
}

ChunkLocator::ChunkLocator(const ChunkPlan& plan) {
  for (const Chunk& c : plan.chunks) {
    if (!c.upper) continue;
    const auto bound = parse_int(*c.upper);
    if (!bound) throw TargetError("chunk bound '" + *c.upper + "' is not an integer");
    m_uppers.push_back(*bound);
  }
}

size_t ChunkLocator::operator()(std::string_view key) const {
  const auto value = parse_int(key);
  if (!value) throw TargetError("chunk key value '" + std::string(key) + "' is not an integer");
  // The first chunk whose upper bound is at or past the value holds it; past them all, the last.
  size_t lo = 0, hi = m_uppers.size();
  while (lo < hi) {
    const size_t mid = (lo + hi) / 2;
    if (*value <= m_uppers[mid]) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}

}  // namespace my2pg::snapshot
