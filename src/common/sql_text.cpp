#include "common/sql_text.hpp"

#include <cctype>

namespace my2pg {

std::string ascii_lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string ascii_upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

bool ascii_iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

bool is_sql_number(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  bool digits = false, dot = false, exp = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c >= '0' && c <= '9') {
      digits = true;
    } else if (c == '.' && !dot && !exp) {
      dot = true;
    } else if ((c == 'e' || c == 'E') && digits && !exp) {
      exp = true;
      digits = false;
      if (i + 1 < s.size() && (s[i + 1] == '-' || s[i + 1] == '+')) ++i;
    } else {
      return false;
    }
  }
  return digits;
}

size_t read_mysql_string(std::string_view sql, size_t open, std::string& out) {
  const char quote = sql[open];
  for (size_t j = open + 1; j < sql.size(); ++j) {
    const char c = sql[j];
    if (c == '\\' && j + 1 < sql.size()) {
      switch (const char e = sql[++j]) {
        case 'n':
          out.push_back('\n');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'Z':
          out.push_back('\x1a');
          break;
        case '0':
          out.push_back('\0');
          break;
        default:
          out.push_back(e);
      }
    } else if (c == quote && j + 1 < sql.size() && sql[j + 1] == quote) {
      out.push_back(quote);
      ++j;
    } else if (c == quote) {
      return j;
    } else {
      out.push_back(c);
    }
  }
  return std::string_view::npos;
}

}  // namespace my2pg
