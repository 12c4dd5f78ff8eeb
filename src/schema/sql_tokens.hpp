#pragma once
// MySQL's and MariaDB's statement text as tokens: comments left out (the body of a version
// comment /*!50100 ... */ or /*M!100100 ... */ counts as statement text), identifiers unquoted,
// string literals unescaped. Shared by the statement classifier and the schema statement parser.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace my2pg::schema {

struct SqlToken {
  enum class Type {
    word,     // a bare word: keyword or identifier (may start with a digit: 1abc)
    quoted,   // `identifier`
    dquoted,  // "text": a string, or an identifier under ANSI_QUOTES
    string,   // 'text'
    number,   // 12, 1.5, .5e-3
    hex,      // 0x4142 or X'4142' (text: the hex digits)
    bits,     // 0b101 or b'101' (text: the binary digits)
    symbol,   // one character of punctuation or operator
  };
  Type type = Type::symbol;
  std::string text;  // as written, except as noted above
  size_t begin = 0;  // its place in the statement text
  size_t end = 0;
};

// `backslash_escapes` false: the session's sql_mode had NO_BACKSLASH_ESCAPES, where a backslash
// in a string is itself.
std::vector<SqlToken> tokenize_sql(std::string_view sql, bool backslash_escapes = true);

// `word` (upper case) equals `text` ignoring ASCII case.
bool same_word(std::string_view text, std::string_view word);

}  // namespace my2pg::schema
