#include "typemap/pg_type.hpp"

namespace my2pg::typemap {

std::string pg_base_type(std::string_view sql, std::string_view* typmod) {
  std::string out;
  int depth = 0;
  bool space = false;
  bool first_typmod = true;
  for (size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (c == '(') {
      if (depth++ == 0 && first_typmod && typmod != nullptr) {
        const size_t close = sql.find(')', i);
        *typmod = sql.substr(i + 1, close == std::string_view::npos ? 0 : close - i - 1);
      }
      first_typmod = false;
      continue;
    }
    if (depth > 0) {
      if (c == ')') --depth;
      continue;
    }
    if (c == ' ' || (c >= '\t' && c <= '\r')) {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
  }
  if (out.starts_with("pg_catalog.")) out.erase(0, 11);
  return out;
}

bool is_text_type(std::string_view sql) {
  const std::string base = pg_base_type(sql);
  return base == "text" || base == "varchar" || base == "character varying" || base == "char" ||
         base == "character" || base == "bpchar";
}

}  // namespace my2pg::typemap
