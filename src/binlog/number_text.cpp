#include "binlog/number_text.hpp"

#include <charconv>
#include <cmath>
#include <string_view>

namespace my2pg::binlog {

void append_mysql_real(double x, bool is_float, std::string& out) {
  if (!std::isfinite(x)) return append_number(x, out);
  char buf[64];
  const auto res = is_float
                       ? std::to_chars(buf, buf + sizeof buf, x, std::chars_format::scientific, 5)
                       : std::to_chars(buf, buf + sizeof buf, x, std::chars_format::scientific);
  // buf: [-]d[.ddd]e(+|-)dd
  const std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));
  const bool negative = sci.front() == '-';
  const size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(negative ? 1 : 0, e - (negative ? 1 : 0))) {
    if (c != '.') digits += c;
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  int exponent = 0;
  std::from_chars(sci.data() + e + (sci[e + 1] == '+' ? 2 : 1), sci.data() + sci.size(), exponent);
  if (negative) out += '-';
  if (digits == "0") {
    out += '0';
    return;
  }
  const int len = static_cast<int>(digits.size());
  const int decpt = exponent + 1;  // digits before the point
  if (decpt >= -14 && (decpt <= 15 || len > decpt)) {
    if (decpt <= 0) {
      out += "0.";
      out.append(static_cast<size_t>(-decpt), '0');
      out += digits;
    } else if (decpt < len) {
      out.append(digits, 0, static_cast<size_t>(decpt));
      out += '.';
      out.append(digits, static_cast<size_t>(decpt));
    } else {
      out += digits;
      out.append(static_cast<size_t>(decpt - len), '0');
    }
    return;
  }
  out += digits[0];
  if (len > 1) {
    out += '.';
    out.append(digits, 1);
  }
  out += 'e';
  append_number(exponent, out);
}

}  // namespace my2pg::binlog
