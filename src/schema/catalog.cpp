#include "schema/catalog.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <set>

#include "common/error.hpp"
#include "common/sql_text.hpp"

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

bool contains(const std::string& haystack, std::string_view needle) {
  return ascii_lower(haystack).find(needle) != std::string::npos;
}

// Index of `name` in `rs`, or npos when the row set lacks that column (an older server).
size_t optional_index(const RowSet& rs, const std::string& name) {
  const auto it = std::find(rs.columns.begin(), rs.columns.end(), name);
  return it == rs.columns.end() ? std::string::npos : static_cast<size_t>(it - rs.columns.begin());
}

const std::optional<std::string>& cell(const RowSet::Row& row, size_t i) {
  static const std::optional<std::string> none;
  return i == std::string::npos ? none : row[i];
}

// MariaDB shows string defaults as SQL literals: 'it''s', with backslash escapes.
std::string unquote_mariadb(std::string_view s) {
  std::string out;
  read_mysql_string(s, 0, out);
  return out;
}

bool is_current_timestamp(const std::string& v) {
  const std::string l = ascii_lower(v);
  return l == "current_timestamp" || l.rfind("current_timestamp(", 0) == 0 || l == "now()" ||
         l.rfind("now(", 0) == 0 || l == "localtimestamp" || l.rfind("localtimestamp(", 0) == 0;
}

}  // namespace

ColumnDefault parse_default(const std::optional<std::string>& column_default,
                            const std::string& extra, bool mariadb, bool temporal_column) {
  ColumnDefault d;
  if (!column_default) return d;  // no default (or, on MySQL, an implicit DEFAULT NULL)
  const std::string& v = *column_default;
  if (mariadb) {
    if (v == "NULL") {
      d.kind = DefaultKind::null;
    } else if (v.size() >= 2 && v.front() == '\'' && v.back() == '\'') {
      d.kind = DefaultKind::literal;
      d.value = unquote_mariadb(v);
    } else if (is_sql_number(v) ||
               (v.size() >= 3 && (v[0] == 'b' || v[0] == 'B') && v[1] == '\'')) {
      d.kind = DefaultKind::literal;
      d.value = v;
    } else if (is_current_timestamp(v)) {
      d.kind = DefaultKind::current_timestamp;
      d.value = v;
    } else {
      d.kind = DefaultKind::expression;
      d.value = v;
    }
    return d;
  }
  // MySQL shows literals bare: 'now()' in a VARCHAR looks like a function. It is one only when
  // EXTRA says DEFAULT_GENERATED (8.0.13+) or, for 5.7, on a temporal column.
  const bool generated = contains(extra, "default_generated");
  if (is_current_timestamp(v) && (generated || temporal_column)) {
    d.kind = DefaultKind::current_timestamp;
  } else if (generated) {
    d.kind = DefaultKind::expression;
  } else {
    d.kind = DefaultKind::literal;
  }
  d.value = v;
  return d;
}

Catalog build_catalog(const std::string& database, const CatalogRows& rows) {
  Catalog catalog;
  catalog.database = database;
  const RowSet& cs = rows.columns;
  const size_t c_table = cs.column_index("TABLE_NAME"), c_name = cs.column_index("COLUMN_NAME"),
               c_null = cs.column_index("IS_NULLABLE"), c_type = cs.column_index("DATA_TYPE"),
               c_ctype = cs.column_index("COLUMN_TYPE"), c_extra = cs.column_index("EXTRA"),
               c_len = cs.column_index("CHARACTER_MAXIMUM_LENGTH"),
               c_prec = cs.column_index("NUMERIC_PRECISION"),
               c_scale = cs.column_index("NUMERIC_SCALE"),
               c_fsp = cs.column_index("DATETIME_PRECISION"),
               c_charset = cs.column_index("CHARACTER_SET_NAME");
  const size_t c_collation = optional_index(cs, "COLLATION_NAME"),
               c_default = optional_index(cs, "COLUMN_DEFAULT"),
               c_generation = optional_index(cs, "GENERATION_EXPRESSION"),
               c_comment = optional_index(cs, "COLUMN_COMMENT");

  std::set<std::pair<std::string, std::string>> json_columns;
  if (!rows.json_checks.columns.empty()) {
    const size_t j_table = rows.json_checks.column_index("TABLE_NAME"),
                 j_col = rows.json_checks.column_index("COLUMN_NAME");
    for (const auto& r : rows.json_checks.rows)
      json_columns.emplace(text(r, j_table), text(r, j_col));
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
    const std::string& extra = text(r, c_extra);
    c.auto_increment = contains(extra, "auto_increment");
    c.is_json = c.data_type == "json" || json_columns.count({t.name, c.name}) != 0;
    c.char_length = to_int(r[c_len]);
    c.precision = to_int(r[c_prec]);
    c.scale = to_int(r[c_scale]);
    c.fsp = to_int(r[c_fsp]);
    c.charset = text(r, c_charset);
    if (const auto& v = cell(r, c_collation)) c.collation = *v;
    if (contains(extra, "virtual generated")) {
      c.generated = Generated::virtual_column;
    } else if (contains(extra, "stored generated") || contains(extra, "persistent generated")) {
      c.generated = Generated::stored;
    }
    if (c.generated != Generated::no) {
      if (const auto& v = cell(r, c_generation)) c.generation_expression = *v;
    } else {
      const bool temporal = c.data_type == "timestamp" || c.data_type == "datetime" ||
                            c.data_type == "date" || c.data_type == "time";
      c.default_value = parse_default(cell(r, c_default), extra, rows.mariadb, temporal);
      if (c.auto_increment) c.default_value = {};
    }
    c.on_update_current_timestamp = contains(extra, "on update current_timestamp");
    if (const auto& v = cell(r, c_comment)) c.comment = *v;
    t.columns.push_back(std::move(c));
  }

  if (!rows.primary_keys.columns.empty()) {
    const RowSet& pk = rows.primary_keys;
    const size_t k_table = pk.column_index("TABLE_NAME"), k_col = pk.column_index("COLUMN_NAME");
    for (const auto& r : pk.rows) {
      auto it = tables.find(text(r, k_table));
      if (it != tables.end()) it->second.primary_key.push_back(text(r, k_col));
    }
  }

  if (!rows.counters.columns.empty()) {
    const size_t a_table = rows.counters.column_index("TABLE_NAME"),
                 a_next = rows.counters.column_index("AUTO_INCREMENT");
    for (const auto& r : rows.counters.rows) {
      auto it = tables.find(text(r, a_table));
      const auto next = to_int<uint64_t>(r[a_next]);
      if (it != tables.end() && next) it->second.auto_increment_next = *next;
    }
  }

  if (!rows.tables.columns.empty()) {
    const RowSet& ts = rows.tables;
    const size_t t_name = ts.column_index("TABLE_NAME"), t_type = ts.column_index("TABLE_TYPE"),
                 t_engine = ts.column_index("ENGINE"), t_comment = ts.column_index("TABLE_COMMENT"),
                 t_options = ts.column_index("CREATE_OPTIONS");
    const size_t t_length = optional_index(ts, "DATA_LENGTH");
    const size_t t_rows = optional_index(ts, "TABLE_ROWS");
    const size_t t_collation = optional_index(ts, "TABLE_COLLATION");
    for (const auto& r : ts.rows) {
      const std::string& type = text(r, t_type);
      if (type == "BASE TABLE") {
        auto it = tables.find(text(r, t_name));
        if (it == tables.end()) continue;
        it->second.engine = text(r, t_engine);
        it->second.comment = text(r, t_comment);
        it->second.partitioned = contains(text(r, t_options), "partitioned");
        if (const auto& v = cell(r, t_collation)) it->second.collation = *v;
        if (t_length != std::string::npos) it->second.data_length = to_int<uint64_t>(r[t_length]);
        if (t_rows != std::string::npos) it->second.estimated_rows = to_int<uint64_t>(r[t_rows]);
      } else if (type == "VIEW" || type == "SYSTEM VIEW") {
        catalog.others.push_back({"view", text(r, t_name), ""});
      } else if (type == "SEQUENCE") {
        catalog.others.push_back({"sequence", text(r, t_name), ""});
      } else {
        catalog.others.push_back({ascii_lower(type), text(r, t_name), ""});
      }
    }
  }

  if (!rows.indexes.columns.empty()) {
    const RowSet& is = rows.indexes;
    const size_t i_table = is.column_index("TABLE_NAME"), i_name = is.column_index("INDEX_NAME"),
                 i_non_unique = is.column_index("NON_UNIQUE"),
                 i_column = is.column_index("COLUMN_NAME"), i_sub = is.column_index("SUB_PART"),
                 i_collation = is.column_index("COLLATION"), i_type = is.column_index("INDEX_TYPE");
    const size_t i_expr = optional_index(is, "EXPRESSION");
    for (const auto& r : is.rows) {
      auto it = tables.find(text(r, i_table));
      if (it == tables.end()) continue;
      auto& indexes = it->second.indexes;
      if (indexes.empty() || indexes.back().name != text(r, i_name)) {
        Index& index = indexes.emplace_back();
        index.name = text(r, i_name);
        index.unique = text(r, i_non_unique) == "0";
        index.kind = text(r, i_type);
      }
      IndexPart part;
      part.column = text(r, i_column);
      part.prefix = to_int(r[i_sub]);
      part.descending = text(r, i_collation) == "D";
      if (const auto& e = cell(r, i_expr)) part.expression = *e;
      indexes.back().parts.push_back(std::move(part));
    }
  }

  if (!rows.foreign_keys.columns.empty()) {
    const RowSet& fs = rows.foreign_keys;
    const size_t f_table = fs.column_index("TABLE_NAME"),
                 f_name = fs.column_index("CONSTRAINT_NAME"),
                 f_column = fs.column_index("COLUMN_NAME"),
                 f_ref_db = fs.column_index("REFERENCED_TABLE_SCHEMA"),
                 f_ref_table = fs.column_index("REFERENCED_TABLE_NAME"),
                 f_ref_column = fs.column_index("REFERENCED_COLUMN_NAME"),
                 f_update = fs.column_index("UPDATE_RULE"),
                 f_delete = fs.column_index("DELETE_RULE");
    for (const auto& r : fs.rows) {
      auto it = tables.find(text(r, f_table));
      if (it == tables.end()) continue;
      auto& fks = it->second.foreign_keys;
      if (fks.empty() || fks.back().name != text(r, f_name)) {
        ForeignKey& fk = fks.emplace_back();
        fk.name = text(r, f_name);
        fk.ref_database = text(r, f_ref_db);
        fk.ref_table = text(r, f_ref_table);
        fk.on_update = text(r, f_update);
        fk.on_delete = text(r, f_delete);
      }
      fks.back().columns.push_back(text(r, f_column));
      fks.back().ref_columns.push_back(text(r, f_ref_column));
    }
  }

  if (!rows.checks.columns.empty()) {
    const RowSet& ks = rows.checks;
    const size_t k_table = ks.column_index("TABLE_NAME"),
                 k_name = ks.column_index("CONSTRAINT_NAME"),
                 k_clause = ks.column_index("CHECK_CLAUSE");
    const size_t k_enforced = optional_index(ks, "ENFORCED");
    for (const auto& r : ks.rows) {
      auto it = tables.find(text(r, k_table));
      if (it == tables.end()) continue;
      // MariaDB's JSON columns carry a json_valid() check: the jsonb type already ensures it.
      if (json_columns.count({text(r, k_table), text(r, k_name)}) != 0 &&
          text(r, k_clause) == "json_valid(`" + text(r, k_name) + "`)") {
        continue;
      }
      it->second.checks.push_back({text(r, k_name), text(r, k_clause),
                                   k_enforced == std::string::npos || text(r, k_enforced) != "NO"});
    }
  }

  if (!rows.triggers.columns.empty()) {
    const RowSet& tr = rows.triggers;
    const size_t n = tr.column_index("TRIGGER_NAME"), on = tr.column_index("EVENT_OBJECT_TABLE"),
                 timing = tr.column_index("ACTION_TIMING"),
                 what = tr.column_index("EVENT_MANIPULATION");
    for (const auto& r : tr.rows) {
      catalog.others.push_back(
          {"trigger", text(r, n), text(r, timing) + " " + text(r, what) + " ON " + text(r, on)});
    }
  }
  if (!rows.routines.columns.empty()) {
    const size_t n = rows.routines.column_index("ROUTINE_NAME"),
                 type = rows.routines.column_index("ROUTINE_TYPE");
    for (const auto& r : rows.routines.rows)
      catalog.others.push_back({ascii_lower(text(r, type)), text(r, n), ""});
  }
  if (!rows.events.columns.empty()) {
    const size_t n = rows.events.column_index("EVENT_NAME");
    for (const auto& r : rows.events.rows) catalog.others.push_back({"event", text(r, n), ""});
  }

  catalog.tables.reserve(tables.size());
  for (auto& [name, t] : tables) catalog.tables.push_back(std::move(t));
  return catalog;
}

std::vector<Table> build_tables(const std::string& database, const RowSet& columns,
                                const RowSet& primary_keys, const RowSet& json_checks,
                                const RowSet& counters) {
  CatalogRows rows;
  rows.columns = columns;
  rows.primary_keys = primary_keys;
  rows.json_checks = json_checks;
  rows.counters = counters;
  return build_catalog(database, rows).tables;
}

}  // namespace my2pg::schema
