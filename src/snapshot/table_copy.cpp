#include "snapshot/table_copy.hpp"

#include "common/error.hpp"
#include "snapshot/target_ddl.hpp"

namespace my2pg::snapshot {
namespace {

std::string select_sql(const schema::Table& t) {
  std::string sql = "SELECT ";
  for (size_t i = 0; i < t.columns.size(); ++i) {
    sql += (i == 0 ? "" : ", ") + mysql::quote_identifier(t.columns[i].name);
  }
  return sql + " FROM " + mysql::quote_identifier(t.database) + "." +
         mysql::quote_identifier(t.name);
}

std::string copy_sql(const typemap::TargetTable& t) {
  std::string sql = "COPY " + qualified_name(t) + " (";
  for (size_t i = 0; i < t.columns.size(); ++i) {
    sql += (i == 0 ? "" : ", ") + pg::quote_identifier(t.columns[i].name);
  }
  return sql + ") FROM STDIN";
}

// "id=42" or "order_id=7, line=2", or the row's ordinal when the table has no primary key.
std::string describe_row(const schema::Table& t, const mysql::RowStream& row, uint64_t ordinal) {
  if (t.primary_key.empty()) return "row " + std::to_string(ordinal) + " (no primary key)";
  std::string out;
  for (const auto& key : t.primary_key) {
    for (size_t i = 0; i < t.columns.size(); ++i) {
      if (t.columns[i].name != key) continue;
      out += (out.empty() ? "" : ", ") + key + "=" +
             (row.is_null(i) ? "NULL" : std::string(row.field(i).substr(0, 64)));
    }
  }
  return out;
}

}  // namespace

CopyResult copy_table(mysql::Connection& src, pg::Connection& tgt, const schema::Table& source,
                      const typemap::TargetTable& target) {
  pg::CopyWriter writer = tgt.copy_in(copy_sql(target));
  mysql::RowStream rows = src.stream(select_sql(source));
  const size_t n = target.columns.size();
  CopyResult result;
  while (rows.next()) {
    ++result.rows;
    std::string& out = writer.buffer();
    for (size_t i = 0; i < n; ++i) {
      if (i != 0) out.push_back('\t');
      if (rows.is_null(i)) {
        out += "\\N";
        continue;
      }
      if (const char* problem =
              typemap::append_copy_field(target.columns[i].codec, rows.field(i), out)) {
        throw MappingError("cannot copy " + source.qualified_name() + "." + source.columns[i].name +
                           " (" + source.columns[i].column_type + ") at " +
                           describe_row(source, rows, result.rows) + ": " + problem +
                           "; fix the value on the source or map the column with a --mapping rule");
      }
    }
    out.push_back('\n');
    writer.flush_if_full();
  }
  const uint64_t loaded = writer.finish();
  result.bytes = writer.bytes_sent();
  if (loaded != result.rows) {
    throw TargetError("COPY into " + qualified_name(target) + " loaded " + std::to_string(loaded) +
                      " rows, but " + std::to_string(result.rows) + " were sent");
  }
  return result;
}

}  // namespace my2pg::snapshot
