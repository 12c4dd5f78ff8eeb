#include "schema/mysql_types.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "common/sql_text.hpp"

namespace my2pg::schema {
namespace {

using TT = SqlToken::Type;

// The character sets with their default collations and widest characters.
struct CharsetInfo {
  const char* name;
  const char* collation;
  int maxlen;
};

constexpr CharsetInfo kCharsets[] = {
    {"armscii8", "armscii8_general_ci", 1}, {"ascii", "ascii_general_ci", 1},
    {"big5", "big5_chinese_ci", 2},         {"binary", "binary", 1},
    {"cp1250", "cp1250_general_ci", 1},     {"cp1251", "cp1251_general_ci", 1},
    {"cp1256", "cp1256_general_ci", 1},     {"cp1257", "cp1257_general_ci", 1},
    {"cp850", "cp850_general_ci", 1},       {"cp852", "cp852_general_ci", 1},
    {"cp866", "cp866_general_ci", 1},       {"cp932", "cp932_japanese_ci", 2},
    {"dec8", "dec8_swedish_ci", 1},         {"eucjpms", "eucjpms_japanese_ci", 3},
    {"euckr", "euckr_korean_ci", 2},        {"gb18030", "gb18030_chinese_ci", 4},
    {"gb2312", "gb2312_chinese_ci", 2},     {"gbk", "gbk_chinese_ci", 2},
    {"geostd8", "geostd8_general_ci", 1},   {"greek", "greek_general_ci", 1},
    {"hebrew", "hebrew_general_ci", 1},     {"hp8", "hp8_english_ci", 1},
    {"keybcs2", "keybcs2_general_ci", 1},   {"koi8r", "koi8r_general_ci", 1},
    {"koi8u", "koi8u_general_ci", 1},       {"latin1", "latin1_swedish_ci", 1},
    {"latin2", "latin2_general_ci", 1},     {"latin5", "latin5_turkish_ci", 1},
    {"latin7", "latin7_general_ci", 1},     {"macce", "macce_general_ci", 1},
    {"macroman", "macroman_general_ci", 1}, {"sjis", "sjis_japanese_ci", 2},
    {"swe7", "swe7_swedish_ci", 1},         {"tis620", "tis620_thai_ci", 1},
    {"ucs2", "ucs2_general_ci", 2},         {"ujis", "ujis_japanese_ci", 3},
    {"utf16", "utf16_general_ci", 4},       {"utf16le", "utf16le_general_ci", 4},
    {"utf32", "utf32_general_ci", 4},       {"utf8mb3", "utf8mb3_general_ci", 3},
    {"utf8mb4", "utf8mb4_general_ci", 4},
};

const CharsetInfo* find_charset(const std::string& name) {
  for (const auto& c : kCharsets)
    if (name == c.name) return &c;
  return nullptr;
}

// The data types by canonical name.
struct TypeInfo {
  const char* name;
  Family family;
};

constexpr TypeInfo kTypes[] = {
    {"tinyint", Family::integer},
    {"smallint", Family::integer},
    {"mediumint", Family::integer},
    {"int", Family::integer},
    {"bigint", Family::integer},
    {"decimal", Family::decimal},
    {"float", Family::floating},
    {"double", Family::floating},
    {"bit", Family::bit},
    {"char", Family::character},
    {"varchar", Family::character},
    {"tinytext", Family::text},
    {"text", Family::text},
    {"mediumtext", Family::text},
    {"longtext", Family::text},
    {"binary", Family::binary},
    {"varbinary", Family::binary},
    {"tinyblob", Family::blob},
    {"blob", Family::blob},
    {"mediumblob", Family::blob},
    {"longblob", Family::blob},
    {"date", Family::temporal},
    {"time", Family::temporal},
    {"datetime", Family::temporal},
    {"timestamp", Family::temporal},
    {"year", Family::year},
    {"enum", Family::choice},
    {"set", Family::choice},
    {"json", Family::json},
    {"uuid", Family::other},
    {"inet4", Family::other},
    {"inet6", Family::other},
    {"geometry", Family::other},
    {"point", Family::other},
    {"linestring", Family::other},
    {"polygon", Family::other},
    {"multipoint", Family::other},
    {"multilinestring", Family::other},
    {"multipolygon", Family::other},
    {"geometrycollection", Family::other},
    {"vector", Family::other},  // MySQL 9.0 and MariaDB 11.7: VECTOR(dimensions)
};

// --- literal defaults ---

std::string hex_to_bytes(const std::string& hex) {
  std::string out;
  const size_t odd = hex.size() % 2;
  for (size_t i = 0; i < hex.size();) {
    const size_t n = (i == 0 && odd != 0) ? 1 : 2;
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, n), nullptr, 16)));
    i += n;
  }
  return out;
}

// Round a decimal text to `scale` digits after the point, half away from zero.
std::string round_decimal(const std::string& number, int64_t scale) {
  std::string s = number;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.erase(0, 1);
  }
  if (s.find_first_of("eE") != std::string::npos) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "%.*Lf", static_cast<int>(scale),
                  std::strtold(s.c_str(), nullptr));
    s = buf;
  }
  std::string whole = s, frac;
  if (const size_t dot = s.find('.'); dot != std::string::npos) {
    whole = s.substr(0, dot);
    frac = s.substr(dot + 1);
  }
  if (whole.empty()) whole = "0";
  const auto keep = static_cast<size_t>(scale);
  bool carry = frac.size() > keep && frac[keep] >= '5';
  frac.resize(keep, '0');
  std::string digits = whole + frac;
  for (size_t i = digits.size(); carry && i-- > 0;) {
    if (digits[i] == '9') {
      digits[i] = '0';
    } else {
      ++digits[i];
      carry = false;
    }
  }
  if (carry) digits.insert(digits.begin(), '1');
  whole = digits.substr(0, digits.size() - keep);
  frac = digits.substr(digits.size() - keep);
  const size_t nz = whole.find_first_not_of('0');
  whole = nz == std::string::npos ? "0" : whole.substr(nz);
  std::string out = whole + (keep > 0 ? "." + frac : "");
  const bool zero = out.find_first_not_of("0.") == std::string::npos;
  return (negative && !zero ? "-" : "") + out;
}

std::string shortest_float(double v, bool single) {
  char buf[64];
  const auto r = single ? std::to_chars(buf, buf + sizeof buf, static_cast<float>(v))
                        : std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, r.ptr);
  if (const size_t p = s.find("e+"); p != std::string::npos) s.erase(p + 1, 1);
  return s;
}

// The digits of an x'..' or b'..' literal as an unsigned number: 0 when there are none (an
// empty string); nullopt past 64 bits or for a digit out of its base.
std::optional<uint64_t> literal_digits(const std::string& text, unsigned base) {
  uint64_t v = 0;
  const unsigned shift = base == 16 ? 4 : 1;
  for (const char ch : text) {
    const unsigned d =
        std::isdigit(static_cast<unsigned char>(ch)) != 0
            ? static_cast<unsigned>(ch - '0')
            : static_cast<unsigned>(std::tolower(static_cast<unsigned char>(ch)) - 'a' + 10);
    if (d >= base || (v >> (64 - shift)) != 0) return std::nullopt;
    v = v << shift | d;
  }
  return v;
}

std::optional<long double> literal_number(TT token, const std::string& text) {
  if (token == TT::hex || token == TT::bits) {
    const auto v = literal_digits(text, token == TT::hex ? 16 : 2);
    if (!v) return std::nullopt;
    return static_cast<long double>(*v);
  }
  if (text.empty() || !is_sql_number(text)) return std::nullopt;
  return std::strtold(text.c_str(), nullptr);
}

std::string literal_bytes(TT token, const std::string& text) {
  if (token == TT::hex) return hex_to_bytes(text);
  if (token == TT::bits) {
    // As the server makes it: as many bytes as the digits fill (b'0' is one zero byte, b'' none),
    // the last digit the lowest bit.
    std::string out((text.size() + 7) / 8, '\0');
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[text.size() - 1 - i] == '1')
        out[out.size() - 1 - i / 8] = static_cast<char>(out[out.size() - 1 - i / 8] | 1 << (i % 8));
    }
    return out;
  }
  return text;
}

std::string normalize_temporal(std::string v, const Column& c) {
  const int64_t fsp = c.fsp.value_or(0);
  if (c.data_type == "datetime" || c.data_type == "timestamp") {
    if (v.size() == 10) v += " 00:00:00";
  }
  if (c.data_type != "date" && fsp > 0 && v.find('.') == std::string::npos &&
      v.find_first_not_of("0123456789-: ") == std::string::npos) {
    v += "." + std::string(static_cast<size_t>(fsp), '0');
  }
  return v;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Character sets

// utf8 means utf8mb3 on MariaDB 10.6+ and MySQL 8.
std::string canonical_charset(std::string name) {
  name = ascii_lower(std::move(name));
  return name == "utf8" ? "utf8mb3" : name;
}

std::string canonical_collation(std::string name) {
  name = ascii_lower(std::move(name));
  if (name.rfind("utf8_", 0) == 0) return "utf8mb3" + name.substr(4);
  return name;
}

std::string charset_of_collation(const std::string& collation) {
  const size_t u = collation.find('_');
  return u == std::string::npos ? collation : collation.substr(0, u);
}

int charset_maxlen(const std::string& charset) {
  const CharsetInfo* c = find_charset(charset);
  return c != nullptr ? c->maxlen : 4;
}

std::string default_collation(const std::string& charset, bool mariadb) {
  if (!mariadb && charset == "utf8mb4") return "utf8mb4_0900_ai_ci";
  const CharsetInfo* c = find_charset(charset);
  return c != nullptr ? c->collation : charset + "_general_ci";
}

// ---------------------------------------------------------------------------------------------
// Types

Family family_of(const std::string& data_type) {
  for (const auto& t : kTypes)
    if (data_type == t.name) return t.family;
  return Family::other;
}

bool is_character(const Column& c) {
  const Family f = family_of(c.data_type);
  return f == Family::character || f == Family::text || f == Family::choice;
}

// The widths MariaDB shows for integers declared without one.
int64_t default_int_width(const std::string& base, bool is_unsigned) {
  if (base == "tinyint") return is_unsigned ? 3 : 4;
  if (base == "smallint") return is_unsigned ? 5 : 6;
  if (base == "mediumint") return is_unsigned ? 8 : 9;
  if (base == "int") return is_unsigned ? 10 : 11;
  return 20;
}

int64_t int_precision(const std::string& base, bool is_unsigned) {
  if (base == "tinyint") return 3;
  if (base == "smallint") return 5;
  if (base == "mediumint") return is_unsigned ? 8 : 7;
  if (base == "int") return 10;
  return is_unsigned ? 20 : 19;
}

std::string text_type_for_bytes(int64_t bytes, bool blob) {
  const char* base = bytes <= 255        ? "tiny"
                     : bytes <= 65535    ? ""
                     : bytes <= 16777215 ? "medium"
                                         : "long";
  return std::string(base) + (blob ? "blob" : "text");
}

int64_t text_bytes(const std::string& base) {
  if (base.rfind("tiny", 0) == 0) return 255;
  if (base.rfind("medium", 0) == 0) return 16777215;
  if (base.rfind("long", 0) == 0) return 4294967295;
  return 65535;
}

// ---------------------------------------------------------------------------------------------
// Default values

ColumnDefault literal_default(TT token, const std::string& text, const Column& c) {
  ColumnDefault out{DefaultKind::literal, {}};
  const Family f = family_of(c.data_type);
  const auto number = literal_number(token, text);
  switch (f) {
    case Family::year:
      if (const long v = number ? std::lround(static_cast<double>(*number)) : -1;
          v >= 0 && v < 100 && token != TT::hex && token != TT::bits) {
        // Two digits, as the server reads them: 70-99 are 1970-1999, 1-69 are 2001-2069; 0 is
        // 0000 as a number and 2000 as a string.
        out.value = v == 0 && token == TT::number ? "0"
                    : v >= 70                     ? std::to_string(1900 + v)
                                                  : std::to_string(2000 + v);
        return out;
      }
      [[fallthrough]];
    case Family::integer:
      if (number) {
        out.value = round_decimal(token == TT::number || token == TT::string
                                      ? text
                                      : std::to_string(static_cast<uint64_t>(*number)),
                                  0);
        return out;
      }
      break;
    case Family::decimal:
      if (number) {
        out.value = round_decimal(text, c.scale.value_or(0));
        if (token == TT::hex || token == TT::bits)
          out.value = round_decimal(std::to_string(static_cast<uint64_t>(*number)), 0);
        return out;
      }
      break;
    case Family::floating:
      if (number) {
        out.value = shortest_float(static_cast<double>(*number), c.data_type == "float");
        return out;
      }
      break;
    case Family::bit:
      if (number || (token == TT::string && text.size() <= 8)) {
        // A string is its bytes, as for a binary string: '5' is 0x35, 'a' 0x61.
        uint64_t v = 0;
        if (token == TT::string) {
          for (const char ch : text) v = v << 8U | static_cast<unsigned char>(ch);
        } else {
          v = static_cast<uint64_t>(*number);
        }
        std::string bits;
        do {
          bits.insert(bits.begin(), static_cast<char>('0' + (v & 1U)));
          v >>= 1U;
        } while (v != 0);
        out.value = "b'" + bits + "'";
        return out;
      }
      break;
    case Family::temporal:
      if (c.data_type == "time" && token == TT::number && number) {
        // A number is [-]HHMMSS[.fraction]: 100 is one minute.
        const bool negative = text.front() == '-';
        const std::string digits = text.substr(negative ? 1 : 0);
        const size_t dot = digits.find('.');
        std::string whole = digits.substr(0, dot);
        whole.insert(0, whole.size() < 6 ? 6 - whole.size() : 0, '0');
        const size_t h = whole.size() - 4;
        out.value = (negative ? "-" : "") + whole.substr(0, h) + ":" + whole.substr(h, 2) + ":" +
                    whole.substr(h + 2) + (dot == std::string::npos ? "" : digits.substr(dot));
        out.value = normalize_temporal(out.value, c);
        return out;
      }
      out.value = normalize_temporal(text, c);
      return out;
    default:
      break;
  }
  out.value = literal_bytes(token, text);
  // BINARY(n) pads its values with zero bytes to n, the default too.
  if (c.data_type == "binary" && c.char_length &&
      out.value.size() < static_cast<size_t>(*c.char_length))
    out.value.resize(static_cast<size_t>(*c.char_length), '\0');
  return out;
}

std::string current_timestamp_text(std::optional<int64_t> fsp, bool mariadb) {
  const std::string name = mariadb ? "current_timestamp" : "CURRENT_TIMESTAMP";
  if (mariadb) return name + "(" + (fsp && *fsp > 0 ? std::to_string(*fsp) : "") + ")";
  return fsp && *fsp > 0 ? name + "(" + std::to_string(*fsp) + ")" : name;
}

}  // namespace my2pg::schema
