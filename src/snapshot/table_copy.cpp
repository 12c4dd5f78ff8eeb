#include "snapshot/table_copy.hpp"

#include "common/error.hpp"
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

// The start of a value for an error message: printable UTF-8 quoted, anything else in hex.
std::string value_excerpt(std::string_view value) {
  constexpr size_t kMax = 40;
  const std::string_view head = value.substr(0, kMax);
  bool printable = true;
  for (char ch : head) {
    const auto b = static_cast<unsigned char>(ch);
    if (b < 0x20 || b == 0x7f) printable = false;
  }
  std::string out;
  if (printable) {
    out.append("'").append(head).append("'");
  } else {
    static constexpr char kHex[] = "0123456789ABCDEF";
    out = "X'";
    for (char ch : head) {
      const auto b = static_cast<unsigned char>(ch);
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 0xf]);
    }
    out.push_back('\'');
  }
  if (value.size() > kMax)
    out += " (first " + std::to_string(kMax) + " of " + std::to_string(value.size()) + " bytes)";
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
                           describe_row(source, rows, result.rows) + ", value " +
                           value_excerpt(rows.field(i)) + ": " + problem +
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
