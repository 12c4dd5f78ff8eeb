#include "binlog/value_format.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <string_view>
#include <vector>

#include "binlog/byte_reader.hpp"
#include "binlog/decimal.hpp"
#include "binlog/json_binary.hpp"
#include "binlog/number_text.hpp"
#include "binlog/temporal.hpp"
#include "common/error.hpp"

namespace my2pg::binlog {
namespace {

void append_raw(std::span<const uint8_t> b, std::string& out) {
  out.append(reinterpret_cast<const char*>(b.data()), b.size());
}

std::string column_label(const ColumnInfo& column) {
  return column.name.empty() ? std::string("a column") : "column `" + column.name + "`";
}

void append_enum(const Value& v, const ColumnInfo& column, std::string& out) {
  if (column.enum_values.empty()) return append_number(v.u, out);
  if (v.u == 0) return;  // the '' of an invalid value inserted without strict mode
  if (v.u > column.enum_values.size()) {
    throw DecodeError("ENUM index " + std::to_string(v.u) + " of " + column_label(column) +
                      " is beyond its " + std::to_string(column.enum_values.size()) + " members");
  }
  out += column.enum_values[v.u - 1];
}

void append_set(const Value& v, const ColumnInfo& column, std::string& out) {
  if (column.set_values.empty()) return append_number(v.u, out);
  const size_t n = column.set_values.size();
  if (n < 64 && (v.u >> n) != 0) {
    throw DecodeError("SET value " + std::to_string(v.u) + " of " + column_label(column) +
                      " has bits beyond its " + std::to_string(n) + " members");
  }
  bool first = true;
  for (size_t i = 0; i < n; ++i) {
    if ((v.u >> i & 1) == 0) continue;
    if (!first) out += ',';
    out += column.set_values[i];
    first = false;
  }
}

}  // namespace

void append_uuid(std::span<const uint8_t> b, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[b[i] >> 4];
    out += kHex[b[i] & 0xf];
  }
}

namespace {

void append_inet4(std::span<const uint8_t> b, std::string& out) {
  for (size_t i = 0; i < b.size(); ++i) {
    if (i != 0) out += '.';
    append_number(static_cast<unsigned>(b[i]), out);
  }
}

// As MariaDB's Inet6::to_string: lower-case hex words without leading zeros, the first longest
// run of zero words (even a single one) as "::", and the IPv4 part of IPv4-compatible
// (::a.b.c.d) and IPv4-mapped (::ffff:a.b.c.d) addresses in dotted form.
void append_inet6(std::span<const uint8_t> b, std::string& out) {
  uint16_t words[8];
  for (size_t i = 0; i < 8; ++i) words[i] = static_cast<uint16_t>(b[2 * i] << 8 | b[2 * i + 1]);
  size_t gap_pos = 8, gap_len = 0;
  for (size_t i = 0; i < 8;) {
    if (words[i] != 0) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < 8 && words[j] == 0) ++j;
    if (j - i > gap_len) {
      gap_pos = i;
      gap_len = j - i;
    }
    i = j;
  }
  for (size_t i = 0; i < 8; ++i) {
    if (i == gap_pos) {
      out += i == 0 ? "::" : ":";
      i += gap_len - 1;
    } else if (i == 6 && gap_pos == 0 && (gap_len == 6 || (gap_len == 5 && words[5] == 0xffff))) {
      append_inet4(b.subspan(12, 4), out);
      return;
    } else {
      char buf[8];
      const auto res = std::to_chars(buf, buf + sizeof buf, words[i], 16);
      out.append(buf, static_cast<size_t>(res.ptr - buf));
      if (i != 7) out += ':';
    }
  }
}

const char* fbt_name(FixedBinaryType t) {
  switch (t) {
    case FixedBinaryType::uuid:
      return "UUID";
    case FixedBinaryType::inet4:
      return "INET4";
    case FixedBinaryType::inet6:
      return "INET6";
    case FixedBinaryType::none:
      break;
  }
  return "BINARY";
}

void append_fixed_binary(const Value& v, const ColumnInfo& column, std::string& out) {
  const size_t want = column.mariadb_fbt == FixedBinaryType::inet4 ? 4 : 16;
  if (v.bytes.size() != want) {
    throw DecodeError(std::string("a MariaDB ") + fbt_name(column.mariadb_fbt) + " value of " +
                      column_label(column) + " has " + std::to_string(v.bytes.size()) +
                      " bytes, expected " + std::to_string(want));
  }
  switch (column.mariadb_fbt) {
    case FixedBinaryType::uuid:
      return append_uuid(v.bytes, out);
    case FixedBinaryType::inet4:
      return append_inet4(v.bytes, out);
    case FixedBinaryType::inet6:
      return append_inet6(v.bytes, out);
    case FixedBinaryType::none:
      break;
  }
  append_raw(v.bytes, out);
}

// A partial JSON update whose document is not in the event, shown as the MySQL expression that
// would apply it (as mysqlbinlog -v shows it): JSON_INSERT(JSON_REPLACE(`doc`, '$.a', 1), '$.b',
// 2). It is for reading, not a value to store.
void append_json_diff(std::span<const uint8_t> diff, const ColumnInfo& column, std::string& out) {
  struct Op {
    uint8_t op;
    std::string_view path;
    std::span<const uint8_t> value;
  };
  static constexpr const char* kNames[] = {"JSON_REPLACE", "JSON_INSERT", "JSON_REMOVE"};
  std::vector<Op> ops;
  ByteReader r(diff);
  while (!r.at_end()) {
    Op d;
    d.op = r.u8("JSON diff operation");
    if (d.op > 2) r.fail("JSON diff operation", "is " + std::to_string(d.op));
    d.path = r.str(r.length(r.packed("JSON diff path length"), "JSON diff path"), "JSON diff path");
    if (d.op != 2) {
      d.value = r.bytes(r.length(r.packed("JSON diff value length"), "JSON diff value"),
                        "JSON diff value");
    }
    ops.push_back(d);
  }
  for (auto it = ops.rbegin(); it != ops.rend(); ++it) {
    out += kNames[it->op];
    out += '(';
  }
  out += column.name.empty() ? std::string("@") : "`" + column.name + "`";
  for (const Op& d : ops) {
    out += ", '";
    for (char c : d.path) {
      if (c == '\'' || c == '\\') out += '\\';
      out += c;
    }
    out += '\'';
    if (d.op != 2) {
      out += ", ";
      append_json_text(d.value, out);
    }
    out += ')';
  }
}

void append_timestamp(const Value& v, std::string& out) {
  if (v.u == 0) {  // the zero TIMESTAMP, whatever its fraction
    out += "0000-00-00 00:00:00";
    if (v.fsp > 0) {
      out += '.';
      out.append(v.fsp > 6 ? 6 : v.fsp, '0');
    }
    return;
  }
  append_datetime(temporal_from_unix(static_cast<int64_t>(v.u), v.t.micros), v.fsp, out);
}

}  // namespace

void append_text(const Value& v, const ColumnInfo& column, std::string& out) {
  switch (v.kind) {
    case ValueKind::null:
      return;
    case ValueKind::signed_int:
      return append_number(v.i, out);
    case ValueKind::unsigned_int:
      return append_number(v.u, out);
    case ValueKind::float32:
      return append_mysql_real(static_cast<double>(v.f), true, out);
    case ValueKind::float64:
      return append_mysql_real(v.d, false, out);
    case ValueKind::decimal:
      return append_decimal(v.bytes, v.precision, v.scale, out);
    case ValueKind::year: {
      char buf[8];
      std::snprintf(buf, sizeof buf, "%04u", static_cast<unsigned>(v.u % 10000));
      out += buf;
      return;
    }
    case ValueKind::date:
      return append_date(v.t, out);
    case ValueKind::time:
      return append_time(v.t, v.fsp, out);
    case ValueKind::datetime:
      return append_datetime(v.t, v.fsp, out);
    case ValueKind::timestamp:
      return append_timestamp(v, out);
    case ValueKind::bytes:
      if (column.mariadb_fbt != FixedBinaryType::none) return append_fixed_binary(v, column, out);
      return append_raw(v.bytes, out);
    case ValueKind::string:
    case ValueKind::bit:
    case ValueKind::json_text:
    case ValueKind::geometry:
    case ValueKind::vector:
      return append_raw(v.bytes, out);
    case ValueKind::enum_index:
      return append_enum(v, column, out);
    case ValueKind::set_bits:
      return append_set(v, column, out);
    case ValueKind::json:
      return append_json_text(v.bytes, out);
    case ValueKind::json_diff:
      return append_json_diff(v.bytes, column, out);
  }
  throw DecodeError("value of unknown kind " + std::to_string(static_cast<int>(v.kind)));
}

}  // namespace my2pg::binlog
