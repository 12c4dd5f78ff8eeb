#pragma once
// PostgreSQL type names as written in rules and DDL, reduced to the name that says what the
// type is: one implementation for the type rules, the binary encoder and the row digests.
#include <string>
#include <string_view>

namespace my2pg::typemap {

// "Timestamp(6)  With Time Zone" -> "timestamp with time zone": lower case, typmods dropped, one
// space between words, a pg_catalog. prefix dropped. `typmod`, when given, gets the text of the
// first typmod ("6"; empty when there is none).
std::string pg_base_type(std::string_view sql, std::string_view* typmod = nullptr);

// text, varchar(n), char(n) and their long spellings: the types left() and convert_from() give.
bool is_text_type(std::string_view sql);

}  // namespace my2pg::typemap
