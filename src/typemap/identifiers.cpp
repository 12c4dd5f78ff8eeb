#include "typemap/identifiers.hpp"

#include <algorithm>
#include <cstdint>
#include <initializer_list>

#include "common/error.hpp"
#include "common/pg_names.hpp"

namespace my2pg::typemap {
namespace {

constexpr size_t kMaxBytes = 63;  // PostgreSQL's NAMEDATALEN - 1

// Concatenation by appends (GCC 12 warns falsely on "literal" + std::string&& at -O2).
std::string cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) out.append(p);
  return out;
}

// A NUL byte would end an exception's message early: messages show it as \0.
std::string shown(std::string_view quoted) {
  std::string out;
  for (char c : quoted) {
    if (c == '\0') {
      out += "\\0";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// A target name as PostgreSQL quotes it, for messages.
std::string pg_quoted(std::string_view name) {
  return shown(pg::quote_identifier(name));
}

// A source name as MySQL quotes it, for messages.
std::string backquoted(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out.push_back('`');
    out.push_back(c);
  }
  out.push_back('`');
  return shown(out);
}

void check_source_name(const std::string& name, const char* kind) {
  if (name.empty()) {
    throw MappingError(cat({"an empty ", kind, " name cannot be mapped to PostgreSQL"}));
  }
  if (name.find('\0') != std::string::npos) {
    throw MappingError(cat({kind, " name ", backquoted(name),
                            " contains a NUL byte, which a PostgreSQL name cannot hold; rename it "
                            "on the source"}));
  }
}

void check_rename(const std::string& database, const std::string& schema) {
  std::string problem;
  if (schema.empty()) {
    problem = "is empty";
  } else if (schema.find('\0') != std::string::npos) {
    problem = "contains a NUL byte";
  } else if (schema.size() > kMaxBytes) {
    problem =
        cat({"is ", std::to_string(schema.size()), " bytes, over PostgreSQL's 63-byte limit"});
  } else {
    return;
  }
  throw ConfigError(cat({"the schema rename of database ", backquoted(database), " to ",
                         pg_quoted(schema), " ", problem, "; choose another target schema name"}));
}

// Shortens `name` to at most kMaxBytes - suffix.size() bytes (at a UTF-8 character boundary),
// then appends `suffix`.
std::string with_suffix(const std::string& name, const std::string& suffix) {
  size_t cut = std::min(name.size(), kMaxBytes - suffix.size());
  while (cut > 0 && cut < name.size() && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) {
    --cut;
  }
  std::string out = name.substr(0, cut);
  out += suffix;
  return out;
}

}  // namespace

std::string fold_case(std::string_view name, CasePolicy policy) {
  std::string out(name);
  if (policy == CasePolicy::keep) return out;
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

IdentifierMap::IdentifierMap(IdentifierOptions options) : m_options(std::move(options)) {
  for (const auto& [database, schema] : m_options.schema_renames) check_rename(database, schema);
}

std::string IdentifierMap::target_name(std::string_view source) const {
  return pg::fit_identifier(fold_case(source, m_options.case_policy));
}

std::string IdentifierMap::schema(const std::string& database) {
  check_source_name(database, "database");
  Entry e{"schema", database, {}, {}, {}};
  const auto rename = m_options.schema_renames.find(database);
  e.target = rename != m_options.schema_renames.end() ? rename->second : target_name(database);
  claim(m_schemas, e, pg_quoted(e.target));
  return e.target;
}

std::string IdentifierMap::table(const std::string& database, const std::string& table) {
  check_source_name(table, "table");
  const std::string target_schema = schema(database);
  Entry e{"table", table, target_name(table), database, {}};
  if (m_objects[target_schema].count(e.target) != 0) {
    throw Error(
        cat({"internal: table ", backquoted(database), ".", backquoted(table),
             " was mapped after an index, constraint or type took its name ", pg_quoted(e.target),
             " in schema ", pg_quoted(target_schema), "; map every table before naming objects"}));
  }
  claim(m_tables[target_schema], e, cat({pg_quoted(target_schema), ".", pg_quoted(e.target)}));
  return e.target;
}

std::string IdentifierMap::column(const std::string& database, const std::string& table,
                                  const std::string& column) {
  check_source_name(column, "column");
  const std::string target_table = this->table(database, table);
  const std::string target_schema = schema(database);
  Entry e{"column", column, target_name(column), database, table};
  claim(m_columns[{target_schema, target_table}], e,
        cat({pg_quoted(e.target), " of table ", pg_quoted(target_schema), ".",
             pg_quoted(target_table)}));
  return e.target;
}

std::string IdentifierMap::object(const std::string& target_schema, const std::string& wanted) {
  if (wanted.empty() || wanted.find('\0') != std::string::npos) {
    throw Error(cat({"internal: an object name in schema ", pg_quoted(target_schema),
                     " is empty or holds a NUL byte"}));
  }
  std::set<std::string>& taken = m_objects[target_schema];
  const Scope& tables = m_tables[target_schema];
  const std::string base = target_name(wanted);
  std::string name = base;
  for (uint64_t n = 2; taken.count(name) != 0 || tables.count(name) != 0; ++n) {
    name = with_suffix(base, cat({"_", std::to_string(n)}));
  }
  taken.insert(name);
  if (name != wanted) record({"object", wanted, name, target_schema, {}});
  return name;
}

void IdentifierMap::claim(Scope& scope, const Entry& e, const std::string& where) {
  const auto [it, inserted] = scope.emplace(e.target, e.source);
  if (!inserted && it->second != e.source) collision(e, it->second, where);
  if (inserted && e.target != e.source) record(e);
}

void IdentifierMap::collision(const Entry& e, const std::string& other,
                              const std::string& where) const {
  const bool by_case =
      m_options.case_policy == CasePolicy::lower &&
      fold_case(e.source, CasePolicy::lower) == fold_case(other, CasePolicy::lower);
  const bool by_length = e.source.size() > kMaxBytes || other.size() > kMaxBytes;
  std::string msg;
  if (e.kind == "schema") {
    msg = cat({"databases ", backquoted(other), " and ", backquoted(e.source),
               " would both become PostgreSQL schema "});
  } else if (e.kind == "table") {
    msg = cat({"tables ", backquoted(other), " and ", backquoted(e.source), " of database ",
               backquoted(e.database), " would both become PostgreSQL table "});
  } else {
    msg = cat({"columns ", backquoted(other), " and ", backquoted(e.source), " of table ",
               backquoted(e.database), ".", backquoted(e.table), " would both become column "});
  }
  msg += where;
  if (by_case) {
    msg +=
        ", as the lower-case policy folds both to it; rename one of them on the source, or "
        "keep the source's case";
  } else if (by_length) {
    msg +=
        ", as names over 63 bytes are shortened to a prefix and a hash and these two shortened "
        "alike; rename one of them on the source";
  } else {
    msg += "; rename one of them on the source";
  }
  if (e.kind == "schema") msg += ", or give one of them a different schema rename";
  throw MappingError(msg);
}

void IdentifierMap::record(Entry entry) {
  m_changed.push_back(std::move(entry));
}

}  // namespace my2pg::typemap
