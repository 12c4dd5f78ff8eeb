#pragma once
// MySQL's binary DECIMAL (NEWDECIMAL) format, as row events and JSON opaque values store it:
// groups of nine decimal digits in four big-endian bytes, a shorter leading group for the
// integer digits left over and a shorter trailing group for the fraction digits left over, the
// sign in the inverted top bit of the first byte, and every byte inverted for a negative number.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace my2pg::binlog {

constexpr unsigned kMaxDecimalPrecision = 65;
constexpr unsigned kMaxDecimalScale = 30;

// Bytes a DECIMAL(precision, scale) value takes; 0 for a precision or scale MySQL does not allow
// (precision 1..65, scale 0..30 and at most precision).
size_t decimal_binary_size(unsigned precision, unsigned scale);

// Appends the value as MySQL prints it: '-' for a negative number, the integer digits without
// leading zeros ("0" when there are none), then '.' and exactly `scale` fraction digits.
// Throws DecodeError when `bin` has the wrong size or a group holds more than nine digits.
void append_decimal(std::span<const uint8_t> bin, unsigned precision, unsigned scale,
                    std::string& out);

}  // namespace my2pg::binlog
