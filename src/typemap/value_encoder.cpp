#include "typemap/value_encoder.hpp"

#include "common/json_writer.hpp"
#include "common/utf8.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace my2pg::typemap {
namespace {

bool any_of(std::string_view type, std::initializer_list<std::string_view> names) {
  for (auto n : names) {
    if (type == n) return true;
  }
  return false;
}

constexpr uint64_t kOnes = 0x0101010101010101;
constexpr uint64_t kHighs = kOnes * 0x80;

// False when all 8 bytes of `w` are copied as they are: none is a control byte (NUL, tab, newline,
// carriage return...), a backslash or a non-ASCII byte. (Bitwise "has a byte less than n" and
// "has a zero byte" tests: never false for a word that needs a look.)
bool needs_look(uint64_t w) {
  const uint64_t control = (w - kOnes * 0x20) & ~w;
  const uint64_t x = w ^ (kOnes * static_cast<unsigned char>('\\'));
  const uint64_t backslash = (x - kOnes) & ~x;
  return ((w | control | backslash) & kHighs) != 0;
}

// The COPY text escape for an ASCII byte, or nullptr when it is copied as is.
const char* escape_for(char c) {
  switch (c) {
    case '\\':
      return "\\\\";
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    case '\t':
      return "\\t";
    case '\0':
      return "";  // stripped (refused before this unless nul_bytes: strip)
    default:
      return nullptr;
  }
}

// Whether JSON text holds the escape \u0000 (a backslash that is not itself escaped).
bool has_nul_escape(std::string_view json) {
  for (size_t at = json.find("\\u0000"); at != std::string_view::npos;
       at = json.find("\\u0000", at + 1)) {
    size_t backslashes = 0;
    while (backslashes < at && json[at - 1 - backslashes] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return true;
  }
  return false;
}

// False when all 8 bytes of `w` reach PostgreSQL as they are in COPY binary format: none is NUL
// or a non-ASCII byte.
bool needs_look_raw(uint64_t w) {
  return ((((w - kOnes) & ~w) | w) & kHighs) != 0;
}

constexpr const char* kNulRefusal =
    "text contains a NUL byte, which PostgreSQL text cannot store (a rule with nul_bytes: strip "
    "drops them)";
constexpr const char* kInvalidUtf8Refusal =
    "text is not valid UTF-8 (a rule with invalid_text: replace puts U+FFFD in place of each bad "
    "sequence)";

// Copies runs of plain text in one append each; only escapes (COPY text) and bad bytes break a
// run.
template <TextForm form>
const char* append_text_as(std::string_view value, const ValuePolicy& policy, std::string& out) {
  const size_t rollback = out.size();
  const char* const p = value.data();
  const size_t n = value.size();
  size_t copied = 0;  // p[copied, i) is still to be appended as it is
  size_t i = 0;
  while (i < n) {
    if (n - i >= 8) {
      uint64_t word = 0;
      std::memcpy(&word, p + i, 8);
      if (form == TextForm::copy_text ? !needs_look(word) : !needs_look_raw(word)) {
        i += 8;
        continue;
      }
    }
    const char* replacement = nullptr;
    size_t skip = 1;
    if (static_cast<unsigned char>(p[i]) >= 0x80) {
      const size_t len = utf8_sequence(p + i, n - i, skip);
      if (len != 0) {
        i += len;
        continue;
      }
      if (policy.invalid_text == InvalidText::error) {
        out.resize(rollback);
        return kInvalidUtf8Refusal;
      }
      replacement = "\xef\xbf\xbd";
    } else {
      replacement = form == TextForm::copy_text ? escape_for(p[i]) : (p[i] == '\0' ? "" : nullptr);
      if (replacement == nullptr) {
        ++i;
        continue;
      }
      if (p[i] == '\0' && policy.nul_bytes == NulBytes::error) {
        out.resize(rollback);
        return kNulRefusal;
      }
    }
    out.append(p + copied, i - copied);
    out += replacement;
    i += skip;
    copied = i;
  }
  out.append(p + copied, n - copied);
  return nullptr;
}

void append_bytes(std::string_view value, std::string& out) {
  out += "\\\\x";
  append_hex(value, out);
}

const char* append_bits(std::string_view value, uint32_t width, std::string& out) {
  const size_t total = value.size() * 8;
  if (width == 0 || total < width) return "BIT value is shorter than its column width";
  for (size_t bit = total - width; bit < total; ++bit) {
    const auto byte = static_cast<unsigned char>(value[bit / 8]);
    out.push_back(((byte >> (7 - bit % 8)) & 1) != 0 ? '1' : '0');
  }
  return nullptr;
}

const char* append_date(ValueKind kind, ZeroDates zero_dates, std::string_view value,
                        std::string& out) {
  switch (classify_date(value, zero_dates)) {
    case DateValue::as_is:
      out.append(value);
      if (kind == ValueKind::timestamp) out += "+00";
      return nullptr;
    case DateValue::null:
      out += "\\N";
      return nullptr;
    case DateValue::minus_infinity:
      out += "-infinity";
      return nullptr;
    case DateValue::refused:
      break;
  }
  return kZeroDateRefusal;
}

template <const char* (*decode)(std::string_view, bool&)>
const char* append_boolean(std::string_view value, std::string& out) {
  bool b = false;
  if (const char* refused = decode(value, b)) return refused;
  out.push_back(b ? 't' : 'f');
  return nullptr;
}

}  // namespace

const char* const kZeroDateRefusal =
    "zero or partly-zero date, which PostgreSQL cannot store (a rule with zero_dates: null or "
    "-infinity maps them)";

const char* append_text(std::string_view value, const ValuePolicy& policy, TextForm form,
                        std::string& out) {
  return form == TextForm::copy_text ? append_text_as<TextForm::copy_text>(value, policy, out)
                                     : append_text_as<TextForm::raw>(value, policy, out);
}

DateValue classify_date(std::string_view value, ZeroDates zero_dates) {
  const bool zero = value.size() < 10 || value.substr(0, 4) == "0000" ||
                    value.substr(5, 2) == "00" || value.substr(8, 2) == "00";
  if (!zero) return DateValue::as_is;
  switch (zero_dates) {
    case ZeroDates::null:
      return DateValue::null;
    case ZeroDates::minus_infinity:
      return DateValue::minus_infinity;
    case ZeroDates::error:
      break;
  }
  return DateValue::refused;
}

const char* boolean_from_integer(std::string_view value, bool& result) {
  if (value == "0" || value == "1") {
    result = value[0] == '1';
    return nullptr;
  }
  constexpr size_t kShown = 24;
  thread_local char reason[96];
  std::snprintf(reason, sizeof reason, "value %.*s%s does not fit boolean: only 0 and 1 do",
                static_cast<int>(std::min(value.size(), kShown)), value.data(),
                value.size() > kShown ? "..." : "");
  return reason;
}

const char* boolean_from_bit(std::string_view value, bool& result) {
  if (value.size() != 1 || static_cast<unsigned char>(value[0]) > 1) {
    return "BIT(1) value is not the single byte 0x00 or 0x01";
  }
  result = value[0] == '\1';
  return nullptr;
}

bool mysql_geometry_to_ewkb(std::string_view value, std::string& out) {
  if (value.size() < 9) return false;
  const auto byte = [&](size_t i) { return static_cast<uint32_t>(static_cast<uint8_t>(value[i])); };
  const uint32_t srid = byte(0) | byte(1) << 8 | byte(2) << 16 | byte(3) << 24;
  const std::string_view wkb = value.substr(4);
  if (srid == 0) {
    out.append(wkb);
    return true;
  }
  const bool little = wkb[0] != 0;
  const auto put = [&](uint32_t v) {
    for (int i = 0; i < 4; ++i) {
      const int shift = little ? 8 * i : 8 * (3 - i);
      out.push_back(static_cast<char>((v >> shift) & 0xFFU));
    }
  };
  uint32_t type = 0;
  for (int i = 0; i < 4; ++i) {
    const uint32_t b = byte(5 + static_cast<size_t>(i));
    type |= little ? b << (8 * i) : b << (8 * (3 - i));
  }
  out.push_back(wkb[0]);
  put(type | 0x20000000U);  // EWKB's "has SRID" flag
  put(srid);
  out.append(wkb.substr(5));
  return true;
}

ColumnCodec codec_for(const schema::Column& c) {
  const std::string_view t = c.data_type;
  if (any_of(t, {"tinyint", "smallint", "mediumint", "int", "bigint", "decimal", "float", "double",
                 "year"})) {
    return {ValueKind::plain};
  }
  if (t == "bit") return {ValueKind::bits, static_cast<uint32_t>(c.precision.value_or(0))};
  if (t == "date") return {ValueKind::date};
  if (t == "datetime") return {ValueKind::datetime};
  if (t == "timestamp") return {ValueKind::timestamp};
  if (t == "time") return {ValueKind::time};
  if (any_of(t, {"binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob"})) {
    return {ValueKind::bytes};
  }
  if (any_of(t, {"geometry", "point", "linestring", "polygon", "multipoint", "multilinestring",
                 "multipolygon", "geometrycollection", "geomcollection"})) {
    return {ValueKind::geometry_bytea};
  }
  return {ValueKind::text};
}

ColumnCodec codec_for(const schema::Column& c, const TargetType& target) {
  ColumnCodec codec = codec_for(c);
  codec.policy = target.policy;
  if (codec.kind == ValueKind::text && target.sql == "jsonb") codec.kind = ValueKind::jsonb;
  if (codec.kind == ValueKind::geometry_bytea && target.sql.rfind("geometry", 0) == 0)
    codec.kind = ValueKind::geometry_postgis;
  if (target.kind == TargetKind::boolean) {
    codec.kind =
        c.data_type == "bit" ? ValueKind::boolean_from_bit : ValueKind::boolean_from_integer;
  }
  return codec;
}

const char* append_copy_field(const ColumnCodec& codec, std::string_view value, std::string& out) {
  switch (codec.kind) {
    case ValueKind::plain:
    case ValueKind::time:
      out.append(value);
      return nullptr;
    case ValueKind::text:
      return append_text_as<TextForm::copy_text>(value, codec.policy, out);
    case ValueKind::geometry_bytea:
    case ValueKind::geometry_postgis: {
      thread_local std::string ewkb;
      ewkb.clear();
      if (!mysql_geometry_to_ewkb(value, ewkb))
        return "geometry value is shorter than MySQL's SRID and WKB header (9 bytes)";
      if (codec.kind == ValueKind::geometry_bytea) {
        append_bytes(ewkb, out);
      } else {
        append_hex(ewkb, out);
      }
      return nullptr;
    }
    case ValueKind::jsonb:
      if (has_nul_escape(value)) {
        return "JSON holds the escape \\u0000, which jsonb cannot store; a rule with target: "
               "json (match the column by name) keeps it";
      }
      return append_text_as<TextForm::copy_text>(value, codec.policy, out);
    case ValueKind::bytes:
      append_bytes(value, out);
      return nullptr;
    case ValueKind::bits:
      return append_bits(value, codec.bits, out);
    case ValueKind::date:
    case ValueKind::datetime:
    case ValueKind::timestamp:
      return append_date(codec.kind, codec.policy.zero_dates, value, out);
    case ValueKind::boolean_from_integer:
      return append_boolean<boolean_from_integer>(value, out);
    case ValueKind::boolean_from_bit:
      return append_boolean<boolean_from_bit>(value, out);
  }
  return "unknown value kind";
}

}  // namespace my2pg::typemap
