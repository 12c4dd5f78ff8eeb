#pragma once
// Canonical text of JSON documents and decimal numbers, for comparing values by what they mean
// rather than how they are spelled: the text MySQL/MariaDB sent and the text PostgreSQL's jsonb
// or numeric prints for the same value become the same bytes.
#include <string>
#include <string_view>

namespace my2pg::verify {

// A decimal number ([+-]digits[.digits][e[+-]digits], or .5 and 5.) by value: no leading or
// trailing zeros, no '.' without a fraction, no sign on zero ("-0.00" is "0"), so "1.50", "1.5",
// "15e-1" and "0001.5" all become "1.5". Plain notation while the decimal exponent is moderate,
// "d.ddde+N" beyond. Appends to `out` and returns true, or returns false (out unchanged) when the
// text is not such a number (NaN, Infinity, an exponent beyond 10^9).
bool canonical_decimal(std::string_view text, std::string& out);

// A JSON document as jsonb stores it, printed canonically: no whitespace, object keys sorted
// bytewise with only the last of duplicate keys kept (jsonb's rule), strings decoded (\uXXXX and
// surrogate pairs) and re-escaped one way (\" \\ and \u00XX for control characters, everything
// else raw), numbers by canonical_decimal. Appends to `out` and returns true, or returns false
// (out unchanged) when `text` is not valid JSON or nests deeper than 1000 levels.
bool canonical_json(std::string_view text, std::string& out);

}  // namespace my2pg::verify
