#pragma once
// Numbers as MySQL prints them.
#include <charconv>
#include <string>

namespace my2pg::binlog {

// An integer or floating-point value in std::to_chars' shortest form.
template <typename T>
void append_number(T v, std::string& out) {
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, static_cast<size_t>(res.ptr - buf));
}

// FLOAT and DOUBLE as MySQL's my_gcvt() prints them for SELECT: a FLOAT (is_float) with at most
// 6 significant digits, a DOUBLE with the fewest digits that read back to it; plain notation
// while the decimal exponent is within -14..15, otherwise 'e' notation without '+' or leading
// zeros: 12345.7, 0.0001, 1e15, -1.5e-20. Infinities and NaN print as std::to_chars does.
void append_mysql_real(double x, bool is_float, std::string& out);

}  // namespace my2pg::binlog
