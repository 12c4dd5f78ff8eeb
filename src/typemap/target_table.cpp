#include "typemap/target_table.hpp"

#include <cctype>

#include "common/error.hpp"
#include "common/json_writer.hpp"
#include "common/pg_names.hpp"
#include "common/sql_text.hpp"

namespace my2pg::typemap {
namespace {

bool is_pg_integer(const std::string& sql) {
  return sql == "smallint" || sql == "integer" || sql == "bigint";
}

bool starts_with(const std::string& s, std::string_view prefix) {
  return s.rfind(prefix, 0) == 0;
}

bool is_numeric_target(const std::string& t) {
  return is_pg_integer(t) || starts_with(t, "numeric") || t == "real" || t == "double precision";
}

// "b'101'" or "5" as a bit string of exactly `width` digits; empty when it does not fit.
std::string bit_literal(const std::string& value, size_t width) {
  std::string bits;
  if (value.size() >= 3 && (value[0] == 'b' || value[0] == 'B') && value[1] == '\'' &&
      value.back() == '\'') {
    bits = value.substr(2, value.size() - 3);
  } else if (!value.empty() && value.find_first_not_of("0123456789") == std::string::npos) {
    unsigned long long n = std::stoull(value);
    while (n != 0) {
      bits.insert(bits.begin(), (n & 1U) != 0 ? '1' : '0');
      n >>= 1U;
    }
  } else {
    return {};
  }
  if (bits.find_first_not_of("01") != std::string::npos) return {};
  const size_t first_one = bits.find('1');
  bits = first_one == std::string::npos ? "" : bits.substr(first_one);
  if (bits.size() > width) return {};
  return std::string(width - bits.size(), '0') + bits;
}

size_t bit_width(const std::string& target) {  // "bit(12)" -> 12
  const auto open = target.find('(');
  return open == std::string::npos ? 1 : std::stoul(target.substr(open + 1));
}

bool is_zero_date(const std::string& v) {
  return v.size() >= 10 &&
         (v.substr(0, 4) == "0000" || v.substr(5, 2) == "00" || v.substr(8, 2) == "00");
}

}  // namespace

std::string translate_default(const schema::Column& c, const std::string& target,
                              std::string& why_not) {
  const schema::ColumnDefault& d = c.default_value;
  const std::string& v = d.value;
  switch (d.kind) {
    case schema::DefaultKind::none:
    case schema::DefaultKind::null:
      return {};
    case schema::DefaultKind::current_timestamp:
      if (starts_with(target, "timestamptz")) return "CURRENT_TIMESTAMP";
      if (starts_with(target, "timestamp")) return "LOCALTIMESTAMP";
      if (target == "date") return "CURRENT_DATE";
      why_not = "default " + v + " has no meaning for " + target;
      return {};
    case schema::DefaultKind::expression: {
      const std::string l = ascii_lower(v);
      if (l == "uuid()" &&
          (starts_with(target, "varchar") || starts_with(target, "char") || target == "text")) {
        return "gen_random_uuid()::text";
      }
      if (l == "uuid()" && target == "uuid") return "gen_random_uuid()";
      if ((l == "curdate()" || l == "current_date()" || l == "current_date") && target == "date")
        return "CURRENT_DATE";
      why_not = "default expression " + v +
                " is MySQL SQL that my2pg does not translate; set a default by hand if needed";
      return {};
    }
    case schema::DefaultKind::literal:
      break;
  }
  if (target == "boolean") {
    if (v == "0" || ascii_lower(v) == "b'0'") return "false";
    if (v == "1" || ascii_lower(v) == "b'1'") return "true";
    why_not = "default " + v + " is not 0 or 1";
    return {};
  }
  if (is_numeric_target(target)) {
    if (is_sql_number(v)) return v;
    why_not = "default '" + v + "' is not a number";
    return {};
  }
  if (starts_with(target, "bit")) {
    const std::string bits = bit_literal(v, bit_width(target));
    if (!bits.empty() || bit_width(target) == 0) return "B'" + bits + "'";
    why_not = "default " + v + " does not fit " + target;
    return {};
  }
  if (target == "bytea") {
    std::string literal = "'\\x";
    append_hex(v, literal);
    return literal + "'::bytea";
  }
  if (target == "date" || starts_with(target, "timestamp")) {
    if (is_zero_date(v)) {
      why_not = "default '" + v + "' is a zero date, which PostgreSQL cannot store";
      return {};
    }
    // information_schema shows TIMESTAMP defaults in the session time zone, which is UTC here.
    if (starts_with(target, "timestamptz")) return pg::quote_literal(v + "+00") + "::timestamptz";
    return pg::quote_literal(v) + "::" + (target == "date" ? "date" : "timestamp");
  }
  if (target == "interval") return pg::quote_literal(v) + "::interval";
  if (target == "jsonb") return pg::quote_literal(v) + "::jsonb";
  return pg::quote_literal(v);
}

TargetTable map_table(const TypeRules& rules, const schema::Table& table,
                      const std::string& target_schema) {
  IdentifierOptions options;
  options.schema_renames[table.database] = target_schema;
  IdentifierMap names(options);
  return map_table(rules, table, names);
}

TargetTable map_table(const TypeRules& rules, const schema::Table& table, IdentifierMap& names) {
  TargetTable out;
  out.schema = names.schema(table.database);
  out.name = names.table(table.database, table.name);
  out.comment = table.comment;
  for (const auto& k : table.primary_key)
    out.primary_key.push_back(names.column(table.database, table.name, k));
  for (const schema::Column& c : table.columns) {
    TargetColumn tc;
    tc.name = names.column(table.database, table.name, c.name);
    tc.type = rules.map(table, c);
    tc.codec = codec_for(c, tc.type);
    tc.not_null = !c.nullable;
    if (tc.not_null && tc.type.policy.zero_dates == ZeroDates::null &&
        (c.data_type == "date" || c.data_type == "datetime" || c.data_type == "timestamp")) {
      throw MappingError("column " + table.qualified_name() + "." + c.name +
                         " is NOT NULL, but the rule " + tc.type.origin +
                         " turns zero dates into NULL; use zero_dates: -infinity for it, or "
                         "zero_dates: error to be told which rows hold zero dates");
    }
    if (c.auto_increment)
      tc.serial = is_pg_integer(tc.type.sql) ? Serial::identity : Serial::sequence;
    if (c.generated != schema::Generated::no) {
      tc.not_migrated.push_back(
          std::string(c.generated == schema::Generated::stored ? "stored" : "virtual") +
          " generated column: its values are copied, its expression (" + c.generation_expression +
          ") is not translated");
    } else if (!tc.type.keep_default) {
      if (c.default_value.kind != schema::DefaultKind::none &&
          c.default_value.kind != schema::DefaultKind::null) {
        tc.notes.push_back("default " + c.default_value.value + " dropped by rule " +
                           tc.type.origin);
      }
    } else {
      std::string why_not;
      tc.default_sql = translate_default(c, tc.type.sql, why_not);
      if (!why_not.empty()) tc.not_migrated.push_back(why_not);
    }
    if (c.on_update_current_timestamp) {
      tc.on_update_current_timestamp = true;
      tc.notes.emplace_back("ON UPDATE CURRENT_TIMESTAMP: kept by a BEFORE UPDATE trigger");
    }
    out.columns.push_back(std::move(tc));
  }
  return out;
}

}  // namespace my2pg::typemap
