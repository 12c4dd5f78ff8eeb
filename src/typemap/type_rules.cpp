#include "typemap/type_rules.hpp"

#include "common/sql_text.hpp"
#include "typemap/pg_type.hpp"

#include <fnmatch.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <memory>
#include <utility>

#include "common/error.hpp"
#include "common/resources.hpp"

namespace my2pg::typemap {
namespace {

constexpr std::string_view kDefaultFile = "schema-mapping/default.yaml";
constexpr size_t kMaxEnumLabelBytes = 63;  // PostgreSQL's NAMEDATALEN - 1

// Concatenates message parts by appending (GCC 12 warns falsely on "literal" + std::string&&).
template <typename... Parts>
std::string cat(const Parts&... parts) {
  std::string out;
  (out.append(std::string_view(parts)), ...);
  return out;
}

std::string where(std::string_view file, const YAML::Node& node) {
  return cat(file, ":", std::to_string(node.Mark().line + 1));
}

// A ConfigError for rule `number` (1-based) of `file`, at the line of `node`.
[[noreturn]] void fail(std::string_view file, const YAML::Node& node, size_t number,
                       const std::string& problem) {
  throw ConfigError(cat(where(file, node), ": rule ", std::to_string(number), ": ", problem));
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return out;
}

bool is_date_target(const std::string& base) {
  return base == "date" || base == "timestamp" || base == "timestamptz" ||
         base == "timestamp without time zone" || base == "timestamp with time zone";
}

bool is_integer_type(std::string_view data_type) {
  return data_type == "tinyint" || data_type == "smallint" || data_type == "mediumint" ||
         data_type == "int" || data_type == "bigint";
}

// "varchar(20)" -> "varchar", "numeric(10,2)" -> "numeric"; other types unchanged.
void drop_typmod(std::string& sql) {
  if (sql.empty() || sql.back() != ')') return;
  const size_t open = sql.rfind('(');
  if (open == std::string::npos) return;
  sql.erase(open);
  while (!sql.empty() && sql.back() == ' ') sql.pop_back();
}

constexpr std::string_view kPlaceholders[] = {"length", "precision", "scale", "fsp"};

const std::optional<int64_t>& attribute(std::string_view key, const schema::Column& c) {
  if (key == "length") return c.char_length;
  if (key == "precision") return c.precision;
  if (key == "scale") return c.scale;
  return c.fsp;  // parse() admits no other placeholder
}

// Why a target pattern cannot be rendered, or empty when it can.
std::string target_problem(std::string_view pattern) {
  if (pattern.empty()) return "empty target type";
  for (size_t open = pattern.find('{'); open != std::string_view::npos;
       open = pattern.find('{', open + 1)) {
    const size_t close = pattern.find('}', open);
    if (close == std::string_view::npos) {
      return cat("unclosed '{' in target type '", pattern, "'");
    }
    const std::string_view key = pattern.substr(open + 1, close - open - 1);
    if (std::find(std::begin(kPlaceholders), std::end(kPlaceholders), key) ==
        std::end(kPlaceholders)) {
      return cat("unknown placeholder {", key, "} in target type '", pattern,
                 "'; use {length}, {precision}, {scale} or {fsp}");
    }
  }
  return {};
}

std::string fill(std::string_view pattern, const schema::Table& table, const schema::Column& c,
                 std::string_view origin) {
  std::string out;
  size_t i = 0;
  for (size_t open = pattern.find('{'); open != std::string_view::npos;
       open = pattern.find('{', i)) {
    const size_t close = pattern.find('}', open);
    const std::string_view key = pattern.substr(open + 1, close - open - 1);
    const std::optional<int64_t>& value = attribute(key, c);
    if (!value) {
      throw MappingError(cat("column ", table.qualified_name(), ".", c.name, " (", c.column_type,
                             ") has no ", key, " for target type '", pattern, "' from ", origin,
                             "; fix that rule or add one for this column"));
    }
    out.append(pattern.substr(i, open - i));
    out += std::to_string(*value);
    i = close + 1;
  }
  out.append(pattern.substr(i));
  return out;
}

// Why a glob over "db.table.column" is unusable, or empty when it is fine.
std::string glob_problem(std::string_view glob) {
  if (glob.empty()) return "empty column glob";
  bool wild = false;
  size_t dots = 0;
  for (size_t i = 0; i < glob.size(); ++i) {
    const char c = glob[i];
    if (c == '\\') {
      if (++i == glob.size()) return cat("column glob '", glob, "' ends in a backslash");
    } else if (c == '[') {
      size_t close = i + 1;
      if (close < glob.size() && (glob[close] == '!' || glob[close] == '^')) ++close;
      if (close < glob.size() && glob[close] == ']') ++close;  // a leading ']' is a member
      close = glob.find(']', close);
      if (close == std::string_view::npos) {
        return cat("column glob '", glob, "' has an unclosed '['");
      }
      wild = true;
      i = close;
    } else if (c == '*' || c == '?') {
      wild = true;
    } else if (c == '.') {
      ++dots;
    }
  }
  if (!wild && dots < 2) {
    return cat("column glob '", glob,
               "' can never match: globs match database.table.column, e.g. 'shop.*.created_at'");
  }
  return {};
}

// A scalar or a non-empty list of scalars.
std::vector<std::string> names(const YAML::Node& value, std::string_view file, size_t number,
                               const std::string& key, std::string_view what) {
  std::vector<std::string> out;
  if (value.IsScalar()) {
    out.push_back(value.as<std::string>());
  } else if (value.IsSequence()) {
    for (const auto& item : value) {
      if (!item.IsScalar()) break;
      out.push_back(item.as<std::string>());
    }
  }
  if (out.empty() || (value.IsSequence() && out.size() != value.size())) {
    fail(file, value, number, cat("'", key, "' must be ", what, " or a non-empty list of them"));
  }
  return out;
}

template <typename E>
E choice(const YAML::Node& value, std::string_view file, size_t number, const std::string& key,
         std::initializer_list<std::pair<std::string_view, E>> options) {
  // yaml-cpp reads a plain `null` as a null node, whose string form is "null".
  const std::string text = value.IsNull() || value.IsScalar() ? value.as<std::string>() : "";
  std::string valid;
  for (const auto& [name, e] : options) {
    if (text == name) return e;
    if (!valid.empty()) valid += ", ";
    valid += name;
  }
  fail(file, value, number, cat("unknown ", key, " value '", text, "'; use ", valid));
}

}  // namespace

std::optional<std::vector<std::string>> enum_labels(std::string_view type) {
  if (!type.starts_with("enum(") || !type.ends_with(")")) return std::nullopt;
  const std::string_view body = type.substr(5, type.size() - 6);
  std::vector<std::string> labels;
  size_t i = 0;
  while (i < body.size()) {
    if (body[i] != '\'') return std::nullopt;
    std::string label;
    const size_t close = read_mysql_string(body, i, label);
    if (close == std::string_view::npos) return std::nullopt;
    labels.push_back(std::move(label));
    i = close + 1;
    if (i < body.size() && body[i++] != ',') return std::nullopt;
  }
  return labels;
}

namespace {

std::string column_name(const schema::Table& table, const schema::Column& c) {
  std::string out = table.qualified_name();
  out += '.';
  out += c.name;
  return out;
}

void narrow_to_boolean(TargetType& t, const schema::Table& table, const schema::Column& c) {
  if (is_integer_type(c.data_type)) {
    t.kind = TargetKind::boolean;
    t.misfit_predicate = "{column} NOT IN (0,1)";
  } else if (c.data_type == "bit") {
    if (c.precision != 1) {
      throw MappingError(
          cat("column ", column_name(table, c), " (", c.column_type, ") cannot become boolean by ",
              t.origin, ": only BIT(1) can; narrow that rule's match, e.g. column_type: bit(1)"));
    }
    t.kind = TargetKind::boolean;
  }
  // Any other source keeps its text; PostgreSQL's boolean input decides.
}

void narrow_to_enum(TargetType& t, const schema::Table& table, const schema::Column& c) {
  const std::string name = column_name(table, c);
  auto labels = c.data_type == "enum" ? enum_labels(c.column_type) : std::nullopt;
  if (!labels) {
    throw MappingError(cat("column ", name, " (", c.column_type, ") cannot become a PostgreSQL ",
                           "enum by ", t.origin, ": only a MySQL ENUM column can; narrow that ",
                           "rule's match, e.g. type: enum"));
  }
  for (const std::string& label : *labels) {
    if (label.size() <= kMaxEnumLabelBytes) continue;
    throw MappingError(cat("column ", name, ": ENUM label '", label, "' is ",
                           std::to_string(label.size()), " bytes, over PostgreSQL's 63-byte enum ",
                           "label limit; map this column to text with a --mapping rule before ",
                           t.origin));
  }
  t.kind = TargetKind::pg_enum;
  t.enum_labels = std::move(*labels);
  // MySQL's error value '' (index 0) has no label; `= 0` compares the index, so a real '' label
  // is not counted.
  t.misfit_predicate = "{column} = 0";
}

}  // namespace

std::string TargetType::misfit_condition(std::string_view quoted_column) const {
  static constexpr std::string_view kPlaceholder = "{column}";
  std::string out;
  size_t i = 0;
  for (size_t at = misfit_predicate.find(kPlaceholder); at != std::string::npos;
       at = misfit_predicate.find(kPlaceholder, i)) {
    out.append(misfit_predicate, i, at - i);
    out.append(quoted_column);
    i = at + kPlaceholder.size();
  }
  out.append(misfit_predicate, i);
  return out;
}

TypeRules TypeRules::load_default() {
  return parse(resource(kDefaultFile), kDefaultFile);
}

TypeRules TypeRules::load_file(const std::string& path) {
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                             &std::fclose);
  std::string text;
  if (file) {
    char buffer[4096];
    for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0;) {
      text.append(buffer, n);
    }
  }
  if (!file || std::ferror(file.get()) != 0) {
    throw ConfigError(cat("cannot read the mapping file ", path, ": ", std::strerror(errno),
                          "; check the --mapping path"));
  }
  return parse(text, path);
}

TypeRules TypeRules::layered(TypeRules user, TypeRules defaults) {
  TypeRules out = std::move(user);
  out.m_rules.insert(out.m_rules.end(), std::make_move_iterator(defaults.m_rules.begin()),
                     std::make_move_iterator(defaults.m_rules.end()));
  out.m_files.insert(out.m_files.end(), defaults.m_files.begin(), defaults.m_files.end());
  return out;
}

TypeRules::Rule TypeRules::parse_rule(const YAML::Node& node, std::string_view file,
                                      size_t number) {
  Rule rule;
  rule.origin = cat(file, " rule ", std::to_string(number));
  if (!node.IsMap() || !node["match"] || !node["match"].IsMap() || !node["target"]) {
    fail(file, node, number, "each rule needs 'match:' (a map) and 'target:'");
  }
  for (const auto& kv : node) {
    const auto key = kv.first.as<std::string>();
    const YAML::Node& value = kv.second;
    if (key == "match") {
      continue;
    } else if (key == "target") {
      rule.target = value.as<std::string>();
      if (auto problem = target_problem(rule.target); !problem.empty()) {
        fail(file, value, number, problem);
      }
    } else if (key == "why") {
      rule.why = value.as<std::string>();
    } else if (key == "zero_dates") {
      rule.policy.zero_dates = choice<ZeroDates>(value, file, number, key,
                                                 {{"error", ZeroDates::error},
                                                  {"null", ZeroDates::null},
                                                  {"-infinity", ZeroDates::minus_infinity}});
    } else if (key == "nul_bytes") {
      rule.policy.nul_bytes = choice<NulBytes>(
          value, file, number, key, {{"error", NulBytes::error}, {"strip", NulBytes::strip}});
    } else if (key == "invalid_text") {
      rule.policy.invalid_text =
          choice<InvalidText>(value, file, number, key,
                              {{"error", InvalidText::error}, {"replace", InvalidText::replace}});
    } else if (key == "default") {
      rule.keep_default = choice<bool>(value, file, number, key, {{"keep", true}, {"drop", false}});
    } else if (key == "typmod") {
      rule.drop_typmod = choice<bool>(value, file, number, key, {{"keep", false}, {"drop", true}});
    } else {
      fail(
          file, kv.first, number,
          cat("unknown key '", key,
              "'; use match, target, why, zero_dates, nul_bytes, invalid_text, default or typmod"));
    }
  }
  if (rule.policy.zero_dates == ZeroDates::minus_infinity &&
      !is_date_target(pg_base_type(rule.target))) {
    fail(file, node["zero_dates"], number,
         cat("zero_dates: -infinity needs a date or timestamp target, not '", rule.target,
             "'; use null or error"));
  }
  for (const auto& kv : node["match"]) {
    const auto key = kv.first.as<std::string>();
    const YAML::Node& value = kv.second;
    if (key == "type") {
      rule.types = names(value, file, number, key, "a type name");
      for (std::string& t : rule.types) t = lower(t);
    } else if (key == "unsigned") {
      rule.is_unsigned = value.as<bool>();
    } else if (key == "json") {
      rule.json = value.as<bool>();
    } else if (key == "postgis") {
      rule.postgis = value.as<bool>();
    } else if (key == "length") {
      rule.length = value.as<int64_t>();
    } else if (key == "precision") {
      rule.precision = value.as<int64_t>();
    } else if (key == "scale") {
      rule.scale = value.as<int64_t>();
    } else if (key == "column_type") {
      rule.column_types = names(value, file, number, key, "a declared type");
    } else if (key == "column") {
      rule.columns = names(value, file, number, key, "a glob");
      for (const std::string& glob : rule.columns) {
        if (auto problem = glob_problem(glob); !problem.empty()) fail(file, value, number, problem);
      }
    } else {
      fail(file, kv.first, number,
           cat("unknown match key '", key,
               "'; use type, unsigned, json, postgis, length, precision, scale, column_type "
               "or column"));
    }
  }
  return rule;
}

TypeRules TypeRules::parse(std::string_view yaml, std::string_view origin) {
  TypeRules out;
  out.m_files.emplace_back(origin);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    throw ConfigError(
        cat(origin, ":", std::to_string(e.mark.line + 1), ": not valid YAML (", e.msg, ")"));
  }
  const YAML::Node rules = root.IsMap() ? root["rules"] : YAML::Node();
  if (!rules || !rules.IsSequence()) {
    throw ConfigError(cat(origin, ": expected a top-level 'rules:' list"));
  }
  for (const auto& kv : root) {
    if (kv.first.as<std::string>() == "rules") continue;
    throw ConfigError(cat(where(origin, kv.first), ": unknown top-level key '",
                          kv.first.as<std::string>(), "'; a rules file has only 'rules:'"));
  }
  size_t number = 0;
  for (const auto& node : rules) {
    ++number;
    try {
      out.m_rules.push_back(parse_rule(node, origin, number));
    } catch (const YAML::Exception& e) {
      throw ConfigError(cat(origin, ":", std::to_string(e.mark.line + 1), ": rule ",
                            std::to_string(number), ": ", e.msg));
    }
  }
  return out;
}

bool TypeRules::matches(const Rule& r, const schema::Column& c, const std::string& qualified_column,
                        bool target_postgis) {
  const auto in = [](const std::vector<std::string>& list, const std::string& value) {
    return list.empty() || std::find(list.begin(), list.end(), value) != list.end();
  };
  if (!in(r.types, c.data_type) || !in(r.column_types, c.column_type)) return false;
  if (r.is_unsigned && *r.is_unsigned != c.is_unsigned) return false;
  if (r.json && *r.json != c.is_json) return false;
  if (r.postgis && *r.postgis != target_postgis) return false;
  if (r.length && c.char_length != r.length) return false;
  if (r.precision && c.precision != r.precision) return false;
  if (r.scale && c.scale != r.scale) return false;
  if (r.columns.empty()) return true;
  return std::any_of(r.columns.begin(), r.columns.end(), [&](const std::string& glob) {
    return fnmatch(glob.c_str(), qualified_column.c_str(), 0) == 0;
  });
}

TargetType TypeRules::apply(const Rule& r, const schema::Table& table, const schema::Column& c) {
  TargetType t;
  t.sql = fill(r.target, table, c, r.origin);
  if (r.drop_typmod) drop_typmod(t.sql);
  t.why = r.why;
  t.origin = r.origin;
  t.policy = r.policy;
  t.keep_default = r.keep_default;
  const std::string base = pg_base_type(t.sql);
  if (base == "boolean" || base == "bool") narrow_to_boolean(t, table, c);
  if (base == "enum") narrow_to_enum(t, table, c);
  return t;
}

TargetType TypeRules::map(const schema::Table& table, const schema::Column& column) const {
  const std::string qualified_column = column_name(table, column);
  for (const Rule& r : m_rules) {
    if (matches(r, column, qualified_column, m_target_postgis)) return apply(r, table, column);
  }
  std::string files;
  for (const std::string& f : m_files) {
    if (!files.empty()) files += " or ";
    files += f;
  }
  throw MappingError(cat("no type rule in ", files, " matches column ", qualified_column,
                         " of type ", column.column_type,
                         "; add a rule for it in a --mapping file"));
}

}  // namespace my2pg::typemap
