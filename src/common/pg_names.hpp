#pragma once
// PostgreSQL's spelling of names and literals, as pure text functions: the type mapper and DDL
// planner use them without a connection (pg/connection.hpp includes this header too).
#include <string>
#include <string_view>

namespace my2pg::pg {

// `name` as a PostgreSQL identifier: double-quoted, inner quotes doubled.
std::string quote_identifier(std::string_view name);
// A name fitted into PostgreSQL's 63-byte identifier limit: unchanged when it fits, else cut at a
// UTF-8 character boundary and suffixed with a hash of the whole name, so different long names
// stay different.
std::string fit_identifier(std::string_view name);
// `text` as a PostgreSQL string literal (standard_conforming_strings on).
std::string quote_literal(std::string_view text);

}  // namespace my2pg::pg
