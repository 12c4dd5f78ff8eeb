#pragma once
// Source names to PostgreSQL names: a MySQL database becomes a schema (renamed on request), case
// is kept or folded by one policy, and names over PostgreSQL's 63-byte limit are shortened
// deterministically (pg::fit_identifier: a prefix and a hash of the whole name). Two source names
// that would become one target name are an error, never a silent merge. Every name that changes
// is recorded, so the mapping can be shown and stored.
//
// Names are returned unquoted: DDL quotes them with pg::quote_identifier, so reserved words,
// spaces, quotes and non-ASCII characters all pass through as they are.
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace my2pg::typemap {

enum class CasePolicy {
  keep,   // names as the source spells them (quoted in every query on the target)
  lower,  // ASCII letters A-Z folded to a-z, as PostgreSQL folds unquoted names
};

struct IdentifierOptions {
  CasePolicy case_policy = CasePolicy::keep;
  // Source database -> target schema, used as given (not case-folded); at most 63 bytes.
  std::map<std::string, std::string> schema_renames;
};

// `name` under `policy`. Only ASCII letters are folded: PostgreSQL folds unquoted names the same
// way in a UTF-8 database, so a folded name can be written unquoted wherever its letters are
// ASCII, and multibyte characters (`naïve`, `ÉCOLE` -> `École`) stay intact byte for byte.
std::string fold_case(std::string_view name, CasePolicy policy);

class IdentifierMap {
 public:
  // Throws ConfigError for a schema rename that is empty, over 63 bytes or holds a NUL byte.
  explicit IdentifierMap(IdentifierOptions options = {});

  // These three give the same answer for the same source name, whatever was asked before. They
  // throw MappingError when two different source names of one scope (all schemas; one schema's
  // tables; one table's columns) would get the same target name, and for an empty name or one
  // with a NUL byte. A table (or column) maps its database (and table) first.
  std::string schema(const std::string& database);
  std::string table(const std::string& database, const std::string& table);
  std::string column(const std::string& database, const std::string& table,
                     const std::string& column);

  // Names PostgreSQL keeps per schema (indexes, constraints, sequences, enum types): `wanted`
  // (case-folded, fitted to 63 bytes) made unique within `target_schema` among the objects named
  // so far and the schema's tables, by a suffix _2, _3... Each call names a new object, so the
  // result depends on call order: map every table of a schema before naming its objects.
  std::string object(const std::string& target_schema, const std::string& wanted);

  struct Entry {
    std::string kind;      // "schema", "table", "column" or "object"
    std::string source;    // the source's name (for an object, the wanted name)
    std::string target;    // the name to use on PostgreSQL, unquoted
    std::string database;  // source database of a table or column; target schema of an object
    std::string table;     // source table of a column
  };
  // Every name that differs from its source, once each, in the order they were first mapped.
  const std::vector<Entry>& changed() const { return m_changed; }

 private:
  // Target name -> the source name that holds it, within one scope.
  using Scope = std::map<std::string, std::string>;

  std::string target_name(std::string_view source) const;
  // Gives e.target to e.source in `scope`; `where` names the target for messages.
  void claim(Scope& scope, const Entry& e, const std::string& where);
  [[noreturn]] void collision(const Entry& e, const std::string& other,
                              const std::string& where) const;
  void record(Entry entry);

  IdentifierOptions m_options;
  Scope m_schemas;
  std::map<std::string, Scope> m_tables;                           // by target schema
  std::map<std::pair<std::string, std::string>, Scope> m_columns;  // by target schema, table
  std::map<std::string, std::set<std::string>> m_objects;          // by target schema
  std::vector<Entry> m_changed;
};

}  // namespace my2pg::typemap
