#pragma once
// MySQL -> PostgreSQL column type rules, read from schema-mapping/*.yaml.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schema/table.hpp"

namespace my2pg::typemap {

struct TargetType {
  std::string sql;  // e.g. "numeric(20,0)"
  std::string why;  // the rule's one-line reason, for the mapping report
};

class TypeRules {
 public:
  static TypeRules load_default();  // the rules compiled in from schema-mapping/default.yaml
  // Parses rules from YAML text; `origin` names the file in error messages.
  static TypeRules parse(std::string_view yaml, std::string_view origin);

  // The PostgreSQL type for a column of `table`; throws MappingError when no rule matches.
  TargetType map(const schema::Table& table, const schema::Column& column) const;

 private:
  struct Rule {
    std::vector<std::string> types;  // empty: any type
    std::optional<bool> is_unsigned;
    std::optional<bool> json;
    std::optional<int64_t> length;  // exact character length
    std::string target;
    std::string why;
  };
  std::vector<Rule> m_rules;
  std::string m_origin;
};

}  // namespace my2pg::typemap
