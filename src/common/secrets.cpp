#include "common/secrets.hpp"

#include <cctype>

#include "common/error.hpp"

namespace my2pg {
namespace {

constexpr std::string_view kMask = "***";

bool is_scheme_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '-' || c == '.';
}

// After "://": where the userinfo's password starts and ends, if any. The userinfo runs to the
// last '@' before the URI ends (whitespace or a quote), because passwords are often written with
// unencoded '/', '?', '#' or '@' in them; masking too much is better than too little.
bool find_uri_password(std::string_view text, size_t after_slashes, size_t& begin, size_t& end) {
  const size_t stop = text.find_first_of(" \t\r\n'\"", after_slashes);
  const std::string_view authority = text.substr(after_slashes, stop - after_slashes);
  const size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return false;
  const size_t colon = authority.find(':');
  if (colon == std::string_view::npos || colon > at) return false;
  begin = after_slashes + colon + 1;
  end = after_slashes + at;
  return true;
}

// At a "password" keyword in conninfo: the span of its value, quoted or not.
bool find_conninfo_password(std::string_view text, size_t key_end, size_t& begin, size_t& end) {
  const auto is_space = [&](size_t k) {
    return k < text.size() && std::isspace(static_cast<unsigned char>(text[k])) != 0;
  };
  size_t i = key_end;
  while (is_space(i)) ++i;
  if (i >= text.size() || text[i] != '=') return false;
  ++i;
  while (is_space(i)) ++i;
  begin = i;
  if (i < text.size() && text[i] == '\'') {
    ++i;
    while (i < text.size() && text[i] != '\'') i += (text[i] == '\\') ? 2U : 1U;
    end = std::min(i + 1, text.size());
  } else {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])) == 0) ++i;
    end = i;
  }
  return true;
}

}  // namespace

std::string redact_secrets(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    size_t begin = 0, end = 0;
    if (text.compare(i, 3, "://") == 0 && i > 0 && is_scheme_char(text[i - 1]) &&
        find_uri_password(text, i + 3, begin, end)) {
      out.append(text.substr(i, begin - i)).append(kMask);
      i = end;
      continue;
    }
    const bool word_start = i == 0 || std::isalnum(static_cast<unsigned char>(text[i - 1])) == 0;
    if (word_start && text.compare(i, 8, "password") == 0 &&
        find_conninfo_password(text, i + 8, begin, end)) {
      out.append(text.substr(i, begin - i)).append(kMask);
      i = end;
      continue;
    }
    out.push_back(text[i++]);
  }
  return out;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size() || std::isxdigit(static_cast<unsigned char>(text[i + 1])) == 0 ||
        std::isxdigit(static_cast<unsigned char>(text[i + 2])) == 0) {
      throw ConfigError("malformed %-escape in a connection URI; encode '%' as %25");
    }
    out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16)));
    i += 2;
  }
  return out;
}

}  // namespace my2pg
