#include "verify/row_digest.hpp"

#include <arpa/inet.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "common/error.hpp"
#include "typemap/pg_type.hpp"
#include "typemap/target_table.hpp"
#include "verify/json_canonical.hpp"

namespace my2pg::verify {

const char* const kTargetSessionSql =
    "SET LOCAL DateStyle = 'ISO, YMD'; SET LOCAL TimeZone = 'UTC'; "
    "SET LOCAL IntervalStyle = 'postgres'; SET LOCAL bytea_output = 'hex'; "
    "SET LOCAL extra_float_digits = 1; SET LOCAL client_encoding = 'UTF8'; "
    "SET LOCAL standard_conforming_strings = on";

namespace {

// ---- hashing ----

__extension__ typedef unsigned __int128 Wide;

constexpr uint64_t kK0 = 0x9E3779B97F4A7C15ULL;  // 2^64 / golden ratio
constexpr uint64_t kK1 = 0xC2B2AE3D27D4EB4FULL;
constexpr uint64_t kK2 = 0x165667B19E3779F9ULL;
constexpr uint64_t kK3 = 0xD6E8FEB86659FD93ULL;
constexpr uint64_t kK4 = 0xFF51AFD7ED558CCDULL;
constexpr uint64_t kRowSeed = 0x6D7932706720726FULL;
constexpr uint64_t kNullTag = 0x4E554C4C4E554C4CULL;

uint64_t load64(const char* p) {
  uint64_t v = 0;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}

uint64_t load32(const char* p) {
  uint32_t v = 0;
  std::memcpy(&v, p, 4);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap32(v);
  return v;
}

// The 128-bit product folded to 64 bits; x and y are xored in so that a zero factor does not
// erase the other.
uint64_t mix(uint64_t x, uint64_t y) {
  const Wide product = static_cast<Wide>(x) * y;
  return static_cast<uint64_t>(product) ^ static_cast<uint64_t>(product >> 64) ^ x ^ y;
}

// MurmurHash3's 64-bit finalizer: every input bit reaches every output bit.
uint64_t finalize(uint64_t h) {
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDULL;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ULL;
  h ^= h >> 33;
  return h;
}

// SplitMix64's finalizer, unrelated to `finalize`: the digest's second sum.
uint64_t remix(uint64_t h) {
  h += 0x9E3779B97F4A7C15ULL;
  h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ULL;
  h = (h ^ (h >> 27)) * 0x94D049BB133111EBULL;
  return h ^ (h >> 31);
}

// hash_bytes without its finalizer: row hashes chain fields through it and finalize once.
uint64_t absorb(std::string_view bytes, uint64_t h) {
  const char* p = bytes.data();
  const size_t n = bytes.size();
  uint64_t a = 0, b = 0;
  if (n <= 16) {
    if (n >= 8) {
      a = load64(p);
      b = load64(p + n - 8);
    } else if (n >= 4) {
      a = load32(p);
      b = load32(p + n - 4);
    } else if (n > 0) {
      const auto byte = [&](size_t i) { return static_cast<uint64_t>(static_cast<uint8_t>(p[i])); };
      a = byte(0) << 16 | byte(n >> 1) << 8 | byte(n - 1);
    }
  } else {
    size_t left = n;
    if (left > 32) {  // two independent lanes, so that the multiplies overlap
      uint64_t h2 = h ^ kK4;
      for (; left > 32; left -= 32, p += 32) {
        h = mix(load64(p) ^ kK1, load64(p + 8) ^ h);
        h2 = mix(load64(p + 16) ^ kK2, load64(p + 24) ^ h2);
      }
      h = mix(h ^ kK3, h2 ^ kK0);
    }
    for (; left > 16; left -= 16, p += 16) h = mix(load64(p) ^ kK1, load64(p + 8) ^ h);
    a = load64(p + left - 16);
    b = load64(p + left - 8);
  }
  return mix(a ^ kK2, b ^ h ^ kK3) ^ (n * kK4);
}

// ---- COPY text fields ----

constexpr uint64_t kOnes = 0x0101010101010101ULL;
constexpr uint64_t kHighs = kOnes * 0x80;

// High bit set in the lowest zero byte of `v` (higher bytes may be flagged wrongly).
uint64_t zero_bytes(uint64_t v) {
  return (v - kOnes) & ~v & kHighs;
}

// The position of the first tab or backslash in p[from, n), or n.
size_t find_special(const char* p, size_t from, size_t n) {
  size_t i = from;
#if defined(__SSE2__)
  const __m128i tab = _mm_set1_epi8('\t');
  const __m128i backslash = _mm_set1_epi8('\\');
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    const auto found = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, tab), _mm_cmpeq_epi8(v, backslash))));
    if (found != 0) return i + static_cast<size_t>(std::countr_zero(found));
  }
#endif
  if constexpr (std::endian::native == std::endian::little) {
    for (; i + 8 <= n; i += 8) {
      uint64_t w = 0;
      std::memcpy(&w, p + i, 8);
      const uint64_t found = zero_bytes(w ^ (kOnes * static_cast<unsigned char>('\t'))) |
                             zero_bytes(w ^ (kOnes * static_cast<unsigned char>('\\')));
      if (found != 0) return i + (static_cast<size_t>(std::countr_zero(found)) >> 3);
    }
  }
  for (; i < n; ++i) {
    if (p[i] == '\t' || p[i] == '\\') return i;
  }
  return n;
}

// Calls on_field(index, raw, escaped) for each tab-separated field of `line` (a backslash takes
// the next byte, a tab included, as data, as COPY FROM reads it); returns the number of fields.
template <class OnField>
size_t split_fields(std::string_view line, OnField&& on_field) {
  const char* const p = line.data();
  const size_t n = line.size();
  size_t start = 0, index = 0;
  for (;;) {
    size_t i = start;
    bool escaped = false;
    for (;;) {
      i = find_special(p, i, n);
      if (i == n || p[i] == '\t') break;
      escaped = true;
      i = i + 2 <= n ? i + 2 : n;
    }
    on_field(index++, line.substr(start, i - start), escaped);
    if (i == n) return index;
    start = i + 1;
  }
}

bool is_octal(char c) {
  return c >= '0' && c <= '7';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// COPY FROM's de-escaping: \b \f \n \r \t \v, \NNN octal, \xH or \xHH hex, any other escaped
// byte as itself; a backslash ending the field is dropped.
void unescape(std::string_view raw, std::string& out) {
  const size_t n = raw.size();
  size_t i = 0;
  while (i < n) {
    const size_t slash = raw.find('\\', i);
    if (slash == std::string_view::npos) {
      out.append(raw.substr(i));
      return;
    }
    out.append(raw.substr(i, slash - i));
    i = slash + 1;
    if (i >= n) return;
    const char c = raw[i++];
    switch (c) {
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'v':
        out.push_back('\v');
        break;
      case 'x': {
        int value = i < n ? hex_value(raw[i]) : -1;
        if (value < 0) {
          out.push_back('x');
          break;
        }
        ++i;
        if (i < n && hex_value(raw[i]) >= 0) value = value * 16 + hex_value(raw[i++]);
        out.push_back(static_cast<char>(value));
        break;
      }
      default:
        if (!is_octal(c)) {
          out.push_back(c);
          break;
        }
        {
          int value = c - '0';
          for (int k = 0; k < 2 && i < n && is_octal(raw[i]); ++k)
            value = value * 8 + raw[i++] - '0';
          out.push_back(static_cast<char>(value & 0xFF));
        }
        break;
    }
  }
}

// ---- canonical forms ----

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Digits with no leading zero (or "0"), optionally after '-' (not "-0"): already canonical.
bool is_canonical_integer(std::string_view s) {
  const bool negative = !s.empty() && s[0] == '-';
  if (negative) s.remove_prefix(1);
  if (s.empty()) return false;
  if (s[0] == '0') return s.size() == 1 && !negative;
  for (const char c : s) {
    if (!is_digit(c)) return false;
  }
  return true;
}

template <class Float>
bool canonical_float(std::string_view text, std::string& out) {
  const char* first = text.data();
  const char* const last = first + text.size();
  if (first != last && *first == '+') {  // from_chars takes no '+'; float8in does
    ++first;
    if (first != last && *first == '-') return false;
  }
  Float value{};
  const auto [end, error] = std::from_chars(first, last, value);
  if (error != std::errc() || end != last) return false;
  if (std::isnan(value)) {
    out.append("NaN");
  } else if (std::isinf(value)) {
    out.append(value < 0 ? "-Infinity" : "Infinity");
  } else {
    char buffer[64];
    const auto printed = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, printed.ptr);
  }
  return true;
}

bool has_upper(std::string_view s) {
  for (const char c : s) {
    if (c >= 'A' && c <= 'Z') return true;
  }
  return false;
}

void append_lower(std::string_view s, std::string& out) {
  for (const char c : s) out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
}

// "10:00:00.500000" -> "10:00:00.5", "10:00:00.000" -> "10:00:00": every '.' after a digit and
// followed by digits loses its trailing zeros (and itself, when nothing is left).
void strip_fraction_zeros(std::string_view text, std::string& out) {
  size_t i = 0;
  for (size_t dot = text.find('.'); dot != std::string_view::npos; dot = text.find('.', i)) {
    size_t end = dot + 1;
    while (end < text.size() && is_digit(text[end])) ++end;
    if (dot == 0 || !is_digit(text[dot - 1]) || end == dot + 1) {
      out.append(text.substr(i, dot + 1 - i));
      i = dot + 1;
      continue;
    }
    size_t keep = end;
    while (keep > dot + 1 && text[keep - 1] == '0') --keep;
    out.append(text.substr(i, (keep > dot + 1 ? keep : dot) - i));
    i = end;
  }
  out.append(text.substr(i));
}

// A timestamp as the value it stands for, whichever side printed it: the text path sends
// "2020-01-01 10:00:00.500000+00" (TIMESTAMP), "2020-01-01 10:00:00" (DATETIME) or "2020-01-01"
// (DATE) into timestamp or timestamptz columns, which PostgreSQL prints in UTC as
// "2020-01-01 10:00:00.5" or with "+00". Offsets other than UTC are never sent.
void canonical_timestamp(std::string_view text, std::string& out) {
  if (text.ends_with("+00:00")) {
    text.remove_suffix(6);
  } else if (text.ends_with("+00")) {
    text.remove_suffix(3);
  }
  strip_fraction_zeros(text, out);
  if (text.size() == 10 && text[4] == '-' && text[7] == '-') out.append(" 00:00:00");
}

bool canonical_inet(std::string_view text, std::string& out) {
  const size_t slash = text.find('/');
  const std::string address(text.substr(0, slash));
  unsigned char bytes[16];
  int family = AF_INET;
  unsigned max_bits = 32;
  if (inet_pton(AF_INET, address.c_str(), bytes) != 1) {
    family = AF_INET6;
    max_bits = 128;
    if (inet_pton(AF_INET6, address.c_str(), bytes) != 1) return false;
  }
  unsigned bits = max_bits;
  if (slash != std::string_view::npos) {
    const std::string_view prefix = text.substr(slash + 1);
    const auto [end, error] = std::from_chars(prefix.data(), prefix.data() + prefix.size(), bits);
    if (prefix.empty() || error != std::errc() || end != prefix.data() + prefix.size() ||
        bits > max_bits)
      return false;
  }
  char printed[INET6_ADDRSTRLEN];
  if (inet_ntop(family, bytes, printed, sizeof printed) == nullptr) return false;
  out.append(printed);
  if (bits != max_bits) out.append("/").append(std::to_string(bits));
  return true;
}

// PostgreSQL's boolean input: t/f from true, yes, on, 1 and false, no, off, 0 (any case, unique
// prefixes, surrounding spaces).
bool canonical_boolean(std::string_view text, std::string& out) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  std::string s;
  append_lower(text, s);
  const auto prefix_of = [&](std::string_view word, size_t min) {
    return s.size() >= min && s.size() <= word.size() && word.substr(0, s.size()) == s;
  };
  if (prefix_of("true", 1) || prefix_of("yes", 1) || prefix_of("on", 2) || s == "1") {
    out.push_back('t');
    return true;
  }
  if (prefix_of("false", 1) || prefix_of("no", 1) || prefix_of("off", 2) || s == "0") {
    out.push_back('f');
    return true;
  }
  return false;
}

// The canonical form of `text` appended to `out`, or false when `text` is to be taken as it is.
bool canonicalize(Canon canon, std::string_view text, std::string& out) {
  switch (canon) {
    case Canon::exact:
    case Canon::padded_char:
      return false;
    case Canon::numeric:
      return canonical_decimal(text, out);
    case Canon::float4:
      return canonical_float<float>(text, out);
    case Canon::float8:
      return canonical_float<double>(text, out);
    case Canon::hex_bytes:
    case Canon::lower_text:
      append_lower(text, out);
      return true;
    case Canon::fraction_time:
      strip_fraction_zeros(text, out);
      return true;
    case Canon::timestamp:
      canonical_timestamp(text, out);
      return true;
    case Canon::json:
      return canonical_json(text, out);
    case Canon::inet:
      return canonical_inet(text, out);
    case Canon::boolean:
      return canonical_boolean(text, out);
  }
  return false;
}

// ---- type names ----

bool one_of(std::string_view s, std::initializer_list<std::string_view> names) {
  for (const auto name : names) {
    if (s == name) return true;
  }
  return false;
}

// float(p): real up to 24 binary digits, double precision beyond (and without p).
Canon canon_for_float(std::string_view typmod) {
  unsigned digits = 0;
  std::from_chars(typmod.data(), typmod.data() + typmod.size(), digits);
  return digits >= 1 && digits <= 24 ? Canon::float4 : Canon::float8;
}

}  // namespace

Canon canon_for_type(std::string_view pg_type) {
  std::string_view typmod;
  std::string base = typemap::pg_base_type(pg_type, &typmod);
  if (base.ends_with("[]")) return Canon::exact;  // arrays: as PostgreSQL prints them
  const size_t dot = base.rfind('.');             // schema-qualified: public.geometry
  if (dot != std::string::npos && base.find('"') == std::string::npos) base.erase(0, dot + 1);
  if (one_of(base,
             {"smallint", "integer", "int", "bigint", "int2", "int4", "int8", "numeric", "decimal",
              "smallserial", "serial", "bigserial", "serial2", "serial4", "serial8"}))
    return Canon::numeric;
  if (one_of(base, {"real", "float4"})) return Canon::float4;
  if (one_of(base, {"double precision", "float8"})) return Canon::float8;
  if (base == "float") return canon_for_float(typmod);
  if (one_of(base, {"char", "character", "bpchar"})) return Canon::padded_char;
  if (one_of(base, {"bytea", "geometry", "geography"})) return Canon::hex_bytes;
  if (one_of(base, {"timestamp", "timestamptz", "timestamp with time zone",
                    "timestamp without time zone"}))
    return Canon::timestamp;
  if (one_of(base, {"time", "timetz", "time with time zone", "time without time zone"}) ||
      base.starts_with("interval"))
    return Canon::fraction_time;
  if (base == "jsonb") return Canon::json;
  if (base == "uuid") return Canon::lower_text;
  if (one_of(base, {"inet", "cidr"})) return Canon::inet;
  if (one_of(base, {"boolean", "bool"})) return Canon::boolean;
  return Canon::exact;
}

Canon canon_for(const typemap::TargetColumn& column) {
  switch (column.codec.kind) {
    case typemap::ValueKind::jsonb:
      return Canon::json;
    case typemap::ValueKind::geometry_postgis:
      return Canon::hex_bytes;
    case typemap::ValueKind::boolean_from_integer:
    case typemap::ValueKind::boolean_from_bit:
      return Canon::boolean;
    default:
      break;
  }
  if (column.type.kind == typemap::TargetKind::pg_enum) return Canon::exact;
  return canon_for_type(column.type.sql);
}

uint64_t hash_bytes(std::string_view bytes, uint64_t seed) {
  return finalize(absorb(bytes, seed ^ kK0));
}

RowHasher::RowHasher(std::vector<Canon> columns) : m_columns(std::move(columns)) {}

std::string_view RowHasher::canonical(Canon canon, std::string_view raw, bool escaped) {
  std::string_view text = raw;
  if (escaped) {
    m_unescaped.clear();
    unescape(raw, m_unescaped);
    text = m_unescaped;
  }
  // Fast paths: text that is canonical already is hashed where it lies.
  switch (canon) {
    case Canon::exact:
      return text;
    case Canon::padded_char: {
      size_t n = text.size();
      while (n > 0 && text[n - 1] == ' ') --n;
      return text.substr(0, n);
    }
    case Canon::numeric:
      if (is_canonical_integer(text)) return text;
      break;
    case Canon::hex_bytes:
    case Canon::lower_text:
      if (!has_upper(text)) return text;
      break;
    case Canon::fraction_time:
      if (text.find('.') == std::string_view::npos) return text;
      break;
    case Canon::timestamp:
      if (text.ends_with("+00")) text.remove_suffix(3);  // UTC, as every value sent and read
      if (text.size() > 10 && text.find_first_of(".+") == std::string_view::npos) return text;
      break;
    case Canon::boolean:
      if (text == "t" || text == "f") return text;  // what both sides print
      break;
    default:
      break;
  }
  m_canonical.clear();
  if (canonicalize(canon, text, m_canonical)) return m_canonical;
  return text;
}

namespace {

[[noreturn]] void field_count_error(size_t actual, size_t expected) {
  throw TargetError("a COPY row has " + std::to_string(actual) + " field(s) where " +
                    std::to_string(expected) +
                    " were expected; both sides must list the same columns in the same order");
}

bool is_null(std::string_view raw, bool escaped) {
  return escaped && raw == "\\N";
}

}  // namespace

uint64_t RowHasher::hash_line(std::string_view line) {
  uint64_t h = kRowSeed;
  if (m_columns.empty()) {
    if (!line.empty()) field_count_error(split_fields(line, [](size_t, auto, bool) {}), 0);
    return finalize(h);
  }
  const size_t fields = split_fields(line, [&](size_t i, std::string_view raw, bool escaped) {
    if (i >= m_columns.size()) return;
    if (is_null(raw, escaped)) {
      h = mix(h ^ kNullTag, kK2);
    } else {
      h = absorb(canonical(m_columns[i], raw, escaped), h);
    }
  });
  if (fields != m_columns.size()) field_count_error(fields, m_columns.size());
  return finalize(h);
}

void RowHasher::begin_row() {
  m_row = kRowSeed;
  m_fields = 0;
}

void RowHasher::add_null() {
  if (m_fields++ < m_columns.size()) m_row = mix(m_row ^ kNullTag, kK2);
}

void RowHasher::add_value(std::string_view unescaped) {
  if (m_fields < m_columns.size())
    m_row = absorb(canonical(m_columns[m_fields], unescaped, false), m_row);
  ++m_fields;
}

uint64_t RowHasher::end_row() {
  if (m_fields != m_columns.size()) field_count_error(m_fields, m_columns.size());
  return finalize(m_row);
}

std::vector<std::optional<std::string>> RowHasher::fields_of(std::string_view line,
                                                             const std::vector<size_t>& columns) {
  for (const size_t c : columns) {
    if (c >= m_columns.size()) {
      throw Error("RowHasher::fields_of: column " + std::to_string(c) + " of " +
                  std::to_string(m_columns.size()));
    }
  }
  std::vector<std::optional<std::string>> out(columns.size());
  if (m_columns.empty()) return out;
  const size_t fields = split_fields(line, [&](size_t i, std::string_view raw, bool escaped) {
    if (i >= m_columns.size()) return;
    for (size_t j = 0; j < columns.size(); ++j) {
      if (columns[j] != i || is_null(raw, escaped)) continue;
      out[j] = std::string(canonical(m_columns[i], raw, escaped));
    }
  });
  if (fields != m_columns.size()) field_count_error(fields, m_columns.size());
  return out;
}

void Digest::add(uint64_t row_hash) {
  ++rows;
  sum += row_hash;
  sum2 += remix(row_hash);
}

void Digest::merge(const Digest& other) {
  rows += other.rows;
  sum += other.sum;
  sum2 += other.sum2;
}

std::string Digest::text() const {
  return fmt::format("{}:{:016x}:{:016x}", rows, sum, sum2);
}

std::optional<Digest> Digest::parse(std::string_view text) {
  const size_t first = text.find(':');
  if (first == std::string_view::npos) return std::nullopt;
  const std::string_view count = text.substr(0, first);
  const std::string_view sums = text.substr(first + 1);
  if (sums.size() != 33 || sums[16] != ':') return std::nullopt;
  if (count.empty() || (count[0] == '0' && count.size() > 1)) return std::nullopt;
  Digest d;
  const auto [end, error] = std::from_chars(count.data(), count.data() + count.size(), d.rows);
  if (error != std::errc() || end != count.data() + count.size()) return std::nullopt;
  const auto hex = [](std::string_view s, uint64_t& value) {
    for (const char c : s) {
      if (!is_digit(c) && !(c >= 'a' && c <= 'f')) return false;
    }
    std::from_chars(s.data(), s.data() + s.size(), value, 16);
    return true;
  };
  if (!hex(sums.substr(0, 16), d.sum) || !hex(sums.substr(17), d.sum2)) return std::nullopt;
  return d;
}

}  // namespace my2pg::verify
