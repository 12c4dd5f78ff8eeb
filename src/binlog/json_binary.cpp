// MySQL's binary JSON (sql-common/json_binary.h in mysql-server) printed as MySQL prints it
// (Json_wrapper::to_string), and PARTIAL_UPDATE_ROWS diffs (json_diff.cc) applied to it.
//
// A document is a type byte and a value. Objects and arrays start with an element count and a
// byte size (2 bytes each in the small format, 4 in the large one), then for objects one key
// entry per member (offset, 2-byte length), then one value entry per element (type byte, then
// the value itself when it is inlined, else its offset). Offsets count from the element count.
// Keys and non-inlined values follow the entries.
//
// Hostile input: every read goes through ByteReader; offsets must point past the entries and
// inside the container; nesting stops at MySQL's JSON_DOCUMENT_MAX_DEPTH; and the bytes used by
// all values together may not exceed the document, so offsets that make values share bytes
// (which MySQL never writes) cannot multiply the output.
#include "binlog/json_binary.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string_view>
#include <utility>
#include <vector>

#include "binlog/byte_reader.hpp"
#include "binlog/constants.hpp"
#include "binlog/decimal.hpp"
#include "binlog/number_text.hpp"
#include "common/error.hpp"

namespace my2pg::binlog {
namespace {

constexpr uint8_t JSONB_TYPE_SMALL_OBJECT = 0x0;
constexpr uint8_t JSONB_TYPE_LARGE_OBJECT = 0x1;
constexpr uint8_t JSONB_TYPE_SMALL_ARRAY = 0x2;
constexpr uint8_t JSONB_TYPE_LARGE_ARRAY = 0x3;
constexpr uint8_t JSONB_TYPE_LITERAL = 0x4;
constexpr uint8_t JSONB_TYPE_INT16 = 0x5;
constexpr uint8_t JSONB_TYPE_UINT16 = 0x6;
constexpr uint8_t JSONB_TYPE_INT32 = 0x7;
constexpr uint8_t JSONB_TYPE_UINT32 = 0x8;
constexpr uint8_t JSONB_TYPE_INT64 = 0x9;
constexpr uint8_t JSONB_TYPE_UINT64 = 0xA;
constexpr uint8_t JSONB_TYPE_DOUBLE = 0xB;
constexpr uint8_t JSONB_TYPE_STRING = 0xC;
constexpr uint8_t JSONB_TYPE_OPAQUE = 0xF;

constexpr uint8_t JSONB_NULL_LITERAL = 0x0;
constexpr uint8_t JSONB_TRUE_LITERAL = 0x1;
constexpr uint8_t JSONB_FALSE_LITERAL = 0x2;

// JSON_DOCUMENT_MAX_DEPTH: MySQL refuses to print a document whose arrays and objects nest
// deeper than this.
constexpr size_t kMaxDepth = 100;

// enum_json_diff_operation
constexpr uint8_t kDiffReplace = 0;
constexpr uint8_t kDiffInsert = 1;
constexpr uint8_t kDiffRemove = 2;

std::string hex_byte(uint8_t b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", static_cast<unsigned>(b));
  return buf;
}

[[noreturn]] void fail(size_t offset, const std::string& problem) {
  throw DecodeError("JSON value at offset " + std::to_string(offset) + " " + problem);
}

[[noreturn]] void fail_depth() {
  throw DecodeError("JSON document nests arrays and objects deeper than " +
                    std::to_string(kMaxDepth) + " levels, MySQL's maximum JSON depth");
}

template <class Int>
void append_integer(Int v, std::string& out) {
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

// double_quote() in json_dom.cc: only '"', '\\' and bytes up to 0x1f are escaped; other bytes,
// including non-ASCII UTF-8, are copied as they are.
void append_quoted(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  size_t plain = 0;  // start of the run not yet copied
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c > 0x1f && c != '"' && c != '\\') continue;
    out.append(s.substr(plain, i - plain));
    plain = i + 1;
    out += '\\';
    switch (c) {
      case '\b':
        out += 'b';
        break;
      case '\t':
        out += 't';
        break;
      case '\n':
        out += 'n';
        break;
      case '\f':
        out += 'f';
        break;
      case '\r':
        out += 'r';
        break;
      case '"':
      case '\\':
        out += static_cast<char>(c);
        break;
      default:
        out += "u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xf];
    }
  }
  out.append(s.substr(plain));
  out += '"';
}

// A double as MySQL's JSON printer shows it: my_gcvt() (as for SELECT), then ".0" when the text
// has neither '.' nor 'e'; infinities and NaN, which JSON never holds, as 0.0 (dtoa's "0").
void append_double(double d, std::string& out) {
  if (!std::isfinite(d)) {
    out += "0.0";
    return;
  }
  const size_t start = out.size();
  append_mysql_real(d, false, out);
  if (out.find_first_of(".e", start) == std::string::npos) out += ".0";
}

// The opaque DECIMAL: precision and scale bytes, then the value in MySQL's binary DECIMAL form,
// printed by decimal.cpp like decimal2string(): every scale digit kept, leading zeros dropped.
void append_decimal(std::span<const uint8_t> data, size_t at, std::string& out) {
  if (data.size() < 2) fail(at, "is a DECIMAL opaque without its precision and scale bytes");
  const unsigned precision = data[0];
  const unsigned scale = data[1];
  const auto bin = data.subspan(2);
  if (precision == 0 && scale == 0 && bin.empty()) {  // bin2decimal() makes DECIMAL(0,0) a zero
    out += '0';
    return;
  }
  const size_t expected = decimal_binary_size(precision, scale);
  if (expected == 0) {
    fail(at, "is a DECIMAL opaque with an invalid precision " + std::to_string(precision) +
                 " and scale " + std::to_string(scale));
  }
  if (bin.size() != expected) {
    fail(at, "is a DECIMAL(" + std::to_string(precision) + "," + std::to_string(scale) +
                 ") opaque of " + std::to_string(bin.size()) + " bytes; it needs " +
                 std::to_string(expected));
  }
  binlog::append_decimal(bin, precision, scale, out);
}

// Opaque DATE, TIME, DATETIME and TIMESTAMP hold MySQL's 8-byte packed temporal integer
// (TIME_to_longlong_packed); they print as my_TIME_to_str(t, 6) does, in double quotes.
void append_temporal(ColumnType type, std::span<const uint8_t> data, size_t at, std::string& out) {
  if (data.size() != 8) {
    fail(at, "is a temporal opaque of " + std::to_string(data.size()) +
                 " bytes; MySQL's packed form has 8");
  }
  ByteReader r(data);
  const auto packed = static_cast<int64_t>(r.u64("packed temporal"));
  const bool negative = packed < 0;
  const uint64_t magnitude =
      negative ? 0 - static_cast<uint64_t>(packed) : static_cast<uint64_t>(packed);
  const auto micros = static_cast<unsigned>(magnitude % (1u << 24));
  const uint64_t int_part = magnitude >> 24;
  char buf[80];
  if (type == ColumnType::MYSQL_TYPE_TIME) {
    std::snprintf(buf, sizeof buf, "%s%02u:%02u:%02u.%06u", negative ? "-" : "",
                  static_cast<unsigned>((int_part >> 12) % (1u << 10)),
                  static_cast<unsigned>((int_part >> 6) % (1u << 6)),
                  static_cast<unsigned>(int_part % (1u << 6)), micros);
  } else {
    const uint64_t ymd = int_part >> 17;
    const uint64_t ym = ymd >> 5;
    const uint64_t hms = int_part % (1u << 17);
    const auto year = static_cast<unsigned>(ym / 13);
    const auto month = static_cast<unsigned>(ym % 13);
    const auto day = static_cast<unsigned>(ymd % (1u << 5));
    if (type == ColumnType::MYSQL_TYPE_DATE) {
      std::snprintf(buf, sizeof buf, "%04u-%02u-%02u", year, month, day);
    } else {
      std::snprintf(buf, sizeof buf, "%04u-%02u-%02u %02u:%02u:%02u.%06u", year, month, day,
                    static_cast<unsigned>(hms >> 12), static_cast<unsigned>((hms >> 6) % 64),
                    static_cast<unsigned>(hms % 64), micros);
    }
  }
  append_quoted(buf, out);
}

// Any other opaque value prints as "base64:typeNN:..." with MySQL's base64_encode(), which
// starts a new line after every 76 characters (escaped as \n inside the JSON string).
void append_base64_opaque(uint8_t field_type, std::span<const uint8_t> data, std::string& out) {
  static constexpr char kTable[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string text = "base64:type";
  append_integer(static_cast<unsigned>(field_type), text);
  text += ':';
  text.reserve(text.size() + data.size() / 3 * 4 + data.size() / 57 + 4);
  size_t line = 0;
  for (size_t i = 0; i < data.size(); i += 3) {
    if (line == 76) {
      text += '\n';
      line = 0;
    }
    const size_t n = std::min<size_t>(3, data.size() - i);
    uint32_t c = static_cast<uint32_t>(data[i]) << 16;
    if (n > 1) c |= static_cast<uint32_t>(data[i + 1]) << 8;
    if (n > 2) c |= data[i + 2];
    text += kTable[(c >> 18) & 0x3f];
    text += kTable[(c >> 12) & 0x3f];
    text += n > 1 ? kTable[(c >> 6) & 0x3f] : '=';
    text += n > 2 ? kTable[c & 0x3f] : '=';
    line += 4;
  }
  append_quoted(text, out);
}

void append_opaque(uint8_t field_type, std::span<const uint8_t> data, size_t at, std::string& out) {
  switch (static_cast<ColumnType>(field_type)) {
    case ColumnType::MYSQL_TYPE_NEWDECIMAL:
      append_decimal(data, at, out);
      return;
    case ColumnType::MYSQL_TYPE_DATE:
    case ColumnType::MYSQL_TYPE_TIME:
    case ColumnType::MYSQL_TYPE_DATETIME:
    case ColumnType::MYSQL_TYPE_TIMESTAMP:
      append_temporal(static_cast<ColumnType>(field_type), data, at, out);
      return;
    case ColumnType::MYSQL_TYPE_VAR_STRING:  // wrapper_to_string() prints these as strings
      append_quoted({reinterpret_cast<const char*>(data.data()), data.size()}, out);
      return;
    default:
      append_base64_opaque(field_type, data, out);
  }
}

// The length of a string or opaque value: 7 bits per byte, low bits first, high bit set on
// every byte but the last, at most 5 bytes and 32 bits.
uint32_t read_varlen(ByteReader& r, const char* what) {
  uint64_t n = 0;
  for (unsigned i = 0; i < 5; ++i) {
    const uint8_t b = r.u8(what);
    n |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      if (n > UINT32_MAX) r.fail(what, "exceeds 32 bits");
      return static_cast<uint32_t>(n);
    }
  }
  r.fail(what, "runs past 5 bytes");
}

bool known_type(uint8_t type) {
  return type <= JSONB_TYPE_STRING || type == JSONB_TYPE_OPAQUE;
}

bool is_inlined(uint8_t type, bool large) {
  switch (type) {
    case JSONB_TYPE_LITERAL:
    case JSONB_TYPE_INT16:
    case JSONB_TYPE_UINT16:
      return true;
    case JSONB_TYPE_INT32:
    case JSONB_TYPE_UINT32:
      return large;
    default:
      return false;
  }
}

// MySQL's object key order (Json_key_comparator): shorter keys first, then bytewise.
bool key_less(std::string_view a, std::string_view b) {
  return a.size() != b.size() ? a.size() < b.size() : a < b;
}

struct Member;

// A parsed document, for applying diffs. Scalars keep the text they print as.
struct Node {
  enum class Kind : uint8_t { scalar, array, object };
  Kind kind = Kind::scalar;
  std::string text;
  std::vector<Node> items;      // array elements
  std::vector<Member> members;  // object members, in MySQL's key order
};

struct Member {
  std::string key;
  Node value;
};

// Receives the walk of a document as text.
class TextSink {
 public:
  explicit TextSink(std::string& out) : m_out(out) {}
  void open(bool object) { m_out += object ? '{' : '['; }
  void close(bool object) { m_out += object ? '}' : ']'; }
  void separator() { m_out += ", "; }
  void key(std::string_view k) {
    append_quoted(k, m_out);
    m_out += ": ";
  }
  std::string& scalar() { return m_out; }

 private:
  std::string& m_out;
};

// Receives the walk of a document as a Node tree. Members are put in MySQL's key order, the
// last of duplicate keys winning, as Json_dom::parse() does.
class DomSink {
 public:
  Node take() { return std::move(m_root); }
  void open(bool object) {
    Node& n = next();
    n.kind = object ? Node::Kind::object : Node::Kind::array;
    m_open.push_back(&n);
  }
  void close(bool object) {
    if (object) normalize(m_open.back()->members);
    m_open.pop_back();
  }
  void separator() {}
  void key(std::string_view k) { m_key.assign(k); }
  std::string& scalar() { return next().text; }

 private:
  Node& next() {
    if (m_open.empty()) return m_root;
    Node& parent = *m_open.back();
    if (parent.kind == Node::Kind::array) return parent.items.emplace_back();
    parent.members.push_back(Member{std::move(m_key), Node{}});
    return parent.members.back().value;
  }

  static void normalize(std::vector<Member>& members) {
    const auto not_less = [](const Member& a, const Member& b) { return !key_less(a.key, b.key); };
    if (std::adjacent_find(members.begin(), members.end(), not_less) == members.end()) return;
    std::stable_sort(members.begin(), members.end(),
                     [](const Member& a, const Member& b) { return key_less(a.key, b.key); });
    size_t kept = 0;
    for (size_t i = 0; i < members.size(); ++i) {
      if (i + 1 < members.size() && members[i].key == members[i + 1].key) continue;
      if (kept != i) members[kept] = std::move(members[i]);
      ++kept;
    }
    members.resize(kept);
  }

  Node m_root;
  std::vector<Node*> m_open;  // containers being filled, innermost last
  std::string m_key;
};

// Walks one binary document, validating as it goes, and reports it to a sink.
template <class Sink>
class Walker {
 public:
  Walker(std::span<const uint8_t> doc, Sink& sink) : m_doc(doc), m_sink(sink) {}

  void walk() {
    if (m_doc.empty()) {  // MySQL reads an empty JSON value as null
      m_sink.scalar() += "null";
      return;
    }
    use(0, 1);
    value(m_doc[0], 1, m_doc.size(), 0);
  }

 private:
  // The value of `type` at document offset `at`, which must end by `end`; `depth` counts the
  // arrays and objects around it.
  void value(uint8_t type, size_t at, size_t end, size_t depth) {
    if (type <= JSONB_TYPE_LARGE_ARRAY) return container(type, at, end, depth);
    use(at, scalar(type, at, end));
  }

  void container(uint8_t type, size_t at, size_t end, size_t depth) {
    if (depth >= kMaxDepth) fail_depth();
    const bool object = type == JSONB_TYPE_SMALL_OBJECT || type == JSONB_TYPE_LARGE_OBJECT;
    const bool large = type == JSONB_TYPE_LARGE_OBJECT || type == JSONB_TYPE_LARGE_ARRAY;
    const char* kind = object ? (large ? "large object" : "small object")
                              : (large ? "large array" : "small array");
    const size_t osz = large ? 4 : 2;
    ByteReader r(m_doc.first(end));
    r.skip(at, "JSON container");
    const uint64_t count = r.le(osz, "JSON element count");
    const uint64_t size = r.le(osz, "JSON container size");
    if (size > end - at) {
      fail(at, std::string("is a ") + kind + " that claims " + std::to_string(size) +
                   " bytes but only " + std::to_string(end - at) + " remain");
    }
    const size_t key_entry = object ? osz + 2 : 0;
    const size_t value_entry = 1 + osz;
    const uint64_t header = 2 * osz + count * (key_entry + value_entry);
    if (header > size) {
      fail(at, std::string("is a ") + kind + " of " + std::to_string(count) +
                   " elements whose entries need " + std::to_string(header) +
                   " bytes, more than its size " + std::to_string(size));
    }
    use(at, header);
    const size_t stop = at + static_cast<size_t>(size);
    ByteReader keys(m_doc.first(stop));
    keys.skip(at + 2 * osz, "JSON key entries");
    ByteReader values(m_doc.first(stop));
    values.skip(at + 2 * osz + static_cast<size_t>(count) * key_entry, "JSON value entries");

    m_sink.open(object);
    for (uint64_t i = 0; i < count; ++i) {
      if (i > 0) m_sink.separator();
      if (object) member_key(keys, at, osz, header, size);
      const size_t entry = values.offset();
      const uint8_t t = values.u8("JSON value type");
      if (!known_type(t)) fail(entry, "has unknown JSON type " + hex_byte(t));
      if (is_inlined(t, large)) {
        scalar(t, values.offset(), values.offset() + osz);  // inside the entries already used
        values.skip(osz, "JSON inlined value");
        continue;
      }
      const uint64_t offset = values.le(osz, "JSON value offset");
      if (offset < header || offset >= size) {
        fail(entry, std::string("points to offset ") + std::to_string(offset) + " outside the " +
                        kind + "'s values (" + std::to_string(header) + " to " +
                        std::to_string(size) + ")");
      }
      value(t, at + static_cast<size_t>(offset), stop, depth + 1);
    }
    m_sink.close(object);
  }

  void member_key(ByteReader& keys, size_t at, size_t osz, uint64_t header, uint64_t size) {
    const size_t entry = keys.offset();
    const uint64_t offset = keys.le(osz, "JSON key offset");
    const uint16_t length = keys.u16("JSON key length");
    if (offset < header || offset + length > size) {
      fail(entry, "is a key entry for " + std::to_string(length) + " bytes at offset " +
                      std::to_string(offset) + ", outside the object's keys (" +
                      std::to_string(header) + " to " + std::to_string(size) + ")");
    }
    use(entry, length);
    ByteReader k(m_doc.first(at + static_cast<size_t>(size)));
    k.skip(at + static_cast<size_t>(offset), "JSON key");
    m_sink.key(k.str(length, "JSON key"));
  }

  // A scalar at `at` that must end by `end`; returns how many bytes it took.
  size_t scalar(uint8_t type, size_t at, size_t end) {
    ByteReader r(m_doc.first(end));
    r.skip(at, "JSON value");
    std::string& out = m_sink.scalar();
    switch (type) {
      case JSONB_TYPE_LITERAL: {
        const uint8_t v = r.u8("JSON literal");
        if (v == JSONB_NULL_LITERAL) {
          out += "null";
        } else if (v == JSONB_TRUE_LITERAL) {
          out += "true";
        } else if (v == JSONB_FALSE_LITERAL) {
          out += "false";
        } else {
          fail(at, "is a literal of unknown value " + hex_byte(v));
        }
        break;
      }
      case JSONB_TYPE_INT16:
        append_integer(static_cast<int16_t>(r.u16("JSON int16")), out);
        break;
      case JSONB_TYPE_UINT16:
        append_integer(r.u16("JSON uint16"), out);
        break;
      case JSONB_TYPE_INT32:
        append_integer(static_cast<int32_t>(r.u32("JSON int32")), out);
        break;
      case JSONB_TYPE_UINT32:
        append_integer(r.u32("JSON uint32"), out);
        break;
      case JSONB_TYPE_INT64:
        append_integer(static_cast<int64_t>(r.u64("JSON int64")), out);
        break;
      case JSONB_TYPE_UINT64:
        append_integer(r.u64("JSON uint64"), out);
        break;
      case JSONB_TYPE_DOUBLE:
        append_double(r.f64("JSON double"), out);
        break;
      case JSONB_TYPE_STRING: {
        const size_t n = r.length(read_varlen(r, "JSON string length"), "JSON string");
        append_quoted(r.str(n, "JSON string"), out);
        break;
      }
      case JSONB_TYPE_OPAQUE: {
        const uint8_t field_type = r.u8("JSON opaque field type");
        const size_t n = r.length(read_varlen(r, "JSON opaque length"), "JSON opaque data");
        append_opaque(field_type, r.bytes(n, "JSON opaque data"), at, out);
        break;
      }
      default:
        fail(at, "has unknown JSON type " + hex_byte(type));
    }
    return r.offset() - at;
  }

  // Counts bytes as taken by a value; in a document MySQL wrote no byte belongs to two values.
  void use(size_t at, uint64_t n) {
    m_used += n;
    if (m_used > m_doc.size()) {
      fail(at, "reuses bytes of other values (offsets overlap), which MySQL never writes");
    }
  }

  std::span<const uint8_t> m_doc;
  Sink& m_sink;
  uint64_t m_used = 0;
};

Node to_dom(std::span<const uint8_t> binary) {
  DomSink sink;
  Walker<DomSink>(binary, sink).walk();
  return sink.take();
}

void print(const Node& n, std::string& out, size_t depth) {
  if (n.kind == Node::Kind::scalar) {
    out += n.text;
    return;
  }
  if (depth >= kMaxDepth) fail_depth();
  if (n.kind == Node::Kind::array) {
    out += '[';
    for (size_t i = 0; i < n.items.size(); ++i) {
      if (i > 0) out += ", ";
      print(n.items[i], out, depth + 1);
    }
    out += ']';
    return;
  }
  out += '{';
  for (size_t i = 0; i < n.members.size(); ++i) {
    if (i > 0) out += ", ";
    append_quoted(n.members[i].key, out);
    out += ": ";
    print(n.members[i].value, out, depth + 1);
  }
  out += '}';
}

// One step of a diff path: a member name, or an array cell [N], [last] or [last-N].
struct Leg {
  bool member = false;
  std::string name;
  uint32_t index = 0;
  bool from_end = false;
};

// Parses a path as json_path.cc does, accepting only the member and array-cell steps that
// partial updates log (no wildcards, ** or ranges).
class PathParser {
 public:
  explicit PathParser(std::string_view text) : m_text(text) {}

  std::vector<Leg> parse() {
    skip_space();
    if (at_end() || m_text[m_pos] != '$') bad("does not start with '$'");
    ++m_pos;
    std::vector<Leg> legs;
    for (skip_space(); !at_end(); skip_space()) {
      const char c = m_text[m_pos];
      if (c == '[') {
        legs.push_back(array_leg());
      } else if (c == '.') {
        legs.push_back(member_leg());
      } else {
        bad("has an unexpected character (wildcards are not partial-update paths)");
      }
    }
    return legs;
  }

 private:
  [[noreturn]] void bad(const std::string& problem) const {
    throw DecodeError("JSON path " + problem + " at character " + std::to_string(m_pos));
  }
  bool at_end() const { return m_pos >= m_text.size(); }
  // my_isspace() in utf8mb4: space, \t, \n, \v, \f, \r
  static bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
  static bool is_digit(char c) { return c >= '0' && c <= '9'; }
  void skip_space() {
    while (!at_end() && is_space(m_text[m_pos])) ++m_pos;
  }

  Leg array_leg() {
    ++m_pos;
    skip_space();
    Leg leg;
    if (m_text.substr(m_pos, 4) == "last") {
      m_pos += 4;
      leg.from_end = true;
      skip_space();
      if (!at_end() && m_text[m_pos] == '-') {
        ++m_pos;
        skip_space();
        leg.index = number();
      }
    } else {
      leg.index = number();
    }
    skip_space();
    if (at_end() || m_text[m_pos] != ']') {
      bad("lacks the ']' of an array cell (ranges and wildcards are not partial-update paths)");
    }
    ++m_pos;
    return leg;
  }

  uint32_t number() {
    if (at_end() || !is_digit(m_text[m_pos])) bad("lacks an array index");
    uint64_t v = 0;
    for (; !at_end() && is_digit(m_text[m_pos]); ++m_pos) {
      v = v * 10 + static_cast<uint64_t>(m_text[m_pos] - '0');
      if (v > UINT32_MAX) bad("has an array index above 4294967295");
    }
    return static_cast<uint32_t>(v);
  }

  Leg member_leg() {
    ++m_pos;
    skip_space();
    if (at_end() || m_text[m_pos] == '*') bad("lacks a member name");
    Leg leg;
    leg.member = true;
    if (m_text[m_pos] == '"') {
      const size_t start = ++m_pos;
      for (;;) {
        if (at_end()) bad("has an unterminated quoted member name");
        const char c = m_text[m_pos++];
        if (c == '"') break;
        if (c == '\\') ++m_pos;
      }
      leg.name = unescape(m_text.substr(start, m_pos - 1 - start));
      return leg;
    }
    const size_t start = m_pos;
    while (!at_end() && !is_space(m_text[m_pos]) && m_text[m_pos] != '[' && m_text[m_pos] != '.' &&
           m_text[m_pos] != '*') {
      ++m_pos;
    }
    leg.name = unescape(m_text.substr(start, m_pos - start));
    if (!is_identifier(leg.name)) bad("has an unquoted member name that is not an identifier");
    return leg;
  }

  // An approximation of is_ecmascript_identifier(): the server quotes every other name.
  static bool is_identifier(std::string_view name) {
    if (name.empty() || is_digit(name[0])) return false;
    return std::all_of(name.begin(), name.end(), [](char ch) {
      const auto c = static_cast<unsigned char>(ch);
      return c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
             (c >= '0' && c <= '9') || c == '$' || c == '_';
    });
  }

  // JSON string unescaping, as rapidjson does it for member names.
  std::string unescape(std::string_view s) const {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
      const auto c = static_cast<unsigned char>(s[i]);
      if (c < 0x20 || c == '"')
        bad("has a member name with an unescaped control character or quote");
      if (c != '\\') {
        out += s[i];
        continue;
      }
      if (++i == s.size()) bad("has a member name that ends in a backslash");
      switch (s[i]) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u':
          append_utf8(code_point(s, i), out);
          break;
        default:
          bad("has a member name with an invalid escape");
      }
    }
    return out;
  }

  // The code point of the \u escape whose 'u' is at s[i], joining a surrogate pair; leaves i
  // on the escape's last character.
  uint32_t code_point(std::string_view s, size_t& i) const {
    const uint32_t first = hex4(s, i);
    if (first >= 0xDC00 && first <= 0xDFFF) bad("has a member name with a lone low surrogate");
    if (first < 0xD800 || first > 0xDBFF) return first;
    if (s.substr(i + 1, 2) != "\\u") bad("has a member name with a lone high surrogate");
    i += 2;
    const uint32_t second = hex4(s, i);
    if (second < 0xDC00 || second > 0xDFFF) bad("has a member name with a broken surrogate pair");
    return 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
  }

  uint32_t hex4(std::string_view s, size_t& i) const {
    if (s.size() - i <= 4) bad("has a member name with a short \\u escape");
    uint32_t v = 0;
    for (size_t k = 1; k <= 4; ++k) {
      const char h = s[i + k];
      uint32_t d = 0;
      if (h >= '0' && h <= '9') {
        d = static_cast<uint32_t>(h - '0');
      } else if (h >= 'a' && h <= 'f') {
        d = static_cast<uint32_t>(h - 'a' + 10);
      } else if (h >= 'A' && h <= 'F') {
        d = static_cast<uint32_t>(h - 'A' + 10);
      } else {
        bad("has a member name with a bad \\u escape");
      }
      v = v * 16 + d;
    }
    i += 4;
    return v;
  }

  static void append_utf8(uint32_t cp, std::string& out) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  std::string_view m_text;
  size_t m_pos = 0;
};

// Json_array_index: where an array cell step lands in an array of `size` elements.
struct Cell {
  size_t position;
  bool within_bounds;
};

Cell locate(const Leg& leg, size_t size) {
  if (!leg.from_end) return {std::min<size_t>(leg.index, size), leg.index < size};
  if (leg.index < size) return {size - 1 - leg.index, true};
  return {0, false};
}

std::vector<Member>::iterator find_member(Node& object, std::string_view key) {
  const auto it =
      std::lower_bound(object.members.begin(), object.members.end(), key,
                       [](const Member& m, std::string_view k) { return key_less(m.key, k); });
  return it != object.members.end() && it->key == key ? it : object.members.end();
}

// seek_exact_path() in json_diff.cc: member steps into objects, cell steps into arrays, no
// auto-wrapping. Null when the path leads nowhere.
Node* seek(Node& root, std::span<const Leg> legs) {
  Node* n = &root;
  for (const Leg& leg : legs) {
    if (n->kind == Node::Kind::array && !leg.member) {
      const Cell cell = locate(leg, n->items.size());
      if (!cell.within_bounds) return nullptr;
      n = &n->items[cell.position];
    } else if (n->kind == Node::Kind::object && leg.member) {
      const auto it = find_member(*n, leg.name);
      if (it == n->members.end()) return nullptr;
      n = &it->value;
    } else {
      return nullptr;
    }
  }
  return n;
}

const char* op_name(uint8_t op) {
  return op == kDiffReplace ? "REPLACE" : op == kDiffInsert ? "INSERT" : "REMOVE";
}

// apply_json_diff() in json_diff.cc; every case it rejects is an error here, because the
// replica's copy then no longer matches the source.
void apply(uint8_t op, const std::vector<Leg>& legs, Node value, Node& doc) {
  if (legs.empty()) throw DecodeError("the path is the whole document, which a diff never names");
  const std::span<const Leg> parent_legs(legs.data(), legs.size() - 1);
  const Leg& last = legs.back();
  if (op == kDiffReplace) {
    Node* target = seek(doc, legs);
    if (target == nullptr) throw DecodeError("the before image has no value at this path");
    *target = std::move(value);
    return;
  }
  Node* parent = seek(doc, parent_legs);
  if (parent == nullptr) throw DecodeError("the before image has no value at the parent path");
  if (parent->kind == Node::Kind::object && last.member) {
    const auto it = find_member(*parent, last.name);
    if (op == kDiffInsert) {
      if (it != parent->members.end()) throw DecodeError("the member already exists");
      const auto pos =
          std::lower_bound(parent->members.begin(), parent->members.end(), last.name,
                           [](const Member& m, std::string_view k) { return key_less(m.key, k); });
      parent->members.insert(pos, Member{last.name, std::move(value)});
      return;
    }
    if (it == parent->members.end()) throw DecodeError("the member does not exist");
    parent->members.erase(it);
    return;
  }
  if (parent->kind == Node::Kind::array && !last.member) {
    const Cell cell = locate(last, parent->items.size());
    if (op == kDiffInsert) {
      parent->items.insert(parent->items.begin() + static_cast<std::ptrdiff_t>(cell.position),
                           std::move(value));
      return;
    }
    if (!cell.within_bounds) throw DecodeError("the array cell does not exist");
    parent->items.erase(parent->items.begin() + static_cast<std::ptrdiff_t>(cell.position));
    return;
  }
  throw DecodeError("the last path step does not fit the parent value's type");
}

}  // namespace

void append_json_text(std::span<const uint8_t> binary, std::string& out) {
  const size_t start = out.size();
  try {
    TextSink sink(out);
    Walker<TextSink>(binary, sink).walk();
  } catch (...) {
    out.resize(start);
    throw;
  }
}

// `diff` is the column's value in the after image without its 4-byte length (the length of a
// JSON column and the length of a Json_diff_vector are the same field): diffs back to back, each
// an operation byte, a length-encoded path length and path, and for REPLACE and INSERT a
// length-encoded value length and binary JSON value. The result is what MySQL computes on a
// replica: the before image as a DOM (keys in MySQL's order), the diffs applied in order.
std::string apply_json_diff(std::span<const uint8_t> before, std::span<const uint8_t> diff) {
  Node doc;
  try {
    doc = to_dom(before);
  } catch (const DecodeError& e) {
    throw DecodeError(std::string("JSON before image: ") + e.what());
  }
  ByteReader r(diff);
  for (unsigned n = 1; !r.at_end(); ++n) {
    const uint8_t op = r.u8("JSON diff operation");
    if (op > kDiffRemove) {
      r.fail("JSON diff operation",
             "is " + std::to_string(op) + ", not 0 (REPLACE), 1 (INSERT) or 2 (REMOVE)");
    }
    const size_t path_length = r.length(r.packed("JSON diff path length"), "JSON diff path");
    const std::string_view path = r.str(path_length, "JSON diff path");
    std::span<const uint8_t> value;
    if (op != kDiffRemove) {
      const size_t value_length = r.length(r.packed("JSON diff value length"), "JSON diff value");
      value = r.bytes(value_length, "JSON diff value");
    }
    try {
      apply(op, PathParser(path).parse(), op == kDiffRemove ? Node{} : to_dom(value), doc);
    } catch (const DecodeError& e) {
      throw DecodeError("JSON diff " + std::to_string(n) + " (" + op_name(op) + " " +
                        std::string(path) + "): " + e.what());
    }
  }
  std::string out;
  print(doc, out, 0);
  return out;
}

}  // namespace my2pg::binlog
