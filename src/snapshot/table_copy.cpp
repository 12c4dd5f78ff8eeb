#include "snapshot/table_copy.hpp"

#include <algorithm>
#include <optional>

#include "common/error.hpp"
#include "common/json_writer.hpp"
#include "common/utf8.hpp"
#include "snapshot/target_ddl.hpp"
#include "typemap/binary_encoder.hpp"

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

// The target columns, quoted, comma-separated.
std::string select_list(const typemap::TargetTable& target) {
  std::string list;
  for (size_t i = 0; i < target.columns.size(); ++i) {
    list.append(i == 0 ? "" : ", ").append(pg::quote_identifier(target.columns[i].name));
  }
  return list;
}

std::vector<verify::Canon> canons_of(const typemap::TargetTable& target) {
  std::vector<verify::Canon> canons;
  for (const auto& c : target.columns) canons.push_back(verify::canon_for(c));
  return canons;
}

// Which column's value cannot be stored, and why.
struct EncodeFailure {
  size_t column = 0;
  const char* reason = nullptr;
};

// Encodes source rows for one COPY: in binary format when every column has a binary form
// (PostgreSQL reads it about 30% faster), else as COPY text; and hashes each row encoded, for
// the digest of the rows as sent.
class RowEncoder {
 public:
  RowEncoder(const typemap::TargetTable& target, bool allow_binary)
      : m_target(target), m_hasher(canons_of(target)) {
    bool binary = allow_binary && !target.columns.empty() && target.columns.size() <= 1600;
    for (const auto& c : target.columns) binary = binary && typemap::binary_capable(c);
    if (!binary) return;
    for (const auto& c : target.columns) m_binary.push_back(typemap::binary_codec_for(c));
  }

  bool binary() const { return !m_binary.empty(); }
  std::string copy_sql() const {
    return "COPY " + qualified_name(m_target) + " (" + select_list(m_target) +
           (binary() ? ") FROM STDIN (FORMAT binary)" : ") FROM STDIN");
  }
  void begin(std::string& out) const {
    if (binary()) typemap::append_binary_header(out);
  }
  void end(std::string& out) const {
    if (binary()) typemap::append_binary_trailer(out);
  }

  // Appends the current row of `rows` to `out` and sets `hash`; on failure `out` is as it was.
  std::optional<EncodeFailure> append(const mysql::RowStream& rows, std::string& out,
                                      uint64_t& hash) {
    const size_t row_start = out.size();
    const size_t n = m_target.columns.size();
    if (binary()) {
      typemap::append_binary_row_start(static_cast<uint16_t>(n), out);
      for (size_t i = 0; i < n; ++i) {
        if (rows.is_null(i)) {
          typemap::append_binary_null(out);
        } else if (const char* problem =
                       typemap::append_binary_field(m_binary[i], rows.field(i), out)) {
          out.resize(row_start);
          return EncodeFailure{i, problem};
        }
      }
      m_hasher.begin_row();
      for (size_t i = 0; i < n; ++i) {
        const auto text = rows.is_null(i)
                              ? std::nullopt
                              : typemap::binary_field_text(m_binary[i], rows.field(i), m_scratch);
        if (text) {
          m_hasher.add_value(*text);
        } else {
          m_hasher.add_null();
        }
      }
      hash = m_hasher.end_row();
      return std::nullopt;
    }
    for (size_t i = 0; i < n; ++i) {
      if (i != 0) out.push_back('\t');
      if (rows.is_null(i)) {
        out += "\\N";
        continue;
      }
      if (const char* problem =
              typemap::append_copy_field(m_target.columns[i].codec, rows.field(i), out)) {
        out.resize(row_start);
        return EncodeFailure{i, problem};
      }
    }
    hash = m_hasher.hash_line(std::string_view(out).substr(row_start));
    out.push_back('\n');
    return std::nullopt;
  }

 private:
  const typemap::TargetTable& m_target;
  verify::RowHasher m_hasher;
  std::vector<typemap::BinaryCodec> m_binary;  // empty: COPY text
  std::string m_scratch;
};

// A rejected row's identity, from its values as read: the chunk's digest of set-aside rows, so
// that a rerun notices when they changed.
uint64_t raw_row_hash(const mysql::RowStream& rows) {
  uint64_t h = 0x72656a6563746564;
  for (size_t i = 0; i < rows.field_count(); ++i) {
    h = rows.is_null(i) ? verify::hash_bytes("NULL", ~h) : verify::hash_bytes(rows.field(i), h + 1);
  }
  return h;
}

// The `index`th tab-separated field of a COPY text line, as it is (keys are integers: no
// escapes); nullopt for NULL.
std::optional<std::string_view> field_at(std::string_view line, size_t index) {
  size_t start = 0;
  for (size_t i = 0; i < index; ++i) {
    start = line.find('\t', start);
    if (start == std::string_view::npos) return std::nullopt;
    ++start;
  }
  const size_t end = line.find('\t', start);
  const std::string_view field =
      line.substr(start, end == std::string_view::npos ? end : end - start);
  if (field == "\\N") return std::nullopt;
  return field;
}

// The output forms the row hasher expects, for the current transaction only.
void set_digest_output(pg::Connection& tgt) {
  tgt.execute(verify::kTargetSessionSql);
}

uint64_t row_bytes(const mysql::RowStream& rows) {
  uint64_t n = 0;
  for (size_t i = 0; i < rows.field_count(); ++i) n += rows.is_null(i) ? 0 : rows.field(i).size();
  return n;
}

}  // namespace

CopyResult copy_table(mysql::Connection& src, pg::Connection& tgt, const schema::Table& source,
                      const typemap::TargetTable& target, const CopySpec& spec) {
  RowEncoder encoder(target, spec.allow_binary);
  pg::CopyWriter writer = tgt.copy_in(encoder.copy_sql());
  mysql::RowStream rows = src.stream(select_sql(source, spec.where));
  encoder.begin(writer.buffer());
  CopyResult result;
  result.binary = encoder.binary();
  uint64_t hash = 0;
  while (rows.next()) {
    if ((++result.rows & 1023U) == 0) {
      if (spec.rows_read != nullptr) spec.rows_read->fetch_add(1024, std::memory_order_relaxed);
      if (spec.stop != nullptr && spec.stop->load(std::memory_order_relaxed))
        throw Error("the copy of " + source.qualified_name() + " stopped: another worker failed");
    }
    if (spec.max_row_bytes != 0 && row_bytes(rows) > spec.max_row_bytes) {
      throw ConfigError("a row of " + source.qualified_name() + " at " +
                        describe_row(source, rows, result.rows) + " holds " +
                        std::to_string(row_bytes(rows)) + " bytes, more than the " +
                        std::to_string(spec.max_row_bytes) +
                        " bytes a row may take under --memory-limit; raise --memory-limit or "
                        "lower --jobs");
    }
    if (const auto failure = encoder.append(rows, writer.buffer(), hash)) {
      const std::string key = describe_row(source, rows, result.rows);
      const size_t i = failure->column;
      const std::string& column = source.columns[i].name;
      if (spec.on_error == OnError::stop) {
        throw MappingError("cannot copy " + source.qualified_name() + "." + column + " (" +
                           source.columns[i].column_type + ") at " + key + ", value " +
                           value_excerpt(rows.field(i)) + ": " + failure->reason +
                           "; fix the value on the source" +
                           (spec.offer_skip_row ? ", map the column with a --mapping rule, or "
                                                  "pass --on-error skip-row to set such rows aside"
                                                : " or map the column with a --mapping rule"));
      }
      result.rejected.push_back({key, column, value_excerpt(rows.field(i)), failure->reason});
      result.rejected_digest.add(raw_row_hash(rows));
      const uint64_t in_table =
          spec.table_rejects != nullptr ? ++*spec.table_rejects : result.rejected.size();
      if (in_table > kMaxRejectedRows) {
        throw MappingError("more than " + std::to_string(kMaxRejectedRows) + " rows of " +
                           source.qualified_name() + " cannot be stored (the last at " + key +
                           ", column " + column + ": " + failure->reason +
                           "); fix the source or the mapping rather than setting them all aside");
      }
      continue;
    }
    result.digest.add(hash);
    writer.flush_if_full();
  }
  if (spec.rows_read != nullptr)
    spec.rows_read->fetch_add(result.rows & 1023U, std::memory_order_relaxed);
  encoder.end(writer.buffer());
  const uint64_t loaded = writer.finish();
  result.bytes = writer.bytes_sent();
  const uint64_t written = result.rows - result.rejected.size();
  if (loaded != written) {
    throw TargetError("COPY into " + qualified_name(target) + " loaded " + std::to_string(loaded) +
                      " rows, but " + std::to_string(written) + " were sent");
  }
  return result;
}

SourceDigests source_digest(mysql::Connection& src, const schema::Table& source,
                            const typemap::TargetTable& target, const std::string& where,
                            bool allow_binary) {
  mysql::RowStream rows = src.stream(select_sql(source, where));
  RowEncoder encoder(target, allow_binary);
  SourceDigests digests;
  std::string scratch;
  uint64_t hash = 0;
  while (rows.next()) {
    scratch.clear();
    if (encoder.append(rows, scratch, hash)) {
      digests.rejected.add(raw_row_hash(rows));
    } else {
      digests.sent.add(hash);
    }
  }
  return digests;
}

namespace {

// The key columns a row is identified by: the primary key's, or every column.
std::vector<size_t> key_columns(const typemap::TargetTable& target) {
  std::vector<size_t> keys;
  for (const auto& k : target.primary_key) {
    for (size_t i = 0; i < target.columns.size(); ++i) {
      if (target.columns[i].name == k) keys.push_back(i);
    }
  }
  if (keys.empty()) {
    for (size_t i = 0; i < target.columns.size(); ++i) keys.push_back(i);
  }
  return keys;
}

// Files a row's hash under its key; `line` is its COPY text, for the key fields.
void add_keyed(const typemap::TargetTable& target, const std::vector<size_t>& keys,
               verify::RowHasher& hasher, std::string_view line, uint64_t hash, KeyedRows& out) {
  const auto fields = hasher.fields_of(line, keys);
  std::string key;
  for (size_t j = 0; j < keys.size(); ++j) {
    key.append(j == 0 ? "" : ", ").append(target.columns[keys[j]].name).append("=");
    if (!fields[j]) {
      key.append("NULL");
    } else if (verify::canon_for(target.columns[keys[j]]) == verify::Canon::numeric) {
      key.append(*fields[j]);
    } else {
      key.append(pg::quote_literal(*fields[j]));
    }
  }
  if (!out.hash_by_key.emplace(key, hash).second) ++out.repeats[key];
}

}  // namespace

KeyedRows source_rows_by_key(mysql::Connection& src, const schema::Table& source,
                             const typemap::TargetTable& target, const std::string& where) {
  mysql::RowStream rows = src.stream(select_sql(source, where));
  RowEncoder encoder(target, false);  // COPY text lines, whose key fields the hasher reads
  verify::RowHasher hasher(canons_of(target));
  const std::vector<size_t> keys = key_columns(target);
  KeyedRows out;
  std::string line;
  uint64_t hash = 0;
  while (rows.next()) {
    line.clear();
    if (encoder.append(rows, line, hash)) {
      ++out.unstorable;
      continue;
    }
    line.pop_back();
    add_keyed(target, keys, hasher, line, hash, out);
  }
  return out;
}

KeyedRows target_rows_by_key(pg::Connection& tgt, const typemap::TargetTable& target,
                             const std::string& where) {
  set_digest_output(tgt);
  pg::CopyReader reader =
      tgt.copy_out("COPY (SELECT " + select_list(target) + " FROM " + qualified_name(target) +
                   (where.empty() ? "" : " WHERE " + where) + ") TO STDOUT");
  verify::RowHasher hasher(canons_of(target));
  const std::vector<size_t> keys = key_columns(target);
  KeyedRows out;
  std::string_view line;
  while (reader.next(line)) add_keyed(target, keys, hasher, line, hasher.hash_line(line), out);
  return out;
}

std::vector<verify::Digest> target_digests(
    pg::Connection& tgt, const typemap::TargetTable& target, std::optional<size_t> key,
    size_t chunks, const std::function<size_t(std::string_view)>& bucket_of) {
  const std::string sql =
      "COPY (SELECT " + select_list(target) + " FROM " + qualified_name(target) + ") TO STDOUT";
  verify::RowHasher hasher(canons_of(target));
  std::vector<verify::Digest> digests(chunks);
  set_digest_output(tgt);
  pg::CopyReader reader = tgt.copy_out(sql);
  std::string_view line;
  while (reader.next(line)) {
    const uint64_t h = hasher.hash_line(line);
    size_t bucket = 0;
    if (key) {
      const auto value = field_at(line, *key);
      bucket = value ? bucket_of(*value) : 0;
    }
    digests.at(bucket).add(h);
  }
  return digests;
}

}  // namespace my2pg::snapshot
