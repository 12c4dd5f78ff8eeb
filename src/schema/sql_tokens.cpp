#include "schema/sql_tokens.hpp"

#include <cctype>

namespace my2pg::schema {
namespace {

bool ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}

bool digit(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

// A quoted token whose opening quote is at s[i]; backslash escapes in strings only.
size_t read_quoted(std::string_view s, size_t i, SqlToken& t, bool backslash_escapes) {
  const char q = s[i];
  size_t j = i + 1;
  while (j < s.size()) {
    if (s[j] == '\\' && backslash_escapes && q != '`' && j + 1 < s.size()) {
      const char e = s[j + 1];
      switch (e) {
        case 'n':
          t.text.push_back('\n');
          break;
        case 't':
          t.text.push_back('\t');
          break;
        case 'r':
          t.text.push_back('\r');
          break;
        case 'b':
          t.text.push_back('\b');
          break;
        case '0':
          t.text.push_back('\0');
          break;
        case 'Z':
          t.text.push_back('\x1A');
          break;
        default:
          t.text.push_back(e);
      }
      j += 2;
    } else if (s[j] == q) {
      if (j + 1 < s.size() && s[j + 1] == q) {
        t.text.push_back(q);
        j += 2;
      } else {
        return j + 1;
      }
    } else {
      t.text.push_back(s[j++]);
    }
  }
  return j;
}

// A number (digits, one point, exponent) at s[i], or npos when the text there is a word.
size_t number_end(std::string_view s, size_t i) {
  size_t j = i;
  while (j < s.size() && digit(s[j])) ++j;
  if (j < s.size() && s[j] == '.') {
    ++j;
    while (j < s.size() && digit(s[j])) ++j;
  }
  if (j < s.size() && (s[j] == 'e' || s[j] == 'E')) {
    size_t k = j + 1;
    if (k < s.size() && (s[k] == '+' || s[k] == '-')) ++k;
    if (k < s.size() && digit(s[k])) {
      while (k < s.size() && digit(s[k])) ++k;
      j = k;
    }
  }
  if (j < s.size() && ident_char(s[j])) return std::string_view::npos;
  return j;
}

}  // namespace

bool same_word(std::string_view text, std::string_view word) {
  if (text.size() != word.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(text[i])) != word[i]) return false;
  }
  return true;
}

std::vector<SqlToken> tokenize_sql(std::string_view s, bool backslash_escapes) {
  std::vector<SqlToken> out;
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    const char next = i + 1 < s.size() ? s[i + 1] : '\0';
    SqlToken t;
    t.begin = i;
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      ++i;
      continue;
    }
    if (c == '/' && next == '*') {
      size_t j = i + 2;
      const bool version =
          j < s.size() && (s[j] == '!' || (s[j] == 'M' && j + 1 < s.size() && s[j + 1] == '!'));
      if (version) {
        j += s[j] == 'M' ? 2U : 1U;
        while (j < s.size() && digit(s[j])) ++j;
        i = j;  // the body is statement text; its closing */ is skipped below
      } else {
        const size_t end = s.find("*/", j);
        i = end == std::string_view::npos ? s.size() : end + 2;
      }
      continue;
    }
    if (c == '*' && next == '/') {
      i += 2;  // the end of a version comment
      continue;
    }
    if (c == '#' ||
        (c == '-' && next == '-' &&
         (i + 2 >= s.size() || std::isspace(static_cast<unsigned char>(s[i + 2])) != 0))) {
      const size_t end = s.find('\n', i);
      i = end == std::string_view::npos ? s.size() : end + 1;
      continue;
    }
    if ((c == 'x' || c == 'X' || c == 'b' || c == 'B') && next == '\'') {
      t.type = c == 'x' || c == 'X' ? SqlToken::Type::hex : SqlToken::Type::bits;
      i = read_quoted(s, i + 1, t, backslash_escapes);
    } else if (c == '0' && (next == 'x' || next == 'b') && i + 2 < s.size() &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2])) != 0) {
      size_t j = i + 2;
      while (j < s.size() && ident_char(s[j])) ++j;
      t.type = next == 'x' ? SqlToken::Type::hex : SqlToken::Type::bits;
      t.text = std::string(s.substr(i + 2, j - i - 2));
      i = j;
    } else if (c == '`' || c == '"' || c == '\'') {
      t.type = c == '`'   ? SqlToken::Type::quoted
               : c == '"' ? SqlToken::Type::dquoted
                          : SqlToken::Type::string;
      i = read_quoted(s, i, t, backslash_escapes);
    } else if (digit(c) || (c == '.' && digit(next))) {
      const size_t end = number_end(s, i);
      if (end != std::string_view::npos) {
        t.type = SqlToken::Type::number;
        t.text = std::string(s.substr(i, end - i));
        i = end;
      } else {
        t.type = SqlToken::Type::word;
        while (i < s.size() && ident_char(s[i])) t.text.push_back(s[i++]);
      }
    } else if (ident_char(c)) {
      t.type = SqlToken::Type::word;
      while (i < s.size() && ident_char(s[i])) t.text.push_back(s[i++]);
    } else {
      t.type = SqlToken::Type::symbol;
      t.text = std::string(1, c);
      ++i;
    }
    t.end = i;
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace my2pg::schema
