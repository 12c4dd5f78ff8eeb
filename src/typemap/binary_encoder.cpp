#include "typemap/binary_encoder.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <bit>
#include <charconv>
#include <limits>

#include "common/json_writer.hpp"
#include "typemap/pg_type.hpp"
#include "typemap/target_table.hpp"

namespace my2pg::typemap {
namespace {

// ---- big-endian output ----

void put16(uint16_t v, std::string& out) {
  const char b[2] = {static_cast<char>(v >> 8), static_cast<char>(v)};
  out.append(b, 2);
}

void put32(uint32_t v, std::string& out) {
  const char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                     static_cast<char>(v >> 8), static_cast<char>(v)};
  out.append(b, 4);
}

void put64(uint64_t v, std::string& out) {
  put32(static_cast<uint32_t>(v >> 32), out);
  put32(static_cast<uint32_t>(v), out);
}

// Overwrites the 4 bytes at `at` with the length of what follows them.
void patch_length(size_t at, std::string& out) {
  const auto v = static_cast<uint32_t>(out.size() - at - 4);
  out[at] = static_cast<char>(v >> 24);
  out[at + 1] = static_cast<char>(v >> 16);
  out[at + 2] = static_cast<char>(v >> 8);
  out[at + 3] = static_cast<char>(v);
}

constexpr size_t kMaxField = std::numeric_limits<int32_t>::max();
constexpr const char* kTooLong = "value is longer than a COPY binary field can be (2 GB)";

// ---- PostgreSQL type names ----

bool is_space(char c) {  // C isspace(), as PostgreSQL's input functions use it
  return c == ' ' || (c >= '\t' && c <= '\r');
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

enum class PgType {
  other,
  int2,
  int4,
  int8,
  numeric,
  float4,
  float8,
  text,
  bytea,
  boolean,
  date,
  timestamp,
  timestamptz
};

bool one_of(std::string_view s, std::initializer_list<std::string_view> names) {
  for (const auto name : names) {
    if (s == name) return true;
  }
  return false;
}

PgType pg_type_of(std::string_view sql) {
  std::string_view typmod;
  const std::string base = pg_base_type(sql, &typmod);
  if (one_of(base, {"smallint", "int2", "smallserial", "serial2"})) return PgType::int2;
  if (one_of(base, {"integer", "int", "int4", "serial", "serial4"})) return PgType::int4;
  if (one_of(base, {"bigint", "int8", "bigserial", "serial8"})) return PgType::int8;
  if (one_of(base, {"numeric", "decimal"})) return PgType::numeric;
  if (one_of(base, {"real", "float4"})) return PgType::float4;
  if (one_of(base, {"double precision", "float8"})) return PgType::float8;
  if (base == "float") {  // float(p): real up to 24 binary digits, double precision beyond
    unsigned digits = 53;
    if (!typmod.empty()) {
      const auto [end, error] =
          std::from_chars(typmod.data(), typmod.data() + typmod.size(), digits);
      if (error != std::errc() || end != typmod.data() + typmod.size()) return PgType::other;
    }
    if (digits >= 1 && digits <= 24) return PgType::float4;
    return digits <= 53 ? PgType::float8 : PgType::other;
  }
  if (one_of(base, {"text", "varchar", "character varying", "char", "character", "bpchar"}))
    return PgType::text;
  if (base == "bytea") return PgType::bytea;
  if (one_of(base, {"boolean", "bool"})) return PgType::boolean;
  if (base == "date") return PgType::date;
  if (one_of(base, {"timestamp", "timestamp without time zone"})) return PgType::timestamp;
  if (one_of(base, {"timestamptz", "timestamp with time zone"})) return PgType::timestamptz;
  return PgType::other;
}

BinaryForm plain_form(PgType t) {
  switch (t) {
    case PgType::int2:
      return BinaryForm::int2;
    case PgType::int4:
      return BinaryForm::int4;
    case PgType::int8:
      return BinaryForm::int8;
    case PgType::numeric:
      return BinaryForm::numeric;
    case PgType::float4:
      return BinaryForm::float4;
    case PgType::float8:
      return BinaryForm::float8;
    case PgType::text:
      return BinaryForm::ascii;
    default:
      return BinaryForm::none;
  }
}

BinaryForm form_for(ValueKind kind, PgType t) {
  switch (kind) {
    case ValueKind::plain:
      return plain_form(t);
    case ValueKind::text:
      return t == PgType::text ? BinaryForm::text : BinaryForm::none;
    case ValueKind::bytes:
      return t == PgType::bytea ? BinaryForm::bytea : BinaryForm::none;
    case ValueKind::date:
      return t == PgType::date ? BinaryForm::date : BinaryForm::none;
    case ValueKind::datetime:  // into timestamptz, the session's TimeZone would place it
      return t == PgType::timestamp ? BinaryForm::timestamp : BinaryForm::none;
    case ValueKind::timestamp:  // UTC, "+00" on the text path: the same instant either way
      return t == PgType::timestamptz || t == PgType::timestamp ? BinaryForm::timestamp
                                                                : BinaryForm::none;
    case ValueKind::boolean_from_integer:
      return t == PgType::boolean ? BinaryForm::boolean_from_integer : BinaryForm::none;
    case ValueKind::boolean_from_bit:
      return t == PgType::boolean ? BinaryForm::boolean_from_bit : BinaryForm::none;
    default:  // bits, time, geometry, jsonb: no binary form here
      return BinaryForm::none;
  }
}

// ---- integers (pg_strtoint16/32/64: spaces, a sign, digits, spaces) ----

struct IntType {
  int64_t max;  // the minimum is -max - 1
  const char* syntax;
  const char* range;
};

constexpr IntType kInt2{INT16_MAX, "invalid input syntax for type smallint",
                        "value is out of range for type smallint"};
constexpr IntType kInt4{INT32_MAX, "invalid input syntax for type integer",
                        "value is out of range for type integer"};
constexpr IntType kInt8{INT64_MAX, "invalid input syntax for type bigint",
                        "value is out of range for type bigint"};

const char* parse_integer(std::string_view s, const IntType& type, int64_t& result) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n && is_space(s[i])) ++i;
  bool negative = false;
  if (i < n && (s[i] == '-' || s[i] == '+')) negative = s[i++] == '-';
  if (i == n || !is_digit(s[i])) return type.syntax;
  while (i + 1 < n && s[i] == '0' && is_digit(s[i + 1])) ++i;  // leading zeros (ZEROFILL)
  const size_t first = i;
  uint64_t magnitude = 0;
  for (; i < n && is_digit(s[i]); ++i)
    magnitude = magnitude * 10 + static_cast<uint64_t>(s[i] - '0');
  const size_t digits = i - first;
  while (i < n && is_space(s[i])) ++i;
  if (i != n) return type.syntax;
  const uint64_t limit =
      negative ? static_cast<uint64_t>(type.max) + 1 : static_cast<uint64_t>(type.max);
  if (digits > 19 || magnitude > limit) return type.range;  // 19 digits cannot wrap uint64_t
  result = negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
  return nullptr;
}

// Length and value in one append.
template <class Int>
const char* append_integer(std::string_view value, const IntType& type, std::string& out) {
  int64_t v = 0;
  if (const char* refused = parse_integer(value, type, v)) return refused;
  constexpr size_t kBytes = sizeof(Int);
  char b[4 + kBytes] = {0, 0, 0, static_cast<char>(kBytes)};
  const auto bits = static_cast<uint64_t>(v);
  for (size_t k = 0; k < kBytes; ++k) b[4 + k] = static_cast<char>(bits >> (8 * (kBytes - 1 - k)));
  out.append(b, sizeof b);
  return nullptr;
}

// ---- floats (float4in/float8in: strtof/strtod, correctly rounded; a result that overflows to
// infinity or underflows to zero is refused, a subnormal one is kept) ----

template <class Float>
const char* append_float(std::string_view value, std::string& out) {
  constexpr bool single = sizeof(Float) == 4;
  const char* syntax = single ? "invalid input syntax for type real"
                              : "invalid input syntax for type double precision";
  const char* range = single ? "value is out of range for type real"
                             : "value is out of range for type double precision";
  size_t i = 0, n = value.size();
  while (i < n && is_space(value[i])) ++i;
  while (n > i && is_space(value[n - 1])) --n;
  if (i < n && value[i] == '+') {  // strtod takes a '+', from_chars does not
    ++i;
    if (i < n && value[i] == '-') return syntax;
  }
  Float f{};
  const char* const first = value.data() + i;
  const char* const last = value.data() + n;
  const auto [end, error] = std::from_chars(first, last, f);
  if (error == std::errc::result_out_of_range) return range;
  if (error != std::errc() || end != last || first == last) return syntax;
  if constexpr (single) {
    put32(4, out);
    put32(std::bit_cast<uint32_t>(f), out);
  } else {
    put32(8, out);
    put64(std::bit_cast<uint64_t>(f), out);
  }
  return nullptr;
}

// ---- numeric (numeric_in's syntax and display scale, numeric_send's layout) ----

constexpr uint16_t kNumericPos = 0x0000;
constexpr uint16_t kNumericNeg = 0x4000;
constexpr int64_t kMaxDscale = 0x3FFF;        // NUMERIC_DSCALE_MAX
constexpr int64_t kMaxRecvDigits = 3000;      // numeric_recv: NUMERIC_MAX_PRECISION + 2000
constexpr int64_t kMaxExponent = 1073741823;  // INT_MAX / 2: numeric_in refuses beyond
constexpr const char* kNumericSyntax = "invalid input syntax for type numeric";
constexpr const char* kNumericOverflow = "value overflows numeric format";

// [spaces] [+-] (digits [. [digits]] | . digits) [(e|E) [spaces] [+-] digits] [spaces]. The
// digits are stored in base 10000 aligned on the decimal point, without leading or trailing zero
// groups; dscale is the number of fraction digits written less the exponent, at least 0; zero is
// positive (as numeric_in stores "-0.00": 0, dscale 2).
const char* append_numeric(std::string_view s, std::string& out) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n && is_space(s[i])) ++i;
  bool negative = false;
  if (i < n && (s[i] == '-' || s[i] == '+')) negative = s[i++] == '-';
  const size_t int_start = i;
  while (i < n && is_digit(s[i])) ++i;
  const size_t int_end = i;
  size_t frac_start = i, frac_end = i;
  if (i < n && s[i] == '.') {
    frac_start = ++i;
    while (i < n && is_digit(s[i])) ++i;
    frac_end = i;
  }
  if (int_end == int_start && frac_end == frac_start) return kNumericSyntax;
  int64_t exponent = 0;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    while (i < n && is_space(s[i])) ++i;  // strtol skips them
    bool exp_negative = false;
    if (i < n && (s[i] == '-' || s[i] == '+')) exp_negative = s[i++] == '-';
    if (i == n || !is_digit(s[i])) return kNumericSyntax;
    for (; i < n && is_digit(s[i]); ++i) {
      exponent = std::min<int64_t>(exponent * 10 + (s[i] - '0'), kMaxExponent);
    }
    if (exponent >= kMaxExponent) return kNumericOverflow;
    if (exp_negative) exponent = -exponent;
  }
  while (i < n && is_space(s[i])) ++i;
  if (i != n) return kNumericSyntax;

  const auto int_digits = static_cast<int64_t>(int_end - int_start);
  const auto frac_digits = static_cast<int64_t>(frac_end - frac_start);
  const int64_t ddigits = int_digits + frac_digits;
  const int64_t dweight = int_digits - 1 + exponent;  // power of ten of the first digit
  const int64_t dscale = std::max<int64_t>(frac_digits - exponent, 0);
  const int64_t weight = dweight >= 0 ? (dweight + 4) / 4 - 1 : -((-dweight - 1) / 4 + 1);
  const int64_t offset = (weight + 1) * 4 - (dweight + 1);  // zeros before the first digit
  const int64_t groups = (ddigits + offset + 3) / 4;
  const auto digit = [&](int64_t k) -> int {
    if (k < 0 || k >= ddigits) return 0;
    const char c = k < int_digits ? s[int_start + static_cast<size_t>(k)]
                                  : s[frac_start + static_cast<size_t>(k - int_digits)];
    return c - '0';
  };
  const auto group = [&](int64_t g) {
    const int64_t k = g * 4 - offset;
    return ((digit(k) * 10 + digit(k + 1)) * 10 + digit(k + 2)) * 10 + digit(k + 3);
  };
  int64_t first = 0;
  while (first < groups && group(first) == 0) ++first;
  int64_t last = groups;
  while (last > first && group(last - 1) == 0) --last;
  const int64_t ndigits = last - first;
  const int64_t stored_weight = ndigits == 0 ? 0 : weight - first;
  if (dscale > kMaxDscale || ndigits > kMaxRecvDigits ||
      stored_weight > std::numeric_limits<int16_t>::max() ||
      stored_weight < std::numeric_limits<int16_t>::min())
    return kNumericOverflow;

  put32(static_cast<uint32_t>(8 + 2 * ndigits), out);
  put16(static_cast<uint16_t>(ndigits), out);
  put16(static_cast<uint16_t>(stored_weight), out);
  put16(negative && ndigits != 0 ? kNumericNeg : kNumericPos, out);
  put16(static_cast<uint16_t>(dscale), out);
  for (int64_t g = first; g < last; ++g) put16(static_cast<uint16_t>(group(g)), out);
  return nullptr;
}

// ---- dates and timestamps ("YYYY-MM-DD" and "YYYY-MM-DD HH:MM:SS[.ffffff]", as MySQL prints
// them; proleptic Gregorian days from 2000-01-01, as PostgreSQL's date2j) ----

constexpr int64_t kPostgresEpochJulian = 2451545;  // date2j(2000, 1, 1)
constexpr int64_t kMicrosPerDay = 86400000000;
constexpr const char* kFieldRange = "date/time field value out of range";

int64_t julian_day(int64_t y, int64_t m, int64_t d) {
  if (m > 2) {
    m += 1;
    y += 4800;
  } else {
    m += 13;
    y += 4799;
  }
  const int64_t century = y / 100;
  return y * 365 - 32167 + y / 4 - century + century / 4 + 7834 * m / 256 + d;
}

bool is_leap(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int64_t days_in_month(int64_t y, int64_t m) {
  constexpr int64_t kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// The number in s[at, at + width), all digits; -1 otherwise.
int64_t digits_at(std::string_view s, size_t at, size_t width) {
  if (at + width > s.size()) return -1;
  int64_t v = 0;
  for (size_t i = at; i < at + width; ++i) {
    if (!is_digit(s[i])) return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

// Days from 2000-01-01 of the "YYYY-MM-DD" that `s` starts with, or the reason it is refused.
const char* parse_day(std::string_view s, const char* syntax, int64_t& days) {
  const int64_t y = digits_at(s, 0, 4), m = digits_at(s, 5, 2), d = digits_at(s, 8, 2);
  if (y < 0 || m < 0 || d < 0 || s[4] != '-' || s[7] != '-') return syntax;
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return kFieldRange;
  days = julian_day(y, m, d) - kPostgresEpochJulian;
  return nullptr;
}

// What the zero-date policy makes of `value` when it is a zero or partly-zero date: a NULL, or
// -infinity (PostgreSQL's smallest value of the type's `width` bytes) written to `out`, or a
// refusal; nullopt for an ordinary date, which the caller encodes.
std::optional<const char*> zero_date_field(std::string_view value, ZeroDates zero_dates, int width,
                                           std::string& out) {
  switch (classify_date(value, zero_dates)) {
    case DateValue::as_is:
      return std::nullopt;
    case DateValue::null:
      append_binary_null(out);
      return nullptr;
    case DateValue::minus_infinity:
      put32(static_cast<uint32_t>(width), out);
      if (width == 4) {
        put32(0x80000000U, out);  // DATEVAL_NOBEGIN
      } else {
        put64(0x8000000000000000U, out);  // DT_NOBEGIN
      }
      return nullptr;
    case DateValue::refused:
      return kZeroDateRefusal;
  }
  return std::nullopt;
}

const char* append_date(std::string_view value, ZeroDates zero_dates, std::string& out) {
  if (const auto special = zero_date_field(value, zero_dates, 4, out)) return *special;
  constexpr const char* kSyntax = "invalid input syntax for type date";
  if (value.size() != 10) return kSyntax;
  int64_t days = 0;
  if (const char* refused = parse_day(value, kSyntax, days)) return refused;
  put32(4, out);
  put32(static_cast<uint32_t>(days), out);
  return nullptr;
}

const char* append_timestamp(std::string_view value, ZeroDates zero_dates, std::string& out) {
  if (const auto special = zero_date_field(value, zero_dates, 8, out)) return *special;
  constexpr const char* kSyntax = "invalid input syntax for type timestamp";
  int64_t days = 0;
  if (const char* refused = parse_day(value, kSyntax, days)) return refused;
  const int64_t h = digits_at(value, 11, 2), mi = digits_at(value, 14, 2),
                sec = digits_at(value, 17, 2);
  if (h < 0 || mi < 0 || sec < 0 || value[10] != ' ' || value[13] != ':' || value[16] != ':')
    return kSyntax;
  if (h > 23 || mi > 59 || sec > 59) return kFieldRange;
  int64_t micros = 0;
  if (value.size() > 19) {
    const size_t fraction = value.size() - 20;
    if (value[19] != '.' || fraction < 1 || fraction > 6) return kSyntax;
    micros = digits_at(value, 20, fraction);
    if (micros < 0) return kSyntax;
    for (size_t k = fraction; k < 6; ++k) micros *= 10;
  }
  put32(8, out);
  put64(static_cast<uint64_t>(days * kMicrosPerDay + ((h * 60 + mi) * 60 + sec) * 1000000 + micros),
        out);
  return nullptr;
}

// ---- text and bytes ----

// The length of the start of `value` that needs no look: no NUL byte and nothing but ASCII.
size_t plain_ascii_prefix(std::string_view value) {
  const char* const p = value.data();
  const size_t n = value.size();
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i zero = _mm_setzero_si128();
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    if (_mm_movemask_epi8(_mm_or_si128(v, _mm_cmpeq_epi8(v, zero))) != 0) return i;
  }
#endif
  for (; i < n; ++i) {
    if (p[i] == '\0' || static_cast<unsigned char>(p[i]) >= 0x80) return i;
  }
  return n;
}

const char* append_text_field(std::string_view value, const ValuePolicy& policy, std::string& out) {
  if (value.size() > kMaxField) return kTooLong;
  if (plain_ascii_prefix(value) == value.size()) {  // the common case: nothing to check further
    put32(static_cast<uint32_t>(value.size()), out);
    out.append(value);
    return nullptr;
  }
  const size_t at = out.size();
  put32(0, out);
  if (const char* refused = append_text(value, policy, TextForm::raw, out)) {
    out.resize(at);
    return refused;
  }
  if (out.size() - at - 4 > kMaxField) {  // U+FFFD replacements can grow it
    out.resize(at);
    return kTooLong;
  }
  patch_length(at, out);
  return nullptr;
}

const char* append_raw(std::string_view value, std::string& out) {
  if (value.size() > kMaxField) return kTooLong;
  put32(static_cast<uint32_t>(value.size()), out);
  out.append(value);
  return nullptr;
}

template <const char* (*decode)(std::string_view, bool&)>
const char* append_boolean(std::string_view value, std::string& out) {
  bool b = false;
  if (const char* refused = decode(value, b)) return refused;
  put32(1, out);
  out.push_back(b ? '\1' : '\0');
  return nullptr;
}

}  // namespace

BinaryCodec binary_codec_for(const TargetColumn& column) {
  BinaryCodec codec{BinaryForm::none, column.codec};
  if (column.type.kind == TargetKind::pg_enum) return codec;
  codec.form = form_for(column.codec.kind, pg_type_of(column.type.sql));
  return codec;
}

bool binary_capable(const TargetColumn& column) {
  return binary_codec_for(column).form != BinaryForm::none;
}

void append_binary_header(std::string& out) {
  static constexpr char kSignature[] = "PGCOPY\n\377\r\n";  // and its terminating NUL
  out.append(kSignature, sizeof kSignature);
  put32(0, out);  // flags: no OIDs
  put32(0, out);  // header extension length
}

void append_binary_trailer(std::string& out) {
  put16(0xFFFF, out);
}

void append_binary_row_start(uint16_t fields, std::string& out) {
  put16(fields, out);
}

void append_binary_null(std::string& out) {
  put32(0xFFFFFFFFU, out);
}

const char* append_binary_field(const BinaryCodec& codec, std::string_view value,
                                std::string& out) {
  switch (codec.form) {
    case BinaryForm::int2:
      return append_integer<int16_t>(value, kInt2, out);
    case BinaryForm::int4:
      return append_integer<int32_t>(value, kInt4, out);
    case BinaryForm::int8:
      return append_integer<int64_t>(value, kInt8, out);
    case BinaryForm::numeric:
      return append_numeric(value, out);
    case BinaryForm::float4:
      return append_float<float>(value, out);
    case BinaryForm::float8:
      return append_float<double>(value, out);
    case BinaryForm::ascii:
    case BinaryForm::bytea:
      return append_raw(value, out);
    case BinaryForm::text:
      return append_text_field(value, codec.codec.policy, out);
    case BinaryForm::date:
      return append_date(value, codec.codec.policy.zero_dates, out);
    case BinaryForm::timestamp:
      return append_timestamp(value, codec.codec.policy.zero_dates, out);
    case BinaryForm::boolean_from_integer:
      return append_boolean<boolean_from_integer>(value, out);
    case BinaryForm::boolean_from_bit:
      return append_boolean<boolean_from_bit>(value, out);
    case BinaryForm::none:
      break;
  }
  return "column has no COPY binary form (a caller's error: check binary_capable)";
}

std::optional<std::string_view> binary_field_text(const BinaryCodec& codec, std::string_view value,
                                                  std::string& scratch) {
  bool b = false;
  switch (codec.form) {
    case BinaryForm::text: {
      const ValuePolicy& policy = codec.codec.policy;
      if (policy.nul_bytes == NulBytes::error && policy.invalid_text == InvalidText::error)
        return value;  // accepted, so nothing was changed
      scratch.clear();
      append_text(value, policy, TextForm::raw, scratch);
      return scratch;
    }
    case BinaryForm::bytea:
      scratch.assign("\\x");
      append_hex(value, scratch);
      return scratch;
    case BinaryForm::date:
    case BinaryForm::timestamp:
      switch (classify_date(value, codec.codec.policy.zero_dates)) {
        case DateValue::null:
          return std::nullopt;
        case DateValue::minus_infinity:
          return "-infinity";
        default:
          break;
      }
      if (codec.codec.kind != ValueKind::timestamp) return value;
      scratch.assign(value).append("+00");
      return scratch;
    case BinaryForm::boolean_from_integer:
      boolean_from_integer(value, b);
      return b ? "t" : "f";
    case BinaryForm::boolean_from_bit:
      boolean_from_bit(value, b);
      return b ? "t" : "f";
    default:
      return value;
  }
}

}  // namespace my2pg::typemap
