#include "binlog/temporal.hpp"

namespace my2pg::binlog {
namespace {

constexpr int64_t kFracBits = 24;
constexpr int64_t kFracMask = (int64_t{1} << kFracBits) - 1;
constexpr uint32_t kPow10[7] = {1, 10, 100, 1000, 10000, 100000, 1000000};

uint64_t magnitude(int64_t v) {
  return v < 0 ? uint64_t{0} - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
}

// Writes `v` in decimal with at least `min_digits` digits (zero-padded).
char* put(char* p, uint64_t v, unsigned min_digits) {
  unsigned digits = 1;
  for (uint64_t rest = v / 10; rest != 0; rest /= 10) ++digits;
  if (digits < min_digits) digits = min_digits;
  for (unsigned i = digits; i > 0; --i) {
    p[i - 1] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return p + digits;
}

char* put_fraction(char* p, uint32_t micros, unsigned fsp) {
  if (fsp == 0) return p;
  if (fsp > 6) fsp = 6;
  *p++ = '.';
  return put(p, micros / kPow10[6 - fsp], fsp);
}

char* put_hms(char* p, uint32_t hour, unsigned minute, unsigned second) {
  p = put(p, hour, 2);
  *p++ = ':';
  p = put(p, minute, 2);
  *p++ = ':';
  return put(p, second, 2);
}

char* put_date(char* p, const Temporal& t) {
  p = put(p, static_cast<uint64_t>(t.year < 0 ? 0 : t.year), 4);
  *p++ = '-';
  p = put(p, t.month, 2);
  *p++ = '-';
  return put(p, t.day, 2);
}

}  // namespace

Temporal temporal_from_datetime_packed(int64_t packed) {
  const uint64_t v = magnitude(packed);
  Temporal t;
  t.micros = static_cast<uint32_t>(v & kFracMask);
  const uint64_t ymdhms = v >> kFracBits;
  const uint64_t ymd = ymdhms >> 17;
  const uint64_t ym = ymd >> 5;
  const uint64_t hms = ymdhms & 0x1ffff;
  t.day = static_cast<uint8_t>(ymd & 31);
  t.month = static_cast<uint8_t>(ym % 13);
  t.year = static_cast<int32_t>(ym / 13);
  t.second = static_cast<uint8_t>(hms & 63);
  t.minute = static_cast<uint8_t>((hms >> 6) & 63);
  t.hour = static_cast<uint32_t>(hms >> 12);
  return t;
}

Temporal temporal_from_time_packed(int64_t packed) {
  const uint64_t v = magnitude(packed);
  Temporal t;
  t.negative = packed < 0;
  t.micros = static_cast<uint32_t>(v & kFracMask);
  const uint64_t hms = v >> kFracBits;
  t.hour = static_cast<uint32_t>((hms >> 12) & 0x3ff);
  t.minute = static_cast<uint8_t>((hms >> 6) & 63);
  t.second = static_cast<uint8_t>(hms & 63);
  return t;
}

Temporal temporal_from_unix(int64_t seconds, uint32_t micros) {
  // Days to civil date (Howard Hinnant's algorithm).
  int64_t days = seconds / 86400;
  int64_t rem = seconds % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  Temporal t;
  t.year = static_cast<int32_t>(yoe + era * 400 + (m <= 2 ? 1 : 0));
  t.month = static_cast<uint8_t>(m);
  t.day = static_cast<uint8_t>(d);
  t.hour = static_cast<uint32_t>(rem / 3600);
  t.minute = static_cast<uint8_t>(rem / 60 % 60);
  t.second = static_cast<uint8_t>(rem % 60);
  t.micros = micros;
  return t;
}

void append_date(const Temporal& t, std::string& out) {
  char buf[40];
  out.append(buf, static_cast<size_t>(put_date(buf, t) - buf));
}

void append_datetime(const Temporal& t, unsigned fsp, std::string& out) {
  char buf[40];
  char* p = put_date(buf, t);
  *p++ = ' ';
  p = put_hms(p, t.hour, t.minute, t.second);
  p = put_fraction(p, t.micros, fsp);
  out.append(buf, static_cast<size_t>(p - buf));
}

void append_time(const Temporal& t, unsigned fsp, std::string& out) {
  char buf[40];
  char* p = buf;
  if (t.negative) *p++ = '-';
  p = put_hms(p, t.hour, t.minute, t.second);
  p = put_fraction(p, t.micros, fsp);
  out.append(buf, static_cast<size_t>(p - buf));
}

}  // namespace my2pg::binlog
