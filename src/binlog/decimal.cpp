#include "binlog/decimal.hpp"

#include "common/error.hpp"

namespace my2pg::binlog {
namespace {

constexpr unsigned kGroupDigits = 9;
constexpr uint32_t kGroupMax = 999999999;
// Bytes that hold a group of n < 9 digits.
constexpr uint8_t kGroupBytes[kGroupDigits + 1] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
constexpr uint32_t kPow10[kGroupDigits + 1] = {1,      10,      100,      1000,      10000,
                                               100000, 1000000, 10000000, 100000000, 1000000000};

[[noreturn]] void invalid(unsigned precision, unsigned scale, const std::string& why) {
  throw DecodeError("DECIMAL(" + std::to_string(precision) + "," + std::to_string(scale) +
                    ") value " + why);
}

// Reads big-endian groups off the sign-adjusted bytes.
class GroupReader {
 public:
  GroupReader(std::span<const uint8_t> bin, uint8_t mask) : m_bin(bin), m_mask(mask) {}
  uint32_t next(size_t n) {
    uint32_t v = 0;
    for (size_t i = 0; i < n; ++i) {
      uint8_t b = static_cast<uint8_t>(m_bin[m_pos] ^ m_mask);
      if (m_pos == 0) b ^= 0x80;  // the sign bit
      v = (v << 8) | b;
      ++m_pos;
    }
    return v;
  }

 private:
  std::span<const uint8_t> m_bin;
  uint8_t m_mask;
  size_t m_pos = 0;
};

// Writes `v` as exactly `digits` decimal digits ending just before `end`; returns the start.
char* put_digits(char* end, uint32_t v, unsigned digits) {
  for (unsigned i = 0; i < digits; ++i) {
    *--end = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return end;
}

}  // namespace

size_t decimal_binary_size(unsigned precision, unsigned scale) {
  if (precision == 0 || precision > kMaxDecimalPrecision || scale > kMaxDecimalScale ||
      scale > precision) {
    return 0;
  }
  const unsigned intg = precision - scale;
  return (intg / kGroupDigits) * 4 + kGroupBytes[intg % kGroupDigits] + (scale / kGroupDigits) * 4 +
         kGroupBytes[scale % kGroupDigits];
}

void append_decimal(std::span<const uint8_t> bin, unsigned precision, unsigned scale,
                    std::string& out) {
  const size_t size = decimal_binary_size(precision, scale);
  if (size == 0) invalid(precision, scale, "has an impossible precision or scale");
  if (bin.size() != size) {
    invalid(precision, scale,
            "has " + std::to_string(bin.size()) + " bytes, expected " + std::to_string(size));
  }
  const bool negative = (bin[0] & 0x80) == 0;
  GroupReader groups(bin, negative ? 0xff : 0x00);
  const unsigned intg = precision - scale;
  const unsigned lead_digits = intg % kGroupDigits;
  const unsigned frac_full = scale / kGroupDigits;
  const unsigned trail_digits = scale % kGroupDigits;

  // Sign, up to 65 digits and the point.
  char buf[kMaxDecimalPrecision + 4];
  char* p = buf;
  if (negative) *p++ = '-';
  bool started = false;
  auto put_int_group = [&](uint32_t v, unsigned digits) {
    if (started) {
      p = put_digits(p + digits, v, digits) + digits;
    } else if (v != 0) {
      unsigned n = 1;
      while (n < digits && v >= kPow10[n]) ++n;
      p = put_digits(p + n, v, n) + n;
      started = true;
    }
  };
  if (lead_digits != 0) {
    const uint32_t v = groups.next(kGroupBytes[lead_digits]);
    if (v >= kPow10[lead_digits]) invalid(precision, scale, "has a corrupt leading digit group");
    put_int_group(v, lead_digits);
  }
  for (unsigned i = 0; i < intg / kGroupDigits; ++i) {
    const uint32_t v = groups.next(4);
    if (v > kGroupMax) invalid(precision, scale, "has a corrupt integer digit group");
    put_int_group(v, kGroupDigits);
  }
  if (!started) *p++ = '0';
  if (scale != 0) {
    *p++ = '.';
    for (unsigned i = 0; i < frac_full; ++i) {
      const uint32_t v = groups.next(4);
      if (v > kGroupMax) invalid(precision, scale, "has a corrupt fraction digit group");
      p = put_digits(p + kGroupDigits, v, kGroupDigits) + kGroupDigits;
    }
    if (trail_digits != 0) {
      const uint32_t v = groups.next(kGroupBytes[trail_digits]);
      if (v >= kPow10[trail_digits]) {
        invalid(precision, scale, "has a corrupt trailing digit group");
      }
      p = put_digits(p + trail_digits, v, trail_digits) + trail_digits;
    }
  }
  out.append(buf, static_cast<size_t>(p - buf));
}

}  // namespace my2pg::binlog
