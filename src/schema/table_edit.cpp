#include "schema/table_edit.hpp"

#include <algorithm>
#include <charconv>

#include "common/sql_text.hpp"
#include "schema/mysql_types.hpp"

namespace my2pg::schema {
namespace {

using TT = SqlToken::Type;

// information_schema sorts names in a case-insensitive collation that weighs letters as
// upper case ('_' after 'Z').
bool name_less(const std::string& a, const std::string& b) {
  const std::string ua = ascii_upper(a), ub = ascii_upper(b);
  return ua != ub ? ua < ub : a < b;
}

// The characters of UTF-8 text.
size_t utf8_length(const std::string& s) {
  size_t n = 0;
  for (char c : s)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  return n;
}

// An ENUM or SET label as information_schema's COLUMN_TYPE spells it.
std::string quote_label(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "''";
    else if (c == '\\')
      out += "\\\\";
    else
      out.push_back(c);
  }
  return out + "'";
}

// The clause names `column`.
bool mentions(const std::string& clause, const std::string& column) {
  for (const auto& tok : tokenize_sql(clause)) {
    if ((tok.type == TT::word || tok.type == TT::quoted) && ascii_iequal(tok.text, column))
      return true;
  }
  return false;
}

// The expression with every identifier `from` renamed to `to` (backquoted).
std::string rename_in_expression(const std::string& sql, const std::string& from,
                                 const std::string& to) {
  std::string out;
  size_t at = 0;
  for (const auto& tok : tokenize_sql(sql)) {
    if ((tok.type != TT::word && tok.type != TT::quoted) || !ascii_iequal(tok.text, from)) continue;
    out += sql.substr(at, tok.begin - at) + "`" + to + "`";
    at = tok.end;
  }
  return out + sql.substr(at);
}

// The key parts start with the columns `cols`, whole (no prefix).
bool leads_with(const std::vector<IndexPart>& parts, const std::vector<std::string>& cols) {
  if (parts.size() < cols.size()) return false;
  for (size_t i = 0; i < cols.size(); ++i) {
    if (!ascii_iequal(parts[i].column, cols[i]) || parts[i].prefix) return false;
  }
  return true;
}

}  // namespace

// Indexes, foreign keys and checks in the order the catalog reads them: by name.
void sort_table_objects(Table& t) {
  auto by_name = [](const auto& a, const auto& b) { return name_less(a.name, b.name); };
  std::stable_sort(t.indexes.begin(), t.indexes.end(), by_name);
  std::stable_sort(t.foreign_keys.begin(), t.foreign_keys.end(), by_name);
  std::stable_sort(t.checks.begin(), t.checks.end(), by_name);
}

Column* TableEdit::find_column(const std::string& name) {
  for (auto& c : t.columns)
    if (ascii_iequal(c.name, name)) return &c;
  return nullptr;
}
size_t TableEdit::column_index(const std::string& name) const {
  for (size_t i = 0; i < t.columns.size(); ++i)
    if (ascii_iequal(t.columns[i].name, name)) return i;
  return std::string::npos;
}
Index* TableEdit::find_index(const std::string& name) {
  for (auto& i : t.indexes)
    if (ascii_iequal(i.name, name)) return &i;
  return nullptr;
}
bool TableEdit::in_primary_key(const std::string& column) const {
  return std::any_of(t.primary_key.begin(), t.primary_key.end(),
                     [&](const std::string& k) { return ascii_iequal(k, column); });
}

void TableEdit::finish_type(Column& c, const TypeDecl& ty) {
  c.data_type = ty.base;
  c.is_unsigned = ty.is_unsigned;
  c.char_length.reset();
  c.precision.reset();
  c.scale.reset();
  c.fsp.reset();
  c.charset.clear();
  c.collation.clear();
  c.is_json = false;
  const std::string sign = ty.is_unsigned ? (ty.zerofill ? " unsigned zerofill" : " unsigned") : "";
  Family f = family_of(ty.base);
  // CHARACTER SET binary turns character types into their binary twins.
  if ((f == Family::character || f == Family::text) && ty.charset == "binary") {
    c.data_type = ty.base == "char"      ? "binary"
                  : ty.base == "varchar" ? "varbinary"
                                         : ty.base.substr(0, ty.base.size() - 4) + "blob";
    f = family_of(c.data_type);
  }
  switch (f) {
    case Family::integer: {
      c.precision = int_precision(ty.base, ty.is_unsigned);
      c.scale = 0;
      const bool show_width = mariadb() || ty.zerofill || (ty.base == "tinyint" && ty.length == 1);
      c.column_type = ty.base;
      if (show_width)
        c.column_type +=
            "(" + std::to_string(ty.length.value_or(default_int_width(ty.base, ty.is_unsigned))) +
            ")";
      c.column_type += sign;
      break;
    }
    case Family::decimal:
      c.precision = ty.length.value_or(10);
      c.scale = ty.decimals.value_or(0);
      c.column_type =
          "decimal(" + std::to_string(*c.precision) + "," + std::to_string(*c.scale) + ")" + sign;
      break;
    case Family::floating:
      c.precision = ty.length.value_or(ty.base == "float" ? 12 : 22);
      if (ty.decimals) c.scale = ty.decimals;
      c.column_type = ty.base;
      if (ty.length && ty.decimals)
        c.column_type +=
            "(" + std::to_string(*ty.length) + "," + std::to_string(*ty.decimals) + ")";
      c.column_type += sign;
      break;
    case Family::bit:
      c.precision = ty.length.value_or(1);
      c.column_type = "bit(" + std::to_string(*c.precision) + ")";
      break;
    case Family::binary:
      c.char_length = ty.length.value_or(1);
      c.column_type = c.data_type + "(" + std::to_string(*c.char_length) + ")";
      break;
    case Family::blob:
      if (ty.base == "blob" && ty.length) c.data_type = text_type_for_bytes(*ty.length, true);
      c.char_length = text_bytes(c.data_type);
      c.column_type = c.data_type;
      break;
    case Family::temporal:
      if (ty.base != "date") c.fsp = ty.length.value_or(0);
      c.column_type = ty.base;
      if (c.fsp && *c.fsp > 0) c.column_type += "(" + std::to_string(*c.fsp) + ")";
      break;
    case Family::year:
      c.column_type = mariadb() ? "year(4)" : "year";
      break;
    case Family::json:
      if (mariadb()) {
        c.data_type = "longtext";
        c.column_type = "longtext";
        c.char_length = text_bytes("longtext");
        c.charset = ty.charset.empty() ? "utf8mb4" : ty.charset;
        c.collation = ty.collation.empty() ? c.charset + "_bin" : ty.collation;
        if (!ty.collation.empty() && ty.charset.empty())
          c.charset = charset_of_collation(ty.collation);
      } else {
        c.column_type = "json";
      }
      c.is_json = true;
      break;
    case Family::character:
    case Family::text:
    case Family::choice:
      finish_character(c, ty);
      break;
    case Family::other:
      c.column_type = ty.base;
      if (ty.base == "vector" && ty.length) c.column_type += "(" + std::to_string(*ty.length) + ")";
      if (!mariadb() && ty.base == "geometrycollection")
        c.data_type = c.column_type = "geomcollection";
      break;
  }
}

void TableEdit::finish_character(Column& c, const TypeDecl& ty) {
  if (!ty.collation.empty()) {
    c.collation = ty.collation;
    c.charset = ty.charset.empty() ? charset_of_collation(ty.collation) : ty.charset;
  } else if (!ty.charset.empty() || ty.national) {
    c.charset = ty.national && ty.charset.empty() ? "utf8mb3" : ty.charset;
    c.collation = ty.binary_attr ? c.charset + "_bin" : default_collation(c.charset, mariadb());
  } else {
    c.collation = collation;
    c.charset = charset_of_collation(collation);
    if (ty.binary_attr) c.collation = c.charset + "_bin";
  }
  const Family f = family_of(ty.base);
  if (f == Family::choice) {
    int64_t len = 0;
    for (const auto& l : ty.labels) {
      const auto n = static_cast<int64_t>(utf8_length(l));
      len = ty.base == "enum" ? std::max(len, n) : len + n;
    }
    if (ty.base == "set" && !ty.labels.empty()) len += static_cast<int64_t>(ty.labels.size()) - 1;
    c.char_length = len;
    c.column_type = ty.base + "(";
    for (size_t i = 0; i < ty.labels.size(); ++i)
      c.column_type += (i == 0 ? "" : ",") + quote_label(ty.labels[i]);
    c.column_type += ")";
  } else if (f == Family::text) {
    c.data_type = ty.base;
    if (ty.base == "text" && ty.length)
      c.data_type = text_type_for_bytes(*ty.length * charset_maxlen(c.charset), false);
    c.char_length = text_bytes(c.data_type);
    c.column_type = c.data_type;
  } else {
    c.char_length = ty.length.value_or(1);
    c.column_type = ty.base + "(" + std::to_string(*c.char_length) + ")";
  }
}

void TableEdit::finish_default(Column& c, const ColumnDecl& d) {
  c.default_value = {};
  if (c.generated != Generated::no || c.auto_increment) return;
  switch (d.def.kind) {
    case RawDefault::Kind::none:
      if (c.nullable && mariadb()) c.default_value.kind = DefaultKind::null;
      break;
    case RawDefault::Kind::null:
      if (mariadb()) c.default_value.kind = DefaultKind::null;
      break;
    case RawDefault::Kind::literal:
      c.default_value = literal_default(d.def.token, d.def.text, c);
      break;
    case RawDefault::Kind::current_timestamp:
      c.default_value = {DefaultKind::current_timestamp,
                         current_timestamp_text(d.def.fsp, mariadb())};
      break;
    case RawDefault::Kind::expression:
      c.default_value = {DefaultKind::expression, d.def.text};
      break;
  }
}

// The column as the server keeps it; keys and checks it declares are added by add_column.
Column TableEdit::build_column(const ColumnDecl& d) {
  Column c = d.column;
  finish_type(c, d.type);
  const bool serial = d.type.serial;
  if (serial) c.auto_increment = true;
  c.nullable = !(d.not_null || d.primary || serial) || (d.explicit_null && !d.primary && !serial);
  if (d.not_null) c.nullable = false;
  if (d.primary || in_primary_key(c.name)) c.nullable = false;
  c.on_update_current_timestamp = d.on_update_fsp.has_value();
  finish_default(c, d);
  return c;
}

void TableEdit::add_column_keys(const ColumnDecl& d) {
  const std::string& name = d.column.name;
  if (d.primary) set_primary({IndexPart{name, std::nullopt, false, {}}});
  if (d.unique || d.type.serial) {
    IndexDecl u;
    u.what = IndexDecl::What::unique;
    u.parts = {IndexPart{name, std::nullopt, false, {}}};
    add_index(u, false);
  }
  for (const auto& clause : d.checks) {
    CheckConstraint k;
    k.clause = clause;
    k.name = !d.check_name.empty() ? d.check_name : mariadb() ? name : std::string();
    add_check(k);
  }
}

void TableEdit::insert_column(Column c, const std::string& from, size_t at) {
  if (column_index(c.name) != std::string::npos) fail("the table already has a column " + c.name);
  t.columns.insert(t.columns.begin() + static_cast<std::ptrdiff_t>(at), std::move(c));
  origin.insert(origin.begin() + static_cast<std::ptrdiff_t>(at), from);
}

// FIRST / AFTER c: where a column goes; npos when neither is given.
size_t TableEdit::parse_position() {
  if (p.accept("FIRST")) return 0;
  if (p.accept("AFTER")) {
    const std::string after = p.ident("a column");
    const size_t i = column_index(after);
    if (i == std::string::npos) fail("the table has no column " + after);
    return i + 1;
  }
  return std::string::npos;
}

void TableEdit::drop_column(const std::string& name) {
  const size_t i = column_index(name);
  if (i == std::string::npos) fail("the table has no column " + name);
  const std::string real = t.columns[i].name;
  t.columns.erase(t.columns.begin() + static_cast<std::ptrdiff_t>(i));
  origin.erase(origin.begin() + static_cast<std::ptrdiff_t>(i));
  auto same = [&](const std::string& c) { return ascii_iequal(c, real); };
  std::erase_if(t.primary_key, same);
  for (auto& index : t.indexes)
    std::erase_if(index.parts, [&](const IndexPart& part) { return same(part.column); });
  std::erase_if(t.indexes, [](const Index& index) { return index.parts.empty(); });
  std::erase_if(t.foreign_keys, [&](const ForeignKey& fk) {
    return std::any_of(fk.columns.begin(), fk.columns.end(), same);
  });
  std::erase_if(t.checks, [&](const CheckConstraint& k) {
    return ascii_iequal(k.name, real) || mentions(k.clause, real);
  });
}

void TableEdit::rename_column_references(const std::string& from, const std::string& to) {
  if (ascii_iequal(from, to) && from == to) return;
  for (auto& k : t.primary_key)
    if (ascii_iequal(k, from)) k = to;
  for (auto& index : t.indexes)
    for (auto& part : index.parts)
      if (ascii_iequal(part.column, from)) part.column = to;
  for (auto& fk : t.foreign_keys)
    for (auto& c : fk.columns)
      if (ascii_iequal(c, from)) c = to;
  for (auto& k : t.checks) {
    if (ascii_iequal(k.name, from) && mariadb()) k.name = to;
    k.clause = rename_in_expression(k.clause, from, to);
  }
  // foreign keys of tracked tables that reference this column
  auto rename_refs = [&](Table& other) {
    for (auto& fk : other.foreign_keys) {
      if (fk.ref_database != t.database || fk.ref_table != t.name) continue;
      for (auto& c : fk.ref_columns)
        if (ascii_iequal(c, from)) c = to;
    }
  };
  rename_refs(t);
  for (auto& entry : schema.tables)
    if (&entry.second != &t) rename_refs(entry.second);
}

void TableEdit::set_primary(const std::vector<IndexPart>& parts) {
  if (!t.primary_key.empty()) fail("the table already has a primary key");
  for (const auto& part : parts) {
    Column* c = find_column(part.column);
    if (c == nullptr) fail("the primary key names no column of the table: " + part.column);
    t.primary_key.push_back(c->name);
    c->nullable = false;
    if (c->default_value.kind == DefaultKind::null) c->default_value = {};
  }
}

std::string TableEdit::unique_index_name(const std::string& base) const {
  auto taken = [&](const std::string& n) {
    return ascii_iequal(n, "PRIMARY") ||
           std::any_of(t.indexes.begin(), t.indexes.end(),
                       [&](const Index& i) { return ascii_iequal(i.name, n); });
  };
  if (!taken(base)) return base;
  for (int n = 2;; ++n) {
    const std::string candidate = base + "_" + std::to_string(n);
    if (!taken(candidate)) return candidate;
  }
}

Index TableEdit::make_index(const IndexDecl& d) {
  Index index;
  index.unique = d.what == IndexDecl::What::unique;
  index.kind = d.what == IndexDecl::What::fulltext              ? "FULLTEXT"
               : d.what == IndexDecl::What::spatial             ? "SPATIAL"
               : (d.using_kind == "HASH" && is_memory_engine()) ? "HASH"
                                                                : "BTREE";
  if (index.kind == "BTREE" && is_memory_engine() && d.using_kind != "BTREE") index.kind = "HASH";
  for (IndexPart part : d.parts) {
    if (part.expression.empty()) {
      const Column* c = find_column(part.column);
      if (c == nullptr) fail("the index names no column of the table: " + part.column);
      part.column = c->name;
      const Family f = family_of(c->data_type);
      if (part.prefix && (f == Family::character || f == Family::binary) && c->char_length &&
          *part.prefix >= *c->char_length)
        part.prefix.reset();
      if (index.kind == "SPATIAL" && mariadb()) part.prefix = 32;
      if (index.kind == "FULLTEXT") part.descending = false;
    }
    index.parts.push_back(std::move(part));
  }
  const std::string base = d.parts.empty() || !d.parts[0].expression.empty()
                               ? std::string("functional_index")
                               : index.parts[0].column;
  index.name = d.name.empty() ? unique_index_name(base) : d.name;
  return index;
}

bool TableEdit::is_memory_engine() const {
  return ascii_iequal(t.engine, "MEMORY") || ascii_iequal(t.engine, "HEAP");
}

// Adds an index; returns false when IF NOT EXISTS found it there.
bool TableEdit::add_index(const IndexDecl& d, bool drop_generated) {
  if (!d.name.empty() && find_index(d.name) != nullptr) {
    if (d.if_not_exists) return false;
    fail("the table already has an index " + d.name);
  }
  Index index = make_index(d);
  if (drop_generated) drop_covered_fk_indexes(index);
  t.indexes.push_back(std::move(index));
  return true;
}

bool TableEdit::fk_has_index(const std::vector<std::string>& cols) const {
  std::vector<IndexPart> pk;
  for (const auto& k : t.primary_key) pk.push_back({k, std::nullopt, false, {}});
  if (leads_with(pk, cols)) return true;
  return std::any_of(t.indexes.begin(), t.indexes.end(), [&](const Index& i) {
    return i.kind != "FULLTEXT" && i.kind != "SPATIAL" && leads_with(i.parts, cols);
  });
}

// The index the server made for a foreign key (there is no flag in the model: an index that
// is exactly the key's columns and named like the key or its first column).
bool TableEdit::is_generated_fk_index(const Index& i, const ForeignKey& fk) const {
  if (i.unique || i.kind != "BTREE" || i.parts.size() != fk.columns.size() ||
      !leads_with(i.parts, fk.columns))
    return false;
  if (ascii_iequal(i.name, fk.name)) return true;
  const std::string& first = fk.columns[0];
  if (ascii_iequal(i.name, first)) return true;
  return i.name.size() > first.size() + 1 &&
         ascii_iequal(i.name.substr(0, first.size() + 1), first + "_") &&
         i.name.find_first_not_of("0123456789", first.size() + 1) == std::string::npos;
}

void TableEdit::drop_covered_fk_indexes(const Index& added) {
  for (const auto& fk : t.foreign_keys) {
    if (!leads_with(added.parts, fk.columns) || added.kind != "BTREE") continue;
    std::erase_if(t.indexes, [&](const Index& i) { return is_generated_fk_index(i, fk); });
  }
}

void TableEdit::add_foreign_key(const IndexDecl& d) {
  ForeignKey fk = d.fk;
  for (auto& c : fk.columns) {
    const Column* col = find_column(c);
    if (col == nullptr) fail("the foreign key names no column of the table: " + c);
    c = col->name;
  }
  fk.ref_database = d.ref_db.empty() ? t.database : d.ref_db;
  if (fk.ref_columns.size() != fk.columns.size())
    fail("the foreign key's column lists differ in length");
  std::string name = d.constraint;
  if (name.empty() && mariadb()) name = d.name;
  if (!name.empty() &&
      std::any_of(t.foreign_keys.begin(), t.foreign_keys.end(),
                  [&](const ForeignKey& f) { return ascii_iequal(f.name, name); })) {
    if (d.if_not_exists) return;
    fail("the table already has a foreign key " + name);
  }
  if (name.empty()) {
    const std::string prefix = t.name + "_ibfk_";
    int64_t next = 1;
    for (const auto& f : t.foreign_keys) {
      if (f.name.rfind(prefix, 0) != 0) continue;
      int64_t n = 0;
      const std::string tail = f.name.substr(prefix.size());
      if (std::from_chars(tail.data(), tail.data() + tail.size(), n).ec == std::errc())
        next = std::max(next, n + 1);
    }
    name = prefix + std::to_string(next);
  }
  fk.name = name;
  if (!fk_has_index(fk.columns)) {
    IndexDecl index;
    index.what = IndexDecl::What::plain;
    index.name = !d.constraint.empty() ? d.constraint : d.name;
    if (!index.name.empty() && find_index(index.name) != nullptr) index.name.clear();
    for (const auto& c : fk.columns) index.parts.push_back({c, std::nullopt, false, {}});
    add_index(index, false);
  }
  t.foreign_keys.push_back(std::move(fk));
}

void TableEdit::add_check(CheckConstraint k) {
  if (k.name.empty()) {
    auto taken = [&](const std::string& n) {
      return std::any_of(t.checks.begin(), t.checks.end(),
                         [&](const CheckConstraint& c) { return ascii_iequal(c.name, n); });
    };
    for (int64_t n = mariadb() ? m_check_counter : 1;; ++n) {
      const std::string candidate =
          mariadb() ? "CONSTRAINT_" + std::to_string(n) : t.name + "_chk_" + std::to_string(n);
      if (!taken(candidate)) {
        k.name = candidate;
        if (mariadb()) m_check_counter = n + 1;
        break;
      }
    }
  } else if (std::any_of(t.checks.begin(), t.checks.end(),
                         [&](const CheckConstraint& c) { return ascii_iequal(c.name, k.name); })) {
    fail("the table already has a check constraint " + k.name);
  }
  t.checks.push_back(std::move(k));
}

void TableEdit::apply_element(const IndexDecl& d, bool in_alter) {
  switch (d.what) {
    case IndexDecl::What::primary:
      set_primary(d.parts);
      break;
    case IndexDecl::What::foreign:
      add_foreign_key(d);
      break;
    case IndexDecl::What::check: {
      add_check(d.check);
      break;
    }
    default:
      add_index(d, in_alter);
      break;
  }
}

void TableEdit::sort_objects() {
  sort_table_objects(t);
}

// CONVERT TO CHARACTER SET: every character column takes the new charset and collation;
// TEXT types grow to hold as many characters in the new charset.
void TableEdit::convert_to(const std::string& charset, const std::string& coll) {
  const int new_max = charset_maxlen(charset);
  for (auto& c : t.columns) {
    if (!is_character(c) && !(c.is_json && mariadb())) continue;
    if (family_of(c.data_type) == Family::text) {
      const int64_t chars = *c.char_length / charset_maxlen(c.charset);
      const int64_t needed = chars * new_max;
      if (needed > *c.char_length) {
        c.data_type = text_type_for_bytes(needed, false);
        c.column_type = c.data_type;
        c.char_length = text_bytes(c.data_type);
      }
    }
    c.charset = charset;
    c.collation = coll;
  }
  collation = coll;
}

}  // namespace my2pg::schema
