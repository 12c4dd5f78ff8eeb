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

std::string select_sql(const schema::Table& t, const std::string& where) {
  std::string sql = "SELECT ";
  for (size_t i = 0; i < t.columns.size(); ++i) {
    sql.append(i == 0 ? "" : ", ").append(select_expression_of(t.columns[i]));
  }
  sql.append(" FROM ").append(mysql::quote_identifier(t.database)).append(".");
  sql.append(mysql::quote_identifier(t.name));
  if (!where.empty()) sql.append(" WHERE ").append(where);
  return sql;
}

namespace {

std::vector<verify::Canon> canons_of(const typemap::TargetTable& target) {
  std::vector<verify::Canon> canons;
  for (const auto& c : target.columns) canons.push_back(verify::canon_for(c));
  return canons;
}

// Encodes the current row of `rows` as one COPY line appended to `out` (with its newline).
// Returns the index of the column whose value cannot be stored, and its reason, when one
// cannot; `out` is then as it was.
struct EncodeFailure {
  size_t column = 0;
  const char* reason = nullptr;
};

std::optional<EncodeFailure> encode_row(const typemap::TargetTable& target,
                                        const mysql::RowStream& rows, std::string& out) {
  const size_t row_start = out.size();
  for (size_t i = 0; i < target.columns.size(); ++i) {
    if (i != 0) out.push_back('\t');
    if (rows.is_null(i)) {
      out += "\\N";
      continue;
    }
    if (const char* problem =
            typemap::append_copy_field(target.columns[i].codec, rows.field(i), out)) {
      out.resize(row_start);
      return EncodeFailure{i, problem};
    }
  }
  out.push_back('\n');
  return std::nullopt;
}

uint64_t row_bytes(const mysql::RowStream& rows) {
  uint64_t n = 0;
  for (size_t i = 0; i < rows.field_count(); ++i) n += rows.is_null(i) ? 0 : rows.field(i).size();
  return n;
}

}  // namespace

CopyResult copy_table(mysql::Connection& src, pg::Connection& tgt, const schema::Table& source,
                      const typemap::TargetTable& target, const CopySpec& spec) {
  pg::CopyWriter writer = tgt.copy_in(copy_sql(target));
  mysql::RowStream rows = src.stream(select_sql(source, spec.where));
  verify::RowHasher hasher(canons_of(target));
  CopyResult result;
  while (rows.next()) {
    if ((++result.rows & 1023U) == 0 && spec.rows_read != nullptr)
      spec.rows_read->fetch_add(1024, std::memory_order_relaxed);
    if (spec.max_row_bytes != 0 && row_bytes(rows) > spec.max_row_bytes) {
      throw ConfigError("a row of " + source.qualified_name() + " at " +
                        describe_row(source, rows, result.rows) + " holds " +
                        std::to_string(row_bytes(rows)) + " bytes, more than the " +
                        std::to_string(spec.max_row_bytes) +
                        " bytes a row may take under --memory-limit; raise --memory-limit or "
                        "lower --jobs");
    }
    std::string& out = writer.buffer();
    const size_t row_start = out.size();
    if (const auto failure = encode_row(target, rows, out)) {
      const std::string key = describe_row(source, rows, result.rows);
      const size_t i = failure->column;
      const std::string& column = source.columns[i].name;
      if (spec.on_error == OnError::stop) {
        throw MappingError("cannot copy " + source.qualified_name() + "." + column + " (" +
                           source.columns[i].column_type + ") at " + key + ", value " +
                           value_excerpt(rows.field(i)) + ": " + failure->reason +
                           "; fix the value on the source, map the column with a --mapping "
                           "rule, or pass --on-error skip-row to set such rows aside");
      }
      result.rejected.push_back({key, column, value_excerpt(rows.field(i)), failure->reason});
      if (result.rejected.size() > kMaxRejectedRows) {
        throw MappingError("more than " + std::to_string(kMaxRejectedRows) + " rows of " +
                           source.qualified_name() + " cannot be stored (the last at " + key +
                           ", column " + column + ": " + failure->reason +
                           "); fix the source or the mapping rather than setting them all aside");
      }
      continue;
    }
    result.digest.add(
        hasher.hash_line(std::string_view(out).substr(row_start, out.size() - row_start - 1)));
    writer.flush_if_full();
  }
  if (spec.rows_read != nullptr)
    spec.rows_read->fetch_add(result.rows & 1023U, std::memory_order_relaxed);
  const uint64_t loaded = writer.finish();
  result.bytes = writer.bytes_sent();
  const uint64_t written = result.rows - result.rejected.size();
  if (loaded != written) {
    throw TargetError("COPY into " + qualified_name(target) + " loaded " + std::to_string(loaded) +
                      " rows, but " + std::to_string(written) + " were sent");
  }
  return result;
}

verify::Digest source_digest(mysql::Connection& src, const schema::Table& source,
                             const typemap::TargetTable& target, const std::string& where) {
  mysql::RowStream rows = src.stream(select_sql(source, where));
  verify::RowHasher hasher(canons_of(target));
  verify::Digest digest;
  std::string line;
  while (rows.next()) {
    line.clear();
    if (encode_row(target, rows, line)) continue;
    line.pop_back();
    digest.add(hasher.hash_line(line));
  }
  return digest;
}

std::vector<verify::Digest> target_digests(
    pg::Connection& tgt, const typemap::TargetTable& target, std::optional<size_t> key,
    size_t chunks, const std::function<size_t(std::string_view)>& bucket_of) {
  std::string sql = "COPY (SELECT ";
  for (size_t i = 0; i < target.columns.size(); ++i) {
    sql.append(i == 0 ? "" : ", ").append(pg::quote_identifier(target.columns[i].name));
  }
  sql.append(" FROM ").append(qualified_name(target)).append(") TO STDOUT");
  verify::RowHasher hasher(canons_of(target));
  std::vector<verify::Digest> digests(chunks);
  tgt.execute(verify::kTargetSessionSql);  // output forms the hasher expects
  pg::CopyReader reader = tgt.copy_out(sql);
  std::string_view line;
  while (reader.next(line)) {
    const uint64_t h = hasher.hash_line(line);
    size_t bucket = 0;
    if (key) {
      const auto fields = hasher.fields_of(line, {*key});
      bucket = fields.at(0) ? bucket_of(*fields[0]) : 0;
    }
    digests.at(bucket).add(h);
  }
  return digests;
}

}  // namespace my2pg::snapshot
