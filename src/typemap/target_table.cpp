#include "typemap/target_table.hpp"

namespace my2pg::typemap {
namespace {

bool is_pg_integer(const std::string& sql) {
  return sql == "smallint" || sql == "integer" || sql == "bigint";
}

}  // namespace

TargetTable map_table(const TypeRules& rules, const schema::Table& table,
                      const std::string& target_schema) {
  TargetTable out;
  out.schema = target_schema;
  out.name = table.name;
  out.primary_key = table.primary_key;
  for (const schema::Column& c : table.columns) {
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
