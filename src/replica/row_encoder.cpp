#include "replica/row_encoder.hpp"

#include <cstdio>
#include <string_view>

#include "binlog/charset.hpp"
#include "binlog/value_format.hpp"

namespace my2pg::replica {
namespace {

using binlog::ValueKind;

constexpr const char* kNoCharset =
    "the column's character set is not known (its TABLE_MAP has no charset metadata: set "
    "binlog_row_metadata=FULL on the source)";
constexpr const char* kNoLabels =
    "an ENUM or SET value without the column's member labels (its TABLE_MAP has no "
    "ENUM_STR_VALUE/SET_STR_VALUE metadata: set binlog_row_metadata=FULL on the source)";
constexpr const char* kNoSign =
    "a negative integer in a column whose signedness is not known (its TABLE_MAP has no "
    "SIGNEDNESS metadata: set binlog_row_metadata=FULL on the source)";
constexpr const char* kJsonDiff =
    "a partial JSON update whose document is not in the binlog (binlog_row_image=MINIMAL): "
    "set binlog_row_image=FULL, or binlog_row_value_options='' on the source";

std::string_view raw(const binlog::Value& v) {
  return {reinterpret_cast<const char*>(v.bytes.data()), v.bytes.size()};
}

// `text` (in the column's charset) as UTF-8: itself when it already is UTF-8, else converted into
// `buffer`. nullptr on success.
const char* as_utf8(std::string_view text, const binlog::ColumnInfo& column, std::string& buffer,
                    std::string_view& utf8) {
  if (!column.charset) return kNoCharset;
  const binlog::Charset charset = binlog::charset_of_collation(*column.charset);
  if (charset == binlog::Charset::utf8) {
    utf8 = text;
    return nullptr;
  }
  buffer.clear();
  if (!binlog::append_utf8(text, charset, buffer)) {
    thread_local std::string reason;
    reason = "text that is not valid ";
    reason += binlog::charset_name(charset);
    reason += ", or a character set my2pg cannot convert to UTF-8";
    return reason.c_str();
  }
  utf8 = buffer;
  return nullptr;
}

bool is_number(ValueKind kind) {
  return kind == ValueKind::signed_int || kind == ValueKind::unsigned_int ||
         kind == ValueKind::float32 || kind == ValueKind::float64 || kind == ValueKind::decimal;
}

// As the server's Field_float/Field_double::val_str with declared decimals (my_fcvt: fixed
// notation, correctly rounded, as printf's %f), then Field_num::prepend_zeros for ZEROFILL.
void apply_display(const binlog::Value& v, const DisplayFormat& display, std::string& text) {
  if (display.decimals && (v.kind == ValueKind::float32 || v.kind == ValueKind::float64)) {
    const double x = v.kind == ValueKind::float32 ? static_cast<double>(v.f) : v.d;
    char buf[400];  // DOUBLE(255,30): 1e308 has 309 integer digits
    const int n = std::snprintf(buf, sizeof buf, "%.*f", static_cast<int>(*display.decimals), x);
    if (n > 0 && static_cast<size_t>(n) < sizeof buf) text.assign(buf, static_cast<size_t>(n));
  }
  if (display.zerofill_width > text.size())
    text.insert(0, display.zerofill_width - text.size(), '0');
}

// The numbers of "(M)" or "(M,D)" after the type name in a COLUMN_TYPE such as "float(7,2)".
void parse_lengths(const std::string& column_type, std::optional<uint32_t>& m,
                   std::optional<uint32_t>& d) {
  size_t i = column_type.find('(');
  auto number = [&]() -> std::optional<uint32_t> {
    uint32_t n = 0;
    const size_t from = ++i;
    while (i < column_type.size() && column_type[i] >= '0' && column_type[i] <= '9') {
      n = n * 10 + static_cast<uint32_t>(column_type[i++] - '0');
    }
    if (i == from) return std::nullopt;
    return n;
  };
  if (i == std::string::npos) return;
  m = number();
  if (m && i < column_type.size() && column_type[i] == ',') d = number();
}

uint32_t default_width(const std::string& data_type) {
  if (data_type == "tinyint") return 3;
  if (data_type == "smallint") return 5;
  if (data_type == "mediumint") return 8;
  if (data_type == "int") return 10;
  if (data_type == "bigint") return 20;
  if (data_type == "float") return 12;
  if (data_type == "double") return 22;
  return 0;
}

}  // namespace

DisplayFormat display_format(const schema::Column& column) {
  DisplayFormat display;
  const std::string& type = column.data_type;
  // FLOAT is read widened to DOUBLE on both paths, without its display format.
  if (type == "float") return display;
  const bool real = type == "double";
  if (!real && type != "decimal" && default_width(type) == 0) return display;
  std::optional<uint32_t> m, d;
  parse_lengths(column.column_type, m, d);
  if (real && m && d) display.decimals = d;
  if (column.column_type.find("zerofill") == std::string::npos) return display;
  if (type == "decimal") {
    display.zerofill_width = m.value_or(10) + (d.value_or(0) > 0 ? 1 : 0);  // digits and point
  } else {
    display.zerofill_width = m.value_or(default_width(type));
  }
  return display;
}

const char* append_copy_field(const typemap::ColumnCodec& codec, const binlog::Value& value,
                              const binlog::ColumnInfo& column, std::string& out,
                              const DisplayFormat& display) {
  // Per thread, reused: a value's text is rendered here when it is not in the event as is.
  thread_local std::string text, converted;
  std::string_view field;
  const char* problem = nullptr;
  switch (value.kind) {
    case ValueKind::null:
      out += "\\N";
      return nullptr;
    case ValueKind::json_diff:
      return kJsonDiff;
    case ValueKind::string:
      problem = as_utf8(raw(value), column, converted, field);
      break;
    case ValueKind::enum_index:
    case ValueKind::set_bits: {
      const bool labelled = value.kind == ValueKind::enum_index ? !column.enum_values.empty()
                                                                : !column.set_values.empty();
      if (!labelled) return kNoLabels;
      text.clear();
      binlog::append_text(value, column, text);
      problem = as_utf8(text, column, converted, field);
      break;
    }
    case ValueKind::bytes:
      if (column.mariadb_fbt != binlog::FixedBinaryType::none) {
        text.clear();
        binlog::append_text(value, column, text);
        field = text;
      } else {
        field = raw(value);
      }
      break;
    case ValueKind::bit:
    case ValueKind::geometry:
    case ValueKind::vector:
    case ValueKind::json_text:
      field = raw(value);
      break;
    case ValueKind::float32: {
      // As the snapshot reads FLOAT: widened to DOUBLE and printed exactly.
      binlog::Value widened = value;
      widened.kind = ValueKind::float64;
      widened.type = binlog::ColumnType::MYSQL_TYPE_DOUBLE;
      widened.d = static_cast<double>(value.f);
      text.clear();
      binlog::append_text(widened, column, text);
      field = text;
      break;
    }
    case ValueKind::year:  // as the snapshot reads YEAR: a number (YEAR(2) would print 2 digits)
      text = std::to_string(value.u);
      field = text;
      break;
    case ValueKind::signed_int:
      if (value.i < 0 && !column.is_unsigned) return kNoSign;
      [[fallthrough]];
    case ValueKind::unsigned_int:
    case ValueKind::float64:
    case ValueKind::decimal:
    case ValueKind::date:
    case ValueKind::time:
    case ValueKind::datetime:
    case ValueKind::timestamp:
    case ValueKind::json:
      text.clear();
      binlog::append_text(value, column, text);
      if (is_number(value.kind)) apply_display(value, display, text);
      field = text;
      break;
  }
  if (problem != nullptr) return problem;
  return typemap::append_copy_field(codec, field, out);
}

}  // namespace my2pg::replica
