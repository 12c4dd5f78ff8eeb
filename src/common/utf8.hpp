#pragma once
// UTF-8 well-formedness, by Unicode's table 3-7: no overlong forms, no surrogates, nothing above
// U+10FFFF. One implementation for the decoder, the value encoder and error messages.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace my2pg {

// The length (1-4) of the well-formed UTF-8 sequence at `s`, of which `n` bytes are available,
// or 0 with `bad` set to the length of its maximal ill-formed part (which one U+FFFD replaces).
size_t utf8_sequence(const char* s, size_t n, size_t& bad);

// Whether `text` is well-formed UTF-8 (ASCII is checked eight bytes at a time).
bool is_valid_utf8(std::string_view text);

// Appends code point `cp` (at most U+10FFFF, not a surrogate) in UTF-8.
void append_code_point(uint32_t cp, std::string& out);

}  // namespace my2pg
