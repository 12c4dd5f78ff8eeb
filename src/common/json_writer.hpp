#pragma once
// Minimal JSON output helpers for one-object-per-line reports (binlog dump, status).
#include <string>
#include <string_view>

namespace my2pg {

// Appends `s` as a JSON string; `s` must be valid UTF-8 (control characters are escaped).
void append_json_string(std::string_view s, std::string& out);
// Appends bytes as hex digits (no prefix), lower case unless `upper`.
void append_hex(std::string_view bytes, std::string& out, bool upper = false);

}  // namespace my2pg
