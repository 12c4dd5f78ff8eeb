#include "schema/catalog.hpp"

#include <charconv>
#include <map>
#include <set>

#include "common/error.hpp"

namespace my2pg::schema {
namespace {

template <typename Int = int64_t>
std::optional<Int> to_int(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  Int value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size()) {
    throw Error("catalog value '" + *text + "' is not a whole number");
  }
  return value;
}

const std::string& text(const RowSet::Row& row, size_t i) {
  static const std::string empty;
  return row[i] ? *row[i] : empty;
}

}  // namespace

std::vector<Table> build_tables(const std::string& database, const RowSet& cs, const RowSet& pk,
                                const RowSet& json_checks, const RowSet& counters) {
  const size_t c_table = cs.column_index("TABLE_NAME"), c_name = cs.column_index("COLUMN_NAME"),
               c_null = cs.column_index("IS_NULLABLE"), c_type = cs.column_index("DATA_TYPE"),
               c_ctype = cs.column_index("COLUMN_TYPE"), c_extra = cs.column_index("EXTRA"),
               c_len = cs.column_index("CHARACTER_MAXIMUM_LENGTH"),
               c_prec = cs.column_index("NUMERIC_PRECISION"),
               c_scale = cs.column_index("NUMERIC_SCALE"),
               c_fsp = cs.column_index("DATETIME_PRECISION"),
               c_charset = cs.column_index("CHARACTER_SET_NAME");

  std::set<std::pair<std::string, std::string>> json_columns;
  if (!json_checks.columns.empty()) {
    const size_t j_table = json_checks.column_index("TABLE_NAME"),
                 j_col = json_checks.column_index("COLUMN_NAME");
    for (const auto& r : json_checks.rows) json_columns.emplace(text(r, j_table), text(r, j_col));
  }

  std::map<std::string, Table> tables;
  for (const auto& r : cs.rows) {
    Table& t = tables[text(r, c_table)];
    t.database = database;
    t.name = text(r, c_table);
    Column c;
    c.name = text(r, c_name);
    c.data_type = text(r, c_type);
    c.column_type = text(r, c_ctype);
    c.nullable = text(r, c_null) == "YES";
    c.is_unsigned = c.column_type.find(" unsigned") != std::string::npos;
    c.auto_increment = text(r, c_extra).find("auto_increment") != std::string::npos;
    c.is_json = c.data_type == "json" || json_columns.count({t.name, c.name}) != 0;
    c.char_length = to_int(r[c_len]);
    c.precision = to_int(r[c_prec]);
    c.scale = to_int(r[c_scale]);
    c.fsp = to_int(r[c_fsp]);
    c.charset = text(r, c_charset);
    t.columns.push_back(std::move(c));
  }

  if (!pk.columns.empty()) {
    const size_t k_table = pk.column_index("TABLE_NAME"), k_col = pk.column_index("COLUMN_NAME");
    for (const auto& r : pk.rows) {
      auto it = tables.find(text(r, k_table));
      if (it != tables.end()) it->second.primary_key.push_back(text(r, k_col));
    }
  }

  if (!counters.columns.empty()) {
    const size_t a_table = counters.column_index("TABLE_NAME"),
                 a_next = counters.column_index("AUTO_INCREMENT");
    for (const auto& r : counters.rows) {
      auto it = tables.find(text(r, a_table));
      const auto next = to_int<uint64_t>(r[a_next]);
      if (it != tables.end() && next) it->second.auto_increment_next = *next;
    }
  }

  std::vector<Table> out;
  out.reserve(tables.size());
  for (auto& [name, t] : tables) out.push_back(std::move(t));
  return out;
}

}  // namespace my2pg::schema
