#pragma once
// Small helpers for SQL text shared by the catalog reader, the schema statement tracker and the
// type mapper.
#include <string>
#include <string_view>

namespace my2pg {

// ASCII letters lower-cased; other bytes as they are.
std::string ascii_lower(std::string text);

// ASCII letters upper-cased; other bytes as they are.
std::string ascii_upper(std::string text);

// `a` equals `b` ignoring ASCII case, as MySQL compares column, index and constraint names.
bool ascii_iequal(std::string_view a, std::string_view b);

// A SQL numeric literal: optional sign, digits with at most one point, optional exponent.
bool is_sql_number(std::string_view text);

// Reads the MySQL string literal whose opening quote is at sql[open] ('...' with '' and
// backslash escapes: \n \t \r \b \Z \0, any other escaped character standing for itself)
// into `out`. Returns the index of the closing quote, or npos when the literal is unterminated.
size_t read_mysql_string(std::string_view sql, size_t open, std::string& out);

}  // namespace my2pg
