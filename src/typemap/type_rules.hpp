#pragma once
// MySQL -> PostgreSQL column type rules, read from schema-mapping/*.yaml and --mapping files.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schema/table.hpp"

namespace YAML {
class Node;
}

namespace my2pg::typemap {

// What becomes of a zero or partly-zero DATE/DATETIME/TIMESTAMP value ('0000-00-00', '2024-00-10').
enum class ZeroDates {
  error,           // refused: the copy stops naming the row
  null,            // NULL
  minus_infinity,  // '-infinity' (date and timestamp targets only)
};
enum class NulBytes { error, strip };       // NUL bytes in text, which PostgreSQL cannot store
enum class InvalidText { error, replace };  // text that is not valid UTF-8; replace: U+FFFD

// How a column's values are treated when they have no exact PostgreSQL equivalent. The defaults
// refuse, so that nothing is changed without a rule that says so.
struct ValuePolicy {
  ZeroDates zero_dates = ZeroDates::error;
  NulBytes nul_bytes = NulBytes::error;
  InvalidText invalid_text = InvalidText::error;
};

enum class TargetKind {
  as_declared,  // `sql` is the column type; values keep their source form
  boolean,      // from an integer (0/1 -> f/t) or BIT(1); any other integer is refused
  pg_enum,      // `sql` is the keyword "enum": the DDL creates a type from `enum_labels`
};

struct TargetType {
  std::string sql{};     // e.g. "numeric(20,0)"
  std::string why{};     // the rule's one-line reason, for the mapping report
  std::string origin{};  // the rule that chose it, e.g. "schema-mapping/default.yaml rule 12"
  ValuePolicy policy{};
  bool keep_default = true;  // whether the column's DEFAULT is carried to PostgreSQL
  TargetKind kind = TargetKind::as_declared;
  std::vector<std::string> enum_labels{};  // kind == pg_enum: the ENUM's labels in MySQL order
  // SQL over the MySQL column, `{column}` standing for its back-quoted name, true for source
  // values that do not fit the target (count them before copying); empty when every value fits.
  std::string misfit_predicate{};

  // misfit_predicate with {column} replaced by `quoted_column`; empty when every value fits.
  std::string misfit_condition(std::string_view quoted_column) const;
};

class TypeRules {
 public:
  static TypeRules load_default();  // the rules compiled in from schema-mapping/default.yaml
  // Reads a user rules file (--mapping); throws ConfigError naming the file, line and rule.
  static TypeRules load_file(const std::string& path);
  // Parses rules from YAML text; `origin` names the file in error messages and TargetType::origin.
  static TypeRules parse(std::string_view yaml, std::string_view origin);
  // `user`'s rules, in file order, tried before `defaults`; the first that matches wins.
  static TypeRules layered(TypeRules user, TypeRules defaults);

  // The PostgreSQL type for a column of `table`; throws MappingError when no rule matches or the
  // matching rule cannot apply to the column.
  TargetType map(const schema::Table& table, const schema::Column& column) const;

  // Whether the target database has the PostGIS extension (rules can match on `postgis:`).
  void set_target_postgis(bool on) { m_target_postgis = on; }

 private:
  struct Rule {
    std::vector<std::string> types;  // empty: any type
    std::optional<bool> is_unsigned;
    std::optional<bool> json;
    std::optional<bool> postgis;    // the target has the PostGIS extension
    std::optional<int64_t> length;  // exact character length
    std::optional<int64_t> precision;
    std::optional<int64_t> scale;
    std::vector<std::string> column_types;  // exact declared types; empty: any
    std::vector<std::string> columns;       // globs over "db.table.column"; empty: any
    std::string target;
    std::string why;
    ValuePolicy policy;
    bool keep_default = true;
    bool drop_typmod = false;
    std::string origin;  // "<file> rule <n>"
  };
  static Rule parse_rule(const YAML::Node& node, std::string_view file, size_t number);
  static bool matches(const Rule& rule, const schema::Column& column,
                      const std::string& qualified_column, bool target_postgis);
  static TargetType apply(const Rule& rule, const schema::Table& table,
                          const schema::Column& column);

  std::vector<Rule> m_rules;
  std::vector<std::string> m_files;  // every file the rules came from, in order
  bool m_target_postgis = false;
};

// The labels of "enum('a','it''s')" as MySQL spells COLUMN_TYPE (quotes doubled, backslash
// escapes), in MySQL's order; nullopt for any other type.
std::optional<std::vector<std::string>> enum_labels(std::string_view type);

}  // namespace my2pg::typemap
