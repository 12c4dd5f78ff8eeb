#include "typemap/value_encoder.hpp"

#include <cstring>

namespace my2pg::typemap {
namespace {

bool any_of(std::string_view type, std::initializer_list<std::string_view> names) {
  for (auto n : names) {
    if (type == n) return true;
  }
  return false;
}

const char* append_text(std::string_view value, std::string& out) {
  if (std::memchr(value.data(), '\0', value.size()) != nullptr) {
    return "text contains a NUL byte, which PostgreSQL text cannot store";
  }
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out.push_back(c);
    }
  }
  return nullptr;
}

void append_bytes(std::string_view value, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\\\x";
  for (char c : value) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xf]);
  }
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

// "YYYY-MM-DD..." with a zero year, month or day has no PostgreSQL equivalent.
bool is_zero_date(std::string_view value) {
  if (value.size() < 10) return true;
  return value.substr(0, 4) == "0000" || value.substr(5, 2) == "00" || value.substr(8, 2) == "00";
}

}  // namespace

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
  if (any_of(t, {"binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob", "geometry",
                 "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon",
                 "geometrycollection", "geomcollection"})) {
    return {ValueKind::bytes};
  }
  return {ValueKind::text};
}

const char* append_copy_field(const ColumnCodec& codec, std::string_view value, std::string& out) {
  switch (codec.kind) {
    case ValueKind::plain:
    case ValueKind::time:
      out.append(value);
      return nullptr;
    case ValueKind::text:
      return append_text(value, out);
    case ValueKind::bytes:
      append_bytes(value, out);
      return nullptr;
    case ValueKind::bits:
      return append_bits(value, codec.bits, out);
    case ValueKind::date:
    case ValueKind::datetime:
    case ValueKind::timestamp:
      if (is_zero_date(value)) {
        return "zero or partly-zero date, which PostgreSQL cannot store";
      }
      out.append(value);
      if (codec.kind == ValueKind::timestamp) out += "+00";
      return nullptr;
  }
  return "unknown value kind";
}

}  // namespace my2pg::typemap
