#include "typemap/type_rules.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "common/error.hpp"
#include "common/resources.hpp"

namespace my2pg::typemap {
namespace {

std::string where(std::string_view origin, const YAML::Node& node) {
  return std::string(origin) + ":" + std::to_string(node.Mark().line + 1);
}

std::string fill(std::string_view pattern, const schema::Table& table, const schema::Column& c,
                 std::string_view origin) {
  std::string out;
  size_t i = 0;
  while (i < pattern.size()) {
    if (pattern[i] != '{') {
      out.push_back(pattern[i++]);
      continue;
    }
    const size_t close = pattern.find('}', i);
    if (close == std::string_view::npos) {
      throw ConfigError(std::string(origin) + ": unclosed '{' in target type '" +
                        std::string(pattern) + "'");
    }
    const std::string_view key = pattern.substr(i + 1, close - i - 1);
    const std::optional<int64_t>* value = nullptr;
    if (key == "length") value = &c.char_length;
    if (key == "precision") value = &c.precision;
    if (key == "scale") value = &c.scale;
    if (key == "fsp") value = &c.fsp;
    if (value == nullptr) {
      throw ConfigError(std::string(origin) + ": unknown placeholder {" + std::string(key) +
                        "} in '" + std::string(pattern) +
                        "'; use {length}, {precision}, {scale} or {fsp}");
    }
    if (!value->has_value()) {
      throw MappingError("column " + table.qualified_name() + "." + c.name + " (" + c.column_type +
                         ") has no " + std::string(key) + " for target type '" +
                         std::string(pattern) + "' from " + std::string(origin) +
                         "; fix that rule or add one for this column");
    }
    out += std::to_string(**value);
    i = close + 1;
  }
  return out;
}

}  // namespace

TypeRules TypeRules::load_default() {
  return parse(resource("schema-mapping/default.yaml"), "schema-mapping/default.yaml");
}

TypeRules TypeRules::parse(std::string_view yaml, std::string_view origin) {
  TypeRules out;
  out.m_origin = origin;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    throw ConfigError(std::string(origin) + ":" + std::to_string(e.mark.line + 1) +
                      ": not valid YAML (" + e.msg + ")");
  }
  const YAML::Node rules = root["rules"];
  if (!rules || !rules.IsSequence()) {
    throw ConfigError(std::string(origin) + ": expected a top-level 'rules:' list");
  }
  try {
    for (const auto& node : rules) {
      Rule rule;
      const YAML::Node match = node["match"];
      if (!match || !match.IsMap() || !node["target"]) {
        throw ConfigError(where(origin, node) + ": each rule needs 'match:' (a map) and 'target:'");
      }
      for (const auto& kv : match) {
        const auto key = kv.first.as<std::string>();
        if (key == "type") {
          rule.types = kv.second.IsSequence() ? kv.second.as<std::vector<std::string>>()
                                              : std::vector{kv.second.as<std::string>()};
        } else if (key == "unsigned") {
          rule.is_unsigned = kv.second.as<bool>();
        } else if (key == "json") {
          rule.json = kv.second.as<bool>();
        } else if (key == "length") {
          rule.length = kv.second.as<int64_t>();
        } else {
          throw ConfigError(where(origin, kv.first) + ": unknown match key '" + key +
                            "'; use type, unsigned, json or length");
        }
      }
      rule.target = node["target"].as<std::string>();
      rule.why = node["why"] ? node["why"].as<std::string>() : "";
      out.m_rules.push_back(std::move(rule));
    }
  } catch (const YAML::Exception& e) {
    throw ConfigError(std::string(origin) + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return out;
}

TargetType TypeRules::map(const schema::Table& table, const schema::Column& column) const {
  for (const Rule& r : m_rules) {
    if (!r.types.empty() &&
        std::find(r.types.begin(), r.types.end(), column.data_type) == r.types.end()) {
      continue;
    }
    if (r.is_unsigned && *r.is_unsigned != column.is_unsigned) continue;
    if (r.json && *r.json != column.is_json) continue;
    if (r.length && column.char_length != r.length) continue;
    return {fill(r.target, table, column, m_origin), r.why};
  }
  throw MappingError("no type rule in " + m_origin + " matches column " + table.qualified_name() +
                     "." + column.name + " of type " + column.column_type +
                     "; add a rule for it in a --mapping file");
}

}  // namespace my2pg::typemap
