#include "typemap/target_table.hpp"

#include "common/error.hpp"

namespace my2pg::typemap {
namespace {

bool is_pg_integer(const std::string& sql) {
  return sql == "smallint" || sql == "integer" || sql == "bigint";
}

// PostgreSQL silently truncates longer names, which could merge two of them: refuse instead.
void check_identifier(const std::string& name, const std::string& what) {
  constexpr size_t kMaxBytes = 63;
  if (name.size() <= kMaxBytes) return;
  throw MappingError(what + " '" + name + "' is " + std::to_string(name.size()) +
                     " bytes, over PostgreSQL's 63-byte identifier limit; rename it on the source "
                     "(renaming long names in my2pg is not supported yet)");
}

}  // namespace

TargetTable map_table(const TypeRules& rules, const schema::Table& table,
                      const std::string& target_schema) {
  check_identifier(target_schema, "target schema");
  check_identifier(table.name, "table");
  TargetTable out;
  out.schema = target_schema;
  out.name = table.name;
  out.primary_key = table.primary_key;
  for (const schema::Column& c : table.columns) {
    check_identifier(c.name, "column " + table.qualified_name() + "." + c.name + ":");
    TargetColumn tc;
    tc.name = c.name;
    tc.type = rules.map(table, c);
    tc.codec = codec_for(c);
    tc.not_null = !c.nullable;
    if (c.auto_increment)
      tc.serial = is_pg_integer(tc.type.sql) ? Serial::identity : Serial::sequence;
    out.columns.push_back(std::move(tc));
  }
  return out;
}

}  // namespace my2pg::typemap
