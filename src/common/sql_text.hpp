#pragma once
// Small helpers for SQL text shared by the catalog reader and the type mapper.
#include <string>
#include <string_view>

namespace my2pg {

// ASCII letters lower-cased; other bytes as they are.
std::string ascii_lower(std::string text);

// A SQL numeric literal: optional sign, digits with at most one point, optional exponent.
bool is_sql_number(std::string_view text);

}  // namespace my2pg
