#include "common/pg_names.hpp"

#include <cstdint>
#include <cstdio>

namespace my2pg::pg {

std::string quote_identifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string fit_identifier(std::string_view name) {
  constexpr size_t kMaxBytes = 63, kHashChars = 8;
  if (name.size() <= kMaxBytes) return std::string(name);
  uint32_t hash = 2166136261U;  // FNV-1a
  for (char c : name) hash = (hash ^ static_cast<unsigned char>(c)) * 16777619U;
  size_t cut = kMaxBytes - kHashChars - 1;
  while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "_%08x", static_cast<unsigned>(hash));
  return std::string(name.substr(0, cut)).append(suffix);
}

std::string quote_literal(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

}  // namespace my2pg::pg
