#include "snapshot/table_copy.hpp"

#include <algorithm>
#include <optional>

#include "common/error.hpp"
#include "common/json_writer.hpp"
#include "common/utf8.hpp"
#include "snapshot/target_ddl.hpp"

namespace my2pg::snapshot {
namespace {

// The text protocol prints FLOAT with 6 significant digits and YEAR(2) with 2 digits, both
// losing the stored value: FLOAT is read widened to DOUBLE (every float is a double, printed
// exactly; PostgreSQL's real input rounds it back to the same float) and YEAR as a number.
std::string select_expression_of(const schema::Column& c) {
  const std::string name = mysql::quote_identifier(c.name);
  if (c.data_type == "float") return "(" + name + " + 0E0)";  // every MySQL and MariaDB
  if (c.data_type == "year") return "YEAR(" + name + ")";     // 4 digits, also for YEAR(2)
  return name;
}

std::string copy_sql(const typemap::TargetTable& t) {
  std::string sql = "COPY " + qualified_name(t) + " (";
  for (size_t i = 0; i < t.columns.size(); ++i) {
    sql += (i == 0 ? "" : ", ") + pg::quote_identifier(t.columns[i].name);
  }
  return sql + ") FROM STDIN";
}

// "id=42" or "order_id=7, line=2", or the row's ordinal when the table has no primary key.
// `text` if it is valid UTF-8 without control characters, cut to at most `max` bytes at a
// character boundary; nullopt otherwise.
std::optional<std::string_view> printable_head(std::string_view text, size_t max) {
  size_t i = 0, cut = 0;
  while (i < text.size()) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b < 0x20 || b == 0x7f) return std::nullopt;
    size_t bad = 0;
    const size_t n = b < 0x80 ? 1 : utf8_sequence(text.data() + i, text.size() - i, bad);
    if (n == 0) return std::nullopt;
    if (i + n <= max) cut = i + n;
    i += n;
  }
  return text.substr(0, cut);
}

std::string hex_of(std::string_view bytes) {
  std::string out = "X'";
  append_hex(bytes, out, true);
  out.push_back('\'');
  return out;
}

// "id=42" or "order_id=7, line=2", or the row's ordinal when the table has no primary key. Key
// values that are not printable UTF-8 are shown in hex.
std::string describe_row(const schema::Table& t, const mysql::RowStream& row, uint64_t ordinal) {
  if (t.primary_key.empty()) return "row " + std::to_string(ordinal) + " (no primary key)";
  std::string out;
  for (const auto& key : t.primary_key) {
    for (size_t i = 0; i < t.columns.size(); ++i) {
      if (t.columns[i].name != key) continue;
      out.append(out.empty() ? "" : ", ").append(key).append("=");
      if (row.is_null(i)) {
        out.append("NULL");
      } else if (const auto text = printable_head(row.field(i), 64)) {
        out.append(*text);
      } else {
        out.append(hex_of(row.field(i).substr(0, 32)));
      }
    }
  }
  return out;
}

// The start of a value for an error message: printable UTF-8 quoted, anything else in hex.
std::string value_excerpt(std::string_view value) {
  constexpr size_t kMax = 40;
  std::string out;
  size_t shown = 0;
  if (const auto text = printable_head(value, kMax)) {
    out.append("'").append(*text).append("'");
    shown = text->size();
  } else {
    shown = std::min(value.size(), kMax);
    out = hex_of(value.substr(0, shown));
  }
  if (value.size() > shown) {
    out += " (first " + std::to_string(shown) + " of " + std::to_string(value.size()) + " bytes)";
  }
  return out;
}

}  // namespace

std::string select_sql(const schema::Table& t) {
  std::string sql = "SELECT ";
  for (size_t i = 0; i < t.columns.size(); ++i) {
    sql.append(i == 0 ? "" : ", ").append(select_expression_of(t.columns[i]));
  }
  return sql + " FROM " + mysql::quote_identifier(t.database) + "." +
         mysql::quote_identifier(t.name);
}

CopyResult copy_table(mysql::Connection& src, pg::Connection& tgt, const schema::Table& source,
                      const typemap::TargetTable& target, OnError on_error,
                      std::atomic<uint64_t>* rows_read) {
  pg::CopyWriter writer = tgt.copy_in(copy_sql(target));
  mysql::RowStream rows = src.stream(select_sql(source));
  const size_t n = target.columns.size();
  CopyResult result;
  while (rows.next()) {
    if ((++result.rows & 1023U) == 0 && rows_read != nullptr)
      rows_read->store(result.rows, std::memory_order_relaxed);
    std::string& out = writer.buffer();
    const size_t row_start = out.size();  // a rejected row is taken back to here
    bool rejected = false;
    for (size_t i = 0; i < n && !rejected; ++i) {
      if (i != 0) out.push_back('\t');
      if (rows.is_null(i)) {
        out += "\\N";
        continue;
      }
      const char* problem = typemap::append_copy_field(target.columns[i].codec, rows.field(i), out);
      if (problem == nullptr) continue;
      const std::string key = describe_row(source, rows, result.rows);
      const std::string column = source.columns[i].name;
      if (on_error == OnError::stop) {
        throw MappingError("cannot copy " + source.qualified_name() + "." + column + " (" +
                           source.columns[i].column_type + ") at " + key + ", value " +
                           value_excerpt(rows.field(i)) + ": " + problem +
                           "; fix the value on the source, map the column with a --mapping "
                           "rule, or pass --on-error skip-row to set such rows aside");
      }
      out.resize(row_start);
      rejected = true;
      result.rejected.push_back({key, column, value_excerpt(rows.field(i)), problem});
      if (result.rejected.size() > kMaxRejectedRows) {
        throw MappingError("more than " + std::to_string(kMaxRejectedRows) + " rows of " +
                           source.qualified_name() + " cannot be stored (the last at " + key +
                           ", column " + column + ": " + problem +
                           "); fix the source or the mapping rather than setting them all aside");
      }
    }
    if (rejected) continue;
    out.push_back('\n');
    writer.flush_if_full();
  }
  if (rows_read != nullptr) rows_read->store(result.rows, std::memory_order_relaxed);
  const uint64_t loaded = writer.finish();
  result.bytes = writer.bytes_sent();
  const uint64_t written = result.rows - result.rejected.size();
  if (loaded != written) {
    throw TargetError("COPY into " + qualified_name(target) + " loaded " + std::to_string(loaded) +
                      " rows, but " + std::to_string(written) + " were sent");
  }
  return result;
}

}  // namespace my2pg::snapshot
