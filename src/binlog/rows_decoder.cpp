// TABLE_MAP and row events, after mysql-server's libs/mysql/binlog/event (rows_event.cpp,
// binary_log_funcs.cpp), sql/rpl_record.cc and MariaDB's log_event.cc: the format, not the code.
//
// ColumnInfo::metadata holds the TABLE_MAP metadata as the servers read it into one number:
// VARCHAR and BIT little-endian (max bytes; bytes << 8 | bits), NEWDECIMAL precision << 8 | scale,
// STRING/ENUM/SET real type << 8 | length, the one-byte kinds as is.
#include "binlog/rows_decoder.hpp"

#include <zlib.h>

#include <bit>
#include <cstring>
#include <limits>

#include "binlog/decimal.hpp"
#include "binlog/json_binary.hpp"
#include "binlog/temporal.hpp"

namespace my2pg::binlog {
namespace {

using CT = ColumnType;

// MariaDB's compressed columns (sql/field_comp.h); types 140 and 141 as MariaDB numbers them.
constexpr auto kBlobCompressed = static_cast<ColumnType>(140);
constexpr auto kVarcharCompressed = static_cast<ColumnType>(141);

// A decompressed row body or column larger than this is refused rather than allocated.
constexpr uint64_t kMaxInflatedBytes = uint64_t{1} << 30;
// zlib cannot expand data by more than about 1032:1.
constexpr uint64_t kMaxZlibRatio = 1032;

constexpr uint64_t PARTIAL_JSON_UPDATES = 1;

// Optional metadata field types (Table_map_event::Optional_metadata_field_type).
enum class OptMeta : uint8_t {
  SIGNEDNESS = 1,
  DEFAULT_CHARSET = 2,
  COLUMN_CHARSET = 3,
  COLUMN_NAME = 4,
  SET_STR_VALUE = 5,
  ENUM_STR_VALUE = 6,
  GEOMETRY_TYPE = 7,
  SIMPLE_PRIMARY_KEY = 8,
  PRIMARY_KEY_WITH_PREFIX = 9,
  ENUM_AND_SET_DEFAULT_CHARSET = 10,
  ENUM_AND_SET_COLUMN_CHARSET = 11,
  COLUMN_VISIBILITY = 12,
};

constexpr uint8_t kBinaryCollation = 63;

bool bit_lsb(std::span<const uint8_t> bits, size_t i) {
  return ((bits[i >> 3] >> (i & 7)) & 1) != 0;
}
bool bit_msb(std::span<const uint8_t> bits, size_t i) {
  return ((bits[i >> 3] >> (7 - (i & 7))) & 1) != 0;
}

std::string type_label(ColumnType t) {
  return std::string(column_type_name(t));
}

// ---------------------------------------------------------------------------------------------
// TABLE_MAP

// Bytes of TABLE_MAP metadata each type carries; -1 for a type whose size is unknown.
int metadata_size(ColumnType t) {
  switch (t) {
    case CT::MYSQL_TYPE_FLOAT:
    case CT::MYSQL_TYPE_DOUBLE:
    case CT::MYSQL_TYPE_BLOB:
    case CT::MYSQL_TYPE_TINY_BLOB:
    case CT::MYSQL_TYPE_MEDIUM_BLOB:
    case CT::MYSQL_TYPE_LONG_BLOB:
    case CT::MYSQL_TYPE_GEOMETRY:
    case CT::MYSQL_TYPE_JSON:
    case CT::MYSQL_TYPE_VECTOR:
    case CT::MYSQL_TYPE_TIME2:
    case CT::MYSQL_TYPE_DATETIME2:
    case CT::MYSQL_TYPE_TIMESTAMP2:
    case kBlobCompressed:
      return 1;
    case CT::MYSQL_TYPE_VARCHAR:
    case CT::MYSQL_TYPE_VAR_STRING:
    case CT::MYSQL_TYPE_BIT:
    case CT::MYSQL_TYPE_NEWDECIMAL:
    case CT::MYSQL_TYPE_STRING:
    case CT::MYSQL_TYPE_ENUM:
    case CT::MYSQL_TYPE_SET:
    case kVarcharCompressed:
      return 2;
    case CT::MYSQL_TYPE_DECIMAL:
    case CT::MYSQL_TYPE_TINY:
    case CT::MYSQL_TYPE_SHORT:
    case CT::MYSQL_TYPE_LONG:
    case CT::MYSQL_TYPE_NULL:
    case CT::MYSQL_TYPE_TIMESTAMP:
    case CT::MYSQL_TYPE_LONGLONG:
    case CT::MYSQL_TYPE_INT24:
    case CT::MYSQL_TYPE_DATE:
    case CT::MYSQL_TYPE_TIME:
    case CT::MYSQL_TYPE_DATETIME:
    case CT::MYSQL_TYPE_YEAR:
    case CT::MYSQL_TYPE_NEWDATE:
      return 0;
    default:
      return -1;
  }
}

// The columns SIGNEDNESS has a bit for: MySQL's is_numeric_type(); MariaDB gives YEAR one too
// (its YEAR field is a TINYINT's kind).
bool is_numeric(ColumnType t, bool mariadb) {
  switch (t) {
    case CT::MYSQL_TYPE_YEAR:
      return mariadb;
    case CT::MYSQL_TYPE_TINY:
    case CT::MYSQL_TYPE_SHORT:
    case CT::MYSQL_TYPE_INT24:
    case CT::MYSQL_TYPE_LONG:
    case CT::MYSQL_TYPE_LONGLONG:
    case CT::MYSQL_TYPE_NEWDECIMAL:
    case CT::MYSQL_TYPE_FLOAT:
    case CT::MYSQL_TYPE_DOUBLE:
      return true;
    default:
      return false;
  }
}

// The server's is_character_type() on the real type: the columns DEFAULT_CHARSET and
// COLUMN_CHARSET describe. MySQL 9's VECTOR and MariaDB's compressed columns count; JSON and
// ENUM/SET do not; GEOMETRY only on MariaDB (its field class is a BLOB there).
bool is_character(ColumnType real, bool mariadb) {
  if (real == CT::MYSQL_TYPE_GEOMETRY) return mariadb;
  switch (real) {
    case CT::MYSQL_TYPE_STRING:
    case CT::MYSQL_TYPE_VAR_STRING:
    case CT::MYSQL_TYPE_VARCHAR:
    case CT::MYSQL_TYPE_BLOB:
    case CT::MYSQL_TYPE_TINY_BLOB:
    case CT::MYSQL_TYPE_MEDIUM_BLOB:
    case CT::MYSQL_TYPE_LONG_BLOB:
    case CT::MYSQL_TYPE_VECTOR:
    case kBlobCompressed:
    case kVarcharCompressed:
      return true;
    default:
      return false;
  }
}

bool is_enum_or_set(ColumnType real) {
  return real == CT::MYSQL_TYPE_ENUM || real == CT::MYSQL_TYPE_SET;
}

uint32_t blob_max_length(unsigned length_bytes) {
  switch (length_bytes) {
    case 1:
      return 0xff;
    case 2:
      return 0xffff;
    case 3:
      return 0xffffff;
    case 4:
      return 0xffffffff;
    default:
      return 0;
  }
}

// Reads one column's metadata and fills the fields derived from it.
void read_column_metadata(ByteReader& m, ColumnInfo& c) {
  switch (metadata_size(c.type)) {
    case 0:
      break;
    case 1:
      c.metadata = m.u8("TABLE_MAP column metadata");
      break;
    case 2:
      if (c.type == CT::MYSQL_TYPE_NEWDECIMAL || c.type == CT::MYSQL_TYPE_STRING ||
          c.type == CT::MYSQL_TYPE_ENUM || c.type == CT::MYSQL_TYPE_SET) {
        c.metadata = static_cast<uint16_t>(m.be(2, "TABLE_MAP column metadata"));
      } else {
        c.metadata = m.u16("TABLE_MAP column metadata");
      }
      break;
    default:
      m.fail("TABLE_MAP column type", "is " + std::to_string(static_cast<int>(c.type)) +
                                          ", which this decoder does not know");
  }
  c.real_type = c.type;
  switch (c.type) {
    case CT::MYSQL_TYPE_VARCHAR:
    case CT::MYSQL_TYPE_VAR_STRING:
    case kVarcharCompressed:
      c.max_length = c.metadata;
      break;
    case CT::MYSQL_TYPE_BLOB:
    case CT::MYSQL_TYPE_TINY_BLOB:
    case CT::MYSQL_TYPE_MEDIUM_BLOB:
    case CT::MYSQL_TYPE_LONG_BLOB:
    case CT::MYSQL_TYPE_GEOMETRY:
    case CT::MYSQL_TYPE_JSON:
    case CT::MYSQL_TYPE_VECTOR:
    case kBlobCompressed:
      c.max_length = blob_max_length(c.metadata);
      break;
    case CT::MYSQL_TYPE_STRING:
    case CT::MYSQL_TYPE_ENUM:
    case CT::MYSQL_TYPE_SET: {
      const auto byte0 = static_cast<uint8_t>(c.metadata >> 8);
      const auto byte1 = static_cast<uint8_t>(c.metadata & 0xff);
      if (byte0 == static_cast<uint8_t>(CT::MYSQL_TYPE_ENUM) ||
          byte0 == static_cast<uint8_t>(CT::MYSQL_TYPE_SET)) {
        c.real_type = static_cast<ColumnType>(byte0);
        c.max_length = byte1;  // the pack length
      } else if (byte0 != 0 && (byte0 & 0x30) != 0x30) {
        // CHAR longer than 255 bytes: the length's bits 8 and 9 are stored inverted in byte0.
        c.real_type = CT::MYSQL_TYPE_STRING;
        c.max_length = byte1 | (static_cast<uint32_t>((byte0 & 0x30) ^ 0x30) << 4);
      } else {
        c.real_type = CT::MYSQL_TYPE_STRING;
        c.max_length = byte1;
      }
      break;
    }
    default:
      break;
  }
}

// A reader over the next `len` bytes of `r` that reports offsets of the whole event; `r` skips
// them.
ByteReader take(ByteReader& r, uint64_t len, const char* what) {
  const size_t n = r.length(len, what);
  ByteReader sub = r;
  sub.shrink_limit(r.remaining() - n, what);
  r.skip(n, what);
  return sub;
}

std::string read_packed_string(ByteReader& r, const char* what) {
  const uint64_t n = r.packed(what);
  return std::string(r.str(r.length(n, what), what));
}

// Indexes of the columns `pick` selects, in order.
template <typename Pred>
std::vector<size_t> columns_where(const TableMapEvent& m, Pred pick) {
  std::vector<size_t> out;
  for (size_t i = 0; i < m.columns.size(); ++i) {
    if (pick(m.columns[i])) out.push_back(i);
  }
  return out;
}

void read_default_charset(ByteReader& f, TableMapEvent& m, const std::vector<size_t>& cols,
                          const char* what) {
  const auto def = static_cast<uint32_t>(f.packed(what));
  for (size_t i : cols) m.columns[i].charset = def;
  while (!f.at_end()) {
    const uint64_t index = f.packed(what);
    const auto collation = static_cast<uint32_t>(f.packed(what));
    if (index >= cols.size()) {
      f.fail(what, "names column " + std::to_string(index) + " of " + std::to_string(cols.size()) +
                       " it applies to");
    }
    m.columns[cols[index]].charset = collation;
  }
}

void read_column_charset(ByteReader& f, TableMapEvent& m, const std::vector<size_t>& cols,
                         const char* what) {
  size_t k = 0;
  while (!f.at_end()) {
    const auto collation = static_cast<uint32_t>(f.packed(what));
    if (k >= cols.size())
      f.fail(what, "has more entries than its " + std::to_string(cols.size()) + " columns");
    m.columns[cols[k++]].charset = collation;
  }
  if (k != cols.size()) {
    f.fail(what,
           "has " + std::to_string(k) + " entries for " + std::to_string(cols.size()) + " columns");
  }
}

void read_str_values(ByteReader& f, TableMapEvent& m, const std::vector<size_t>& cols, bool set,
                     const char* what) {
  size_t k = 0;
  while (!f.at_end()) {
    if (k >= cols.size())
      f.fail(what, "has more entries than its " + std::to_string(cols.size()) + " columns");
    auto& values = set ? m.columns[cols[k]].set_values : m.columns[cols[k]].enum_values;
    ++k;
    const uint64_t count = f.packed(what);
    f.length(count, what);  // each member takes at least one byte
    values.reserve(static_cast<size_t>(count));
    for (uint64_t j = 0; j < count; ++j) values.push_back(read_packed_string(f, what));
  }
  if (k != cols.size()) {
    f.fail(what,
           "has " + std::to_string(k) + " entries for " + std::to_string(cols.size()) + " columns");
  }
}

void read_bitmap_field(ByteReader& f, TableMapEvent& m, const std::vector<size_t>& cols,
                       bool visibility, const char* what) {
  const auto bits = f.bytes((cols.size() + 7) / 8, what);
  for (size_t k = 0; k < cols.size(); ++k) {
    auto& c = m.columns[cols[k]];
    if (visibility) {
      c.visible = bit_msb(bits, k);
    } else {
      c.is_unsigned = bit_msb(bits, k);
    }
  }
}

void read_optional_metadata(ByteReader& r, TableMapEvent& m, bool mariadb) {
  const auto numeric =
      columns_where(m, [mariadb](const ColumnInfo& c) { return is_numeric(c.type, mariadb); });
  const auto character = columns_where(
      m, [mariadb](const ColumnInfo& c) { return is_character(c.real_type, mariadb); });
  const auto enum_set =
      columns_where(m, [](const ColumnInfo& c) { return is_enum_or_set(c.real_type); });
  while (!r.at_end()) {
    const auto type = static_cast<OptMeta>(r.u8("TABLE_MAP optional metadata type"));
    ByteReader f = take(r, r.packed("TABLE_MAP optional metadata length"),
                        "TABLE_MAP optional metadata field");
    switch (type) {
      case OptMeta::SIGNEDNESS:
        read_bitmap_field(f, m, numeric, false, "TABLE_MAP SIGNEDNESS");
        break;
      case OptMeta::DEFAULT_CHARSET:
        read_default_charset(f, m, character, "TABLE_MAP DEFAULT_CHARSET");
        break;
      case OptMeta::COLUMN_CHARSET:
        read_column_charset(f, m, character, "TABLE_MAP COLUMN_CHARSET");
        break;
      case OptMeta::COLUMN_NAME: {
        for (auto& c : m.columns) c.name = read_packed_string(f, "TABLE_MAP COLUMN_NAME");
        m.has_column_names = true;
        break;
      }
      case OptMeta::SET_STR_VALUE:
      case OptMeta::ENUM_STR_VALUE: {
        const bool set = type == OptMeta::SET_STR_VALUE;
        const auto cols = columns_where(m, [set](const ColumnInfo& c) {
          return c.real_type == (set ? CT::MYSQL_TYPE_SET : CT::MYSQL_TYPE_ENUM);
        });
        read_str_values(f, m, cols, set,
                        set ? "TABLE_MAP SET_STR_VALUE" : "TABLE_MAP ENUM_STR_VALUE");
        break;
      }
      case OptMeta::GEOMETRY_TYPE: {
        for (size_t i : columns_where(
                 m, [](const ColumnInfo& c) { return c.type == CT::MYSQL_TYPE_GEOMETRY; })) {
          m.columns[i].geometry_type = static_cast<uint32_t>(f.packed("TABLE_MAP GEOMETRY_TYPE"));
        }
        break;
      }
      case OptMeta::SIMPLE_PRIMARY_KEY:
      case OptMeta::PRIMARY_KEY_WITH_PREFIX: {
        const char* what = type == OptMeta::SIMPLE_PRIMARY_KEY
                               ? "TABLE_MAP SIMPLE_PRIMARY_KEY"
                               : "TABLE_MAP PRIMARY_KEY_WITH_PREFIX";
        while (!f.at_end()) {
          const uint64_t index = f.packed(what);
          const uint64_t prefix = type == OptMeta::SIMPLE_PRIMARY_KEY ? 0 : f.packed(what);
          if (index >= m.columns.size()) {
            f.fail(what, "names column " + std::to_string(index) + " of " +
                             std::to_string(m.columns.size()));
          }
          m.primary_key.emplace_back(static_cast<uint32_t>(index), static_cast<uint32_t>(prefix));
        }
        break;
      }
      case OptMeta::ENUM_AND_SET_DEFAULT_CHARSET:
        read_default_charset(f, m, enum_set, "TABLE_MAP ENUM_AND_SET_DEFAULT_CHARSET");
        break;
      case OptMeta::ENUM_AND_SET_COLUMN_CHARSET:
        read_column_charset(f, m, enum_set, "TABLE_MAP ENUM_AND_SET_COLUMN_CHARSET");
        break;
      case OptMeta::COLUMN_VISIBILITY: {
        std::vector<size_t> all(m.columns.size());
        for (size_t i = 0; i < all.size(); ++i) all[i] = i;
        read_bitmap_field(f, m, all, true, "TABLE_MAP COLUMN_VISIBILITY");
        break;
      }
      default:
        break;  // VECTOR_DIMENSIONALITY and later fields: not needed to decode rows
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Row events: each column's decoding is planned once per event.

enum class Codec : uint8_t {
  int8,
  int16,
  int24,
  int32,
  int64,
  float32,
  float64,
  newdecimal,
  old_decimal,
  year,
  date,
  time,
  time2,
  time_hires,
  datetime,
  datetime2,
  datetime_hires,
  timestamp,
  timestamp2,
  timestamp_hires,
  var_string,
  fixed_string,
  enum_index,
  set_bits,
  bit,
  blob,
  var_string_compressed,
  blob_compressed,
  unsupported,
};

struct ColumnPlan {
  Codec codec = Codec::unsupported;
  ValueKind kind = ValueKind::null;  // of strings, blobs and integers
  ColumnType type = CT::MYSQL_TYPE_NULL;
  uint8_t width = 0;  // length-prefix bytes, ENUM/SET bytes, fraction bytes
  uint8_t fsp = 0, precision = 0, scale = 0;
  uint16_t bits = 0;
  uint32_t size = 0;  // fixed byte size; BINARY(n) pad length; compressed columns' max length
};

}  // namespace

struct RowsPlan {
  std::vector<ColumnPlan> columns;
  // Every image starts as these values: all NULL, with the columns' types.
  std::vector<Value> nulls;
};

namespace {

struct EventShape {
  RowsKind kind;
  uint8_t version;
  bool compressed;
};

EventShape shape_of(EventType type) {
  const auto t = static_cast<uint8_t>(type);
  switch (t) {
    case 20:
      return {RowsKind::write, 0, false};
    case 21:
      return {RowsKind::update, 0, false};
    case 22:
      return {RowsKind::erase, 0, false};
    case 23:
      return {RowsKind::write, 1, false};
    case 24:
      return {RowsKind::update, 1, false};
    case 25:
      return {RowsKind::erase, 1, false};
    case 30:
      return {RowsKind::write, 2, false};
    case 31:
      return {RowsKind::update, 2, false};
    case 32:
      return {RowsKind::erase, 2, false};
    case 39:
      return {RowsKind::partial_update, 2, false};
    case 166:
      return {RowsKind::write, 1, true};
    case 167:
      return {RowsKind::update, 1, true};
    case 168:
      return {RowsKind::erase, 1, true};
    case 169:
      return {RowsKind::write, 2, true};
    case 170:
      return {RowsKind::update, 2, true};
    case 171:
      return {RowsKind::erase, 2, true};
    default:
      throw DecodeError("event type " + std::to_string(t) + " is not a rows event");
  }
}

[[noreturn]] void bad_metadata(size_t index, const ColumnInfo& c, const std::string& why) {
  throw DecodeError("column " + std::to_string(index + 1) + " (" + type_label(c.type) + ") " + why);
}

ValueKind text_or_bytes(const ColumnInfo& c, bool blob) {
  if (c.charset) return *c.charset == kBinaryCollation ? ValueKind::bytes : ValueKind::string;
  return blob ? ValueKind::bytes : ValueKind::string;
}

uint8_t fraction_bytes(unsigned fsp) {
  return static_cast<uint8_t>((fsp + 1) / 2);
}

ColumnPlan plan_column(size_t index, const ColumnInfo& c) {
  ColumnPlan p;
  p.type = c.type;
  const bool is_unsigned = c.is_unsigned.value_or(false);
  p.kind = is_unsigned ? ValueKind::unsigned_int : ValueKind::signed_int;
  auto temporal_fsp = [&](unsigned fsp) {
    if (fsp > 6) bad_metadata(index, c, "has fractional precision " + std::to_string(fsp));
    p.fsp = static_cast<uint8_t>(fsp);
    p.width = fraction_bytes(fsp);
  };
  switch (c.type) {
    case CT::MYSQL_TYPE_TINY:
      p.codec = Codec::int8;
      break;
    case CT::MYSQL_TYPE_SHORT:
      p.codec = Codec::int16;
      break;
    case CT::MYSQL_TYPE_INT24:
      p.codec = Codec::int24;
      break;
    case CT::MYSQL_TYPE_LONG:
      p.codec = Codec::int32;
      break;
    case CT::MYSQL_TYPE_LONGLONG:
      p.codec = Codec::int64;
      break;
    case CT::MYSQL_TYPE_FLOAT:
      p.codec = Codec::float32;
      break;
    case CT::MYSQL_TYPE_DOUBLE:
      p.codec = Codec::float64;
      break;
    case CT::MYSQL_TYPE_NEWDECIMAL: {
      p.codec = Codec::newdecimal;
      p.precision = static_cast<uint8_t>(c.metadata >> 8);
      p.scale = static_cast<uint8_t>(c.metadata & 0xff);
      p.size = static_cast<uint32_t>(decimal_binary_size(p.precision, p.scale));
      if (p.size == 0) {
        bad_metadata(index, c,
                     "has impossible precision " + std::to_string(p.precision) + " and scale " +
                         std::to_string(p.scale));
      }
      break;
    }
    case CT::MYSQL_TYPE_DECIMAL:
      p.codec = Codec::old_decimal;
      break;
    case CT::MYSQL_TYPE_YEAR:
      p.codec = Codec::year;
      break;
    case CT::MYSQL_TYPE_DATE:
    case CT::MYSQL_TYPE_NEWDATE:
      p.codec = Codec::date;
      break;
    case CT::MYSQL_TYPE_TIME:
      p.codec = c.metadata == 0 ? Codec::time : Codec::time_hires;
      temporal_fsp(c.metadata);
      break;
    case CT::MYSQL_TYPE_DATETIME:
      p.codec = c.metadata == 0 ? Codec::datetime : Codec::datetime_hires;
      temporal_fsp(c.metadata);
      break;
    case CT::MYSQL_TYPE_TIMESTAMP:
      p.codec = c.metadata == 0 ? Codec::timestamp : Codec::timestamp_hires;
      temporal_fsp(c.metadata);
      break;
    case CT::MYSQL_TYPE_TIME2:
      p.codec = Codec::time2;
      temporal_fsp(c.metadata);
      break;
    case CT::MYSQL_TYPE_DATETIME2:
      p.codec = Codec::datetime2;
      temporal_fsp(c.metadata);
      break;
    case CT::MYSQL_TYPE_TIMESTAMP2:
      p.codec = Codec::timestamp2;
      temporal_fsp(c.metadata);
      break;
    case CT::MYSQL_TYPE_VARCHAR:
    case CT::MYSQL_TYPE_VAR_STRING:
      p.codec = Codec::var_string;
      p.width = c.metadata > 255 ? 2 : 1;
      p.kind = text_or_bytes(c, false);
      break;
    case kVarcharCompressed:
      p.codec = Codec::var_string_compressed;
      p.width = c.metadata > 255 ? 2 : 1;
      p.size = c.metadata;
      p.kind = text_or_bytes(c, false);
      break;
    case CT::MYSQL_TYPE_STRING:
    case CT::MYSQL_TYPE_ENUM:
    case CT::MYSQL_TYPE_SET:
      if (c.real_type == CT::MYSQL_TYPE_ENUM || c.real_type == CT::MYSQL_TYPE_SET) {
        const bool is_set = c.real_type == CT::MYSQL_TYPE_SET;
        const uint32_t n = c.max_length;
        const bool valid = is_set ? (n >= 1 && n <= 4) || n == 8 : n == 1 || n == 2;
        if (!valid) {
          bad_metadata(index, c,
                       std::string("has an impossible ") + (is_set ? "SET" : "ENUM") + " size of " +
                           std::to_string(n) + " bytes");
        }
        p.codec = is_set ? Codec::set_bits : Codec::enum_index;
        p.width = static_cast<uint8_t>(n);
      } else {
        p.codec = Codec::fixed_string;
        p.width = c.max_length > 255 ? 2 : 1;
        p.kind = text_or_bytes(c, false);
        // BINARY(n) values are logged without their trailing zero bytes.
        if (p.kind == ValueKind::bytes) p.size = c.max_length;
      }
      break;
    case CT::MYSQL_TYPE_BIT: {
      p.codec = Codec::bit;
      p.bits = static_cast<uint16_t>((c.metadata >> 8) * 8 + (c.metadata & 0xff));
      if ((c.metadata & 0xff) > 7 || p.bits == 0 || p.bits > 64) {
        bad_metadata(index, c, "has impossible metadata " + std::to_string(c.metadata));
      }
      p.size = (p.bits + 7u) / 8u;
      break;
    }
    case CT::MYSQL_TYPE_BLOB:
    case CT::MYSQL_TYPE_TINY_BLOB:
    case CT::MYSQL_TYPE_MEDIUM_BLOB:
    case CT::MYSQL_TYPE_LONG_BLOB:
    case CT::MYSQL_TYPE_GEOMETRY:
    case CT::MYSQL_TYPE_JSON:
    case CT::MYSQL_TYPE_VECTOR:
    case kBlobCompressed:
      if (c.metadata < 1 || c.metadata > 4) {
        bad_metadata(index, c, "has " + std::to_string(c.metadata) + " length bytes");
      }
      p.width = static_cast<uint8_t>(c.metadata);
      p.codec = c.type == kBlobCompressed ? Codec::blob_compressed : Codec::blob;
      p.size = blob_max_length(c.metadata);
      if (c.type == CT::MYSQL_TYPE_GEOMETRY) {
        p.kind = ValueKind::geometry;
      } else if (c.type == CT::MYSQL_TYPE_JSON) {
        p.kind = ValueKind::json;
      } else if (c.type == CT::MYSQL_TYPE_VECTOR) {
        p.kind = ValueKind::vector;
      } else {
        p.kind = text_or_bytes(c, true);
      }
      break;
    default:
      p.codec = Codec::unsupported;
      break;
  }
  return p;
}

std::span<const uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// A MariaDB compressed column value (sql/field_comp.cc): a header byte, then either the value
// itself (method 0) or, for zlib (method 8), the original length in (header & 7) big-endian
// bytes and a deflate stream, raw when header bit 3 is set.
std::span<const uint8_t> inflate_column(std::span<const uint8_t> data, uint32_t max_length,
                                        RowsEvent& ev) {
  if (data.empty()) return data;
  ByteReader r(data);
  const uint8_t header = r.u8("compressed column header");
  const unsigned method = header >> 4;
  if (method == 0) return r.rest();
  if (method != 8) {
    r.fail("compressed column header",
           "names compression method " + std::to_string(method) + "; only zlib (8) is known");
  }
  const unsigned length_bytes = header & 7;
  if (length_bytes < 1 || length_bytes > 4) {
    r.fail("compressed column header", "has " + std::to_string(length_bytes) + " length bytes");
  }
  const uint64_t length = r.be(length_bytes, "compressed column length");
  const auto input = r.rest();
  if (length == 0 || length > max_length || length > kMaxInflatedBytes ||
      length > input.size() * kMaxZlibRatio) {
    r.fail("compressed column length",
           "is " + std::to_string(length) + " for " + std::to_string(input.size()) +
               " compressed bytes and a column of at most " + std::to_string(max_length));
  }
  std::string& out = ev.storage.emplace_back(static_cast<size_t>(length), '\0');
  z_stream z{};
  z.next_in = const_cast<Bytef*>(input.data());
  z.avail_in = static_cast<uInt>(input.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  if (inflateInit2(&z, (header & 8) != 0 ? -MAX_WBITS : MAX_WBITS) != Z_OK) {
    throw DecodeError("compressed column: zlib could not start");
  }
  const int rc = inflate(&z, Z_FINISH);
  const uLong produced = z.total_out;
  inflateEnd(&z);
  if (rc != Z_STREAM_END || produced != length) {
    throw DecodeError("compressed column does not inflate to its declared " +
                      std::to_string(length) + " bytes (zlib " + std::to_string(rc) + ", " +
                      std::to_string(produced) + " bytes)");
  }
  return as_bytes(out);
}

// MariaDB *_ROWS_COMPRESSED_EVENT: the row images (everything after the column bitmaps) are
// zlib-compressed behind a header byte 0x80 | n and an n-byte big-endian uncompressed length.
std::span<const uint8_t> inflate_rows(ByteReader& r, RowsEvent& ev) {
  const uint8_t header = r.u8("compressed rows header");
  const unsigned length_bytes = header & 0x07;
  if ((header & 0xe0) != 0x80 || length_bytes < 1 || length_bytes > 4) {
    r.fail("compressed rows header", "is " + std::to_string(header) + ", not 0x80 | 1..4");
  }
  const uint64_t length = r.be(length_bytes, "compressed rows length");
  const auto input = r.rest();
  if (length > kMaxInflatedBytes || length > input.size() * kMaxZlibRatio) {
    r.fail("compressed rows length", "is " + std::to_string(length) + " for " +
                                         std::to_string(input.size()) + " compressed bytes");
  }
  std::string& out = ev.storage.emplace_back(static_cast<size_t>(length), '\0');
  uLongf produced = static_cast<uLongf>(length);
  const int rc = uncompress(reinterpret_cast<Bytef*>(out.data()), &produced, input.data(),
                            static_cast<uLong>(input.size()));
  if (rc != Z_OK || produced != length) {
    throw DecodeError("compressed rows do not inflate to their declared " + std::to_string(length) +
                      " bytes (zlib " + std::to_string(rc) + ", " + std::to_string(produced) +
                      " bytes)");
  }
  return as_bytes(out);
}

int64_t sign_extend(uint64_t v, unsigned bytes) {
  const unsigned shift = 64 - 8 * bytes;
  return static_cast<int64_t>(v << shift) >> shift;
}

// MySQL stores fractions of 1, 2 or 3 bytes in units of 1/100, 1/10000 and 1/1000000 s.
constexpr uint32_t kFractionUnit[4] = {0, 10000, 100, 1};
constexpr int64_t kPow10[7] = {1, 10, 100, 1000, 10000, 100000, 1000000};

void check_micros(ByteReader& r, uint64_t micros) {
  if (micros >= 1000000)
    r.fail("temporal fraction", "is " + std::to_string(micros) + " microseconds");
}

void set_hms(Temporal& t, uint64_t total_micros) {
  t.micros = static_cast<uint32_t>(total_micros % 1000000);
  const uint64_t s = total_micros / 1000000;
  t.second = static_cast<uint8_t>(s % 60);
  t.minute = static_cast<uint8_t>(s / 60 % 60);
  t.hour = static_cast<uint32_t>(s / 3600);
}

void read_time2(ByteReader& r, const ColumnPlan& p, Value& v) {
  int64_t intpart = static_cast<int64_t>(r.be(3, "TIME2 value")) - 0x800000;
  int64_t frac = 0;
  if (p.width != 0) {
    const auto raw = static_cast<int64_t>(r.be(p.width, "TIME2 fraction"));
    if (p.width == 3) {
      // Six digits: one 48-bit number offset by 0x800000000000.
      const int64_t packed = intpart * (int64_t{1} << 24) + raw;
      v.t = temporal_from_time_packed(packed);
      check_micros(r, v.t.micros);
      return;
    }
    frac = raw;
    if (intpart < 0 && frac != 0) {  // a negative time's fraction borrows from its seconds
      ++intpart;
      frac -= int64_t{1} << (8 * p.width);
    }
    frac *= kFractionUnit[p.width];
  }
  v.t = temporal_from_time_packed(intpart * (int64_t{1} << 24) + frac);
  check_micros(r, v.t.micros);
}

void read_datetime2(ByteReader& r, const ColumnPlan& p, Value& v) {
  const int64_t intpart = static_cast<int64_t>(r.be(5, "DATETIME2 value")) - 0x8000000000;
  int64_t frac = 0;
  if (p.width != 0) {
    frac = sign_extend(r.be(p.width, "DATETIME2 fraction"), p.width) * kFractionUnit[p.width];
  }
  v.t = temporal_from_datetime_packed(intpart * (int64_t{1} << 24) + frac);
  check_micros(r, v.t.micros);
}

void read_timestamp2(ByteReader& r, const ColumnPlan& p, Value& v) {
  v.u = r.be(4, "TIMESTAMP2 value");
  if (p.width != 0) {
    const uint64_t micros = r.be(p.width, "TIMESTAMP2 fraction") * kFractionUnit[p.width];
    check_micros(r, micros);
    v.t.micros = static_cast<uint32_t>(micros);
  }
}

[[noreturn]] void bad_old_temporal(ByteReader& r, const char* type, uint64_t raw) {
  r.fail(type, "value " + std::to_string(raw) +
                   " is not valid. If this is a MariaDB TIME/DATETIME/TIMESTAMP(n) column in the "
                   "old format (created with mysql56_temporal_format=OFF or before MariaDB 10.1), "
                   "the binlog does not carry its precision: convert the table on the source "
                   "(SET GLOBAL mysql56_temporal_format=ON; ALTER TABLE ... FORCE), or decode "
                   "with the precision from the source's catalog");
}

void read_old_datetime(ByteReader& r, Value& v) {
  const uint64_t raw = r.u64("DATETIME value");
  const uint64_t date = raw / 1000000, time = raw % 1000000;
  Temporal& t = v.t;
  t.year = static_cast<int32_t>(date / 10000);
  t.month = static_cast<uint8_t>(date / 100 % 100);
  t.day = static_cast<uint8_t>(date % 100);
  t.hour = static_cast<uint32_t>(time / 10000);
  t.minute = static_cast<uint8_t>(time / 100 % 100);
  t.second = static_cast<uint8_t>(time % 100);
  if (t.year > 9999 || t.month > 12 || t.day > 31 || t.hour > 23 || t.minute > 59 ||
      t.second > 59) {
    bad_old_temporal(r, "DATETIME", raw);
  }
}

void read_old_time(ByteReader& r, Value& v) {
  const int64_t raw = sign_extend(r.u24("TIME value"), 3);
  const uint64_t a = raw < 0 ? static_cast<uint64_t>(-raw) : static_cast<uint64_t>(raw);
  v.t.negative = raw < 0;
  v.t.hour = static_cast<uint32_t>(a / 10000);
  v.t.minute = static_cast<uint8_t>(a / 100 % 100);
  v.t.second = static_cast<uint8_t>(a % 100);
  if (v.t.minute > 59 || v.t.second > 59) bad_old_temporal(r, "TIME", a);
}

// MariaDB 5.3 "hires" columns (Field_*_hires): big-endian numbers in units of 10^-fsp s.
constexpr uint8_t kTimeHiresBytes[7] = {3, 4, 4, 5, 5, 5, 6};
constexpr uint8_t kDatetimeHiresBytes[7] = {5, 6, 6, 7, 7, 7, 8};
constexpr uint8_t kSecPartBytes[7] = {0, 1, 1, 2, 2, 3, 3};
constexpr int64_t kTimeMaxSeconds = 838 * 3600 + 59 * 60 + 59;

void read_time_hires(ByteReader& r, const ColumnPlan& p, Value& v) {
  const int64_t unit = kPow10[6 - p.fsp];
  const int64_t zero = (kTimeMaxSeconds + 1) * 1000000 / unit;
  const int64_t micros =
      (static_cast<int64_t>(r.be(kTimeHiresBytes[p.fsp], "TIME(n) value")) - zero) * unit;
  v.t.negative = micros < 0;
  set_hms(v.t, static_cast<uint64_t>(micros < 0 ? -micros : micros));
}

void read_datetime_hires(ByteReader& r, const ColumnPlan& p, Value& v) {
  uint64_t x = r.be(kDatetimeHiresBytes[p.fsp], "DATETIME(n) value") *
               static_cast<uint64_t>(kPow10[6 - p.fsp]);
  Temporal& t = v.t;
  t.micros = static_cast<uint32_t>(x % 1000000);
  x /= 1000000;
  t.second = static_cast<uint8_t>(x % 60);
  x /= 60;
  t.minute = static_cast<uint8_t>(x % 60);
  x /= 60;
  t.hour = static_cast<uint32_t>(x % 24);
  x /= 24;
  t.day = static_cast<uint8_t>(x % 32);
  x /= 32;
  t.month = static_cast<uint8_t>(x % 13);
  t.year = static_cast<int32_t>(x / 13);
}

void read_timestamp_hires(ByteReader& r, const ColumnPlan& p, Value& v) {
  v.u = r.be(4, "TIMESTAMP(n) value");
  const uint64_t micros = r.be(kSecPartBytes[p.fsp], "TIMESTAMP(n) fraction") *
                          static_cast<uint64_t>(kPow10[6 - p.fsp]);
  check_micros(r, micros);
  v.t.micros = static_cast<uint32_t>(micros);
}

// Little-endian integers of 1 to 8 bytes, read as one bounds check and one load: the hot path
// of row decoding.
template <unsigned N>
uint64_t read_le(ByteReader& r, const char* what) {
  const uint8_t* p = r.bytes(N, what).data();
  uint64_t v = 0;
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(&v, p, N);
  } else {
    for (unsigned i = 0; i < N; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  }
  return v;
}

uint64_t read_le(ByteReader& r, unsigned n, const char* what) {
  switch (n) {
    case 1:
      return read_le<1>(r, what);
    case 2:
      return read_le<2>(r, what);
    case 3:
      return read_le<3>(r, what);
    case 4:
      return read_le<4>(r, what);
    case 8:
      return read_le<8>(r, what);
    default:
      return r.le(n, what);
  }
}

std::span<const uint8_t> read_prefixed(ByteReader& r, unsigned length_bytes, const char* what) {
  const uint64_t n = read_le(r, length_bytes, what);
  return r.bytes(r.length(n, what), what);
}

// An N-byte little-endian integer, signed or unsigned as the column's plan says.
template <unsigned N>
void read_int(ByteReader& r, const ColumnPlan& p, Value& v, const char* what) {
  const uint64_t x = read_le<N>(r, what);
  if (p.kind == ValueKind::signed_int) {
    v.i = sign_extend(x, N);
  } else {
    v.u = x;
  }
}

void read_value(ByteReader& r, const ColumnPlan& p, Value& v, RowsEvent& ev) {
  v.kind = p.kind;
  switch (p.codec) {
    case Codec::int8:
      return read_int<1>(r, p, v, "TINYINT value");
    case Codec::int16:
      return read_int<2>(r, p, v, "SMALLINT value");
    case Codec::int24:
      return read_int<3>(r, p, v, "MEDIUMINT value");
    case Codec::int32:
      return read_int<4>(r, p, v, "INT value");
    case Codec::int64:
      return read_int<8>(r, p, v, "BIGINT value");
    case Codec::float32:
      v.kind = ValueKind::float32;
      v.f = std::bit_cast<float>(static_cast<uint32_t>(read_le<4>(r, "FLOAT value")));
      return;
    case Codec::float64:
      v.kind = ValueKind::float64;
      v.d = std::bit_cast<double>(read_le<8>(r, "DOUBLE value"));
      return;
    case Codec::newdecimal:
      v.kind = ValueKind::decimal;
      v.precision = p.precision;
      v.scale = p.scale;
      v.bytes = r.bytes(p.size, "DECIMAL value");
      return;
    case Codec::year: {
      const uint8_t y = r.u8("YEAR value");
      v.kind = ValueKind::year;
      v.u = y == 0 ? 0 : 1900u + y;
      return;
    }
    case Codec::date: {
      const auto x = static_cast<uint32_t>(read_le<3>(r, "DATE value"));
      v.kind = ValueKind::date;
      v.t.day = static_cast<uint8_t>(x & 31);
      v.t.month = static_cast<uint8_t>((x >> 5) & 15);
      v.t.year = static_cast<int32_t>(x >> 9);
      return;
    }
    case Codec::time:
      v.kind = ValueKind::time;
      return read_old_time(r, v);
    case Codec::time2:
      v.kind = ValueKind::time;
      return read_time2(r, p, v);
    case Codec::time_hires:
      v.kind = ValueKind::time;
      return read_time_hires(r, p, v);
    case Codec::datetime:
      v.kind = ValueKind::datetime;
      return read_old_datetime(r, v);
    case Codec::datetime2:
      v.kind = ValueKind::datetime;
      return read_datetime2(r, p, v);
    case Codec::datetime_hires:
      v.kind = ValueKind::datetime;
      return read_datetime_hires(r, p, v);
    case Codec::timestamp:
      v.kind = ValueKind::timestamp;
      v.u = read_le<4>(r, "TIMESTAMP value");
      return;
    case Codec::timestamp2:
      v.kind = ValueKind::timestamp;
      return read_timestamp2(r, p, v);
    case Codec::timestamp_hires:
      v.kind = ValueKind::timestamp;
      return read_timestamp_hires(r, p, v);
    case Codec::var_string:
      v.bytes = read_prefixed(r, p.width, "VARCHAR value");
      return;
    case Codec::fixed_string: {
      v.bytes = read_prefixed(r, p.width, "CHAR value");
      if (p.size > v.bytes.size()) {
        std::string& padded = ev.storage.emplace_back(p.size, '\0');
        std::copy(v.bytes.begin(), v.bytes.end(), padded.begin());
        v.bytes = as_bytes(padded);
      }
      return;
    }
    case Codec::enum_index:
      v.kind = ValueKind::enum_index;
      v.u = r.le(p.width, "ENUM value");
      return;
    case Codec::set_bits:
      v.kind = ValueKind::set_bits;
      v.u = r.le(p.width, "SET value");
      return;
    case Codec::bit:
      v.kind = ValueKind::bit;
      v.bits = p.bits;
      v.bytes = r.bytes(p.size, "BIT value");
      return;
    case Codec::blob:
      v.bytes = read_prefixed(r, p.width, "BLOB value");
      return;
    case Codec::var_string_compressed:
    case Codec::blob_compressed:
      v.bytes = inflate_column(read_prefixed(r, p.width, "compressed column value"), p.size, ev);
      return;
    case Codec::old_decimal:
      throw DecodeError(
          "is a pre-5.0 DECIMAL: pre-5.0 DECIMAL unsupported (rebuild the table "
          "with ALTER TABLE ... FORCE to convert it)");
    case Codec::unsupported:
      break;
  }
  throw DecodeError("has type " + type_label(p.type) + ", which row events cannot carry");
}

struct ImageContext {
  std::span<const uint8_t> present;  // columns-present bitmap
  size_t present_count = 0;
  bool after_partial = false;  // the after image of a PARTIAL_UPDATE_ROWS_EVENT
  size_t json_columns = 0;
  const std::vector<Value>* prototype = nullptr;  // the plan's NULL values

  void prepare(const RowsPlan& plan);
};

void ImageContext::prepare(const RowsPlan& plan) {
  prototype = &plan.nulls;
  for (size_t i = 0; i < plan.columns.size(); ++i) present_count += bit_lsb(present, i) ? 1u : 0u;
}

constexpr size_t kNoImage = ~size_t{0};

// Reads one image and appends its values to ev.values; returns where they start. `before` is
// where the update's before image starts (for partial JSON updates), or kNoImage.
size_t read_image(ByteReader& r, const std::vector<ColumnPlan>& plans, const ImageContext& ctx,
                  RowsEvent& ev, size_t before, size_t& column) {
  std::span<const uint8_t> partial;
  if (ctx.after_partial) {
    const uint64_t options = r.packed("PARTIAL_UPDATE value_options");
    if (options > PARTIAL_JSON_UPDATES) {
      r.fail("PARTIAL_UPDATE value_options",
             "is " + std::to_string(options) + "; only 0 and 1 are known");
    }
    if ((options & PARTIAL_JSON_UPDATES) != 0) {
      partial = r.bytes((ctx.json_columns + 7) / 8, "PARTIAL_UPDATE partial_bits");
    }
  }
  const auto nulls = r.bytes((ctx.present_count + 7) / 8, "row null bitmap");
  const size_t n = plans.size();
  const size_t base = ev.values.size();
  ev.values.insert(ev.values.end(), ctx.prototype->begin(), ctx.prototype->end());
  Value* values = ev.values.data() + base;  // nothing is appended until this image is read
  size_t null_index = 0, json_index = 0;
  for (column = 0; column < n; ++column) {
    const ColumnPlan& p = plans[column];
    Value& v = values[column];
    const bool is_partial =
        !partial.empty() && p.type == CT::MYSQL_TYPE_JSON && bit_lsb(partial, json_index++);
    if (!bit_lsb(ctx.present, column)) continue;
    if (bit_lsb(nulls, null_index++)) continue;
    if (!is_partial) {
      read_value(r, p, v, ev);
      continue;
    }
    const auto diff = r.bytes(r.length(r.u32("JSON diff length"), "JSON diff"), "JSON diff");
    const Value* old = before != kNoImage ? &ev.values[before + column] : nullptr;
    if (old != nullptr && old->kind == ValueKind::json) {
      v.kind = ValueKind::json_text;
      v.bytes = as_bytes(ev.storage.emplace_back(apply_json_diff(old->bytes, diff)));
    } else {
      v.kind = ValueKind::json_diff;
      v.bytes = diff;
    }
  }
  return base;
}

const KnownTable& table_for(uint64_t table_id, uint64_t width, const TableLookup& tables) {
  const KnownTable* known = tables(table_id);
  if (known == nullptr) {
    throw DecodeError("rows event for table id " + std::to_string(table_id) +
                      ", which no TABLE_MAP_EVENT since the last FORMAT_DESCRIPTION_EVENT "
                      "described (start reading at a transaction's first event)");
  }
  const TableMapEvent& map = *known->map;
  if (width != map.columns.size()) {
    throw DecodeError("rows event for table id " + std::to_string(table_id) + " (`" + map.database +
                      "`.`" + map.table + "`) has " + std::to_string(width) +
                      " columns but its TABLE_MAP_EVENT has " + std::to_string(map.columns.size()));
  }
  return *known;
}

}  // namespace

TableMapEvent decode_table_map(ByteReader& r, const FormatDescriptionEvent& fde) {
  TableMapEvent m;
  const uint8_t post_header = fde.post_header_length(EventType::TABLE_MAP_EVENT);
  m.table_id = post_header == 6 ? r.u32("TABLE_MAP table id") : r.u48("TABLE_MAP table id");
  m.flags = r.u16("TABLE_MAP flags");
  const size_t read = post_header == 6 ? 6 : 8;
  if (post_header > read) r.skip(post_header - read, "TABLE_MAP post-header");

  m.database =
      std::string(r.str(r.u8("TABLE_MAP database name length"), "TABLE_MAP database name"));
  if (r.u8("TABLE_MAP database name terminator") != 0) {
    r.fail("TABLE_MAP database name", "is not NUL-terminated");
  }
  m.table = std::string(r.str(r.u8("TABLE_MAP table name length"), "TABLE_MAP table name"));
  if (r.u8("TABLE_MAP table name terminator") != 0) {
    r.fail("TABLE_MAP table name", "is not NUL-terminated");
  }
  const size_t n = r.length(r.packed("TABLE_MAP column count"), "TABLE_MAP column types");
  const auto types = r.bytes(n, "TABLE_MAP column types");
  m.columns.resize(n);
  for (size_t i = 0; i < n; ++i) m.columns[i].type = static_cast<ColumnType>(types[i]);

  ByteReader meta = take(r, r.packed("TABLE_MAP metadata length"), "TABLE_MAP metadata");
  for (auto& c : m.columns) read_column_metadata(meta, c);
  if (!meta.at_end()) {
    meta.fail("TABLE_MAP metadata",
              "has " + std::to_string(meta.remaining()) + " bytes more than its column types use");
  }
  const auto nullable = r.bytes((n + 7) / 8, "TABLE_MAP null bitmap");
  for (size_t i = 0; i < n; ++i) m.columns[i].nullable = bit_lsb(nullable, i);
  read_optional_metadata(r, m, fde.mariadb);
  return m;
}

std::shared_ptr<const RowsPlan> plan_rows(const TableMapEvent& map) {
  auto plan = std::make_shared<RowsPlan>();
  const size_t n = map.columns.size();
  plan->columns.reserve(n);
  plan->nulls.resize(n);
  for (size_t i = 0; i < n; ++i) {
    plan->columns.push_back(plan_column(i, map.columns[i]));
    plan->nulls[i].type = plan->columns[i].type;
    plan->nulls[i].fsp = plan->columns[i].fsp;
  }
  return plan;
}

RowsEvent decode_rows(ByteReader& r, EventType type, const FormatDescriptionEvent& fde,
                      const std::unordered_map<uint64_t, TableMapEvent>& tables) {
  KnownTable known;
  return decode_rows(r, type, fde, [&](uint64_t id) -> const KnownTable* {
    const auto it = tables.find(id);
    if (it == tables.end()) return nullptr;
    known.map = std::make_shared<const TableMapEvent>(it->second);
    known.plan = plan_rows(it->second);
    return &known;
  });
}

RowsEvent decode_rows(ByteReader& r, EventType type, const FormatDescriptionEvent& fde,
                      const TableLookup& tables) {
  RowsEvent ev;
  const EventShape shape = shape_of(type);
  ev.kind = shape.kind;
  ev.version = shape.version;
  ev.compressed = shape.compressed;

  // As the servers do, the FDE's post-header length decides the table id's width and whether a
  // variable-length header follows.
  uint8_t post_header = fde.post_header_length(type);
  if (post_header == 0) post_header = shape.version == 2 ? 10 : 8;
  ev.table_id = post_header == 6 ? r.u32("rows table id") : r.u48("rows table id");
  ev.flags = r.u16("rows flags");
  const size_t read = post_header == 6 ? 6 : 8;
  if (post_header == 10) {
    const uint16_t extra = r.u16("rows extra data length");
    if (extra < 2) r.fail("rows extra data length", "is " + std::to_string(extra) + ", below 2");
    ev.extra_info = r.bytes(extra - 2u, "rows extra data");
  } else if (post_header > read) {
    r.skip(post_header - read, "rows post-header");
  }

  ev.column_count = r.packed("rows column count");
  const KnownTable& known = table_for(ev.table_id, ev.column_count, tables);
  const TableMapEvent& map = *known.map;
  const std::vector<ColumnPlan>& plans = known.plan->columns;
  const size_t n = map.columns.size();
  const size_t bitmap_bytes = (n + 7) / 8;
  const bool two_images = ev.kind == RowsKind::update || ev.kind == RowsKind::partial_update;
  ImageContext first, second;
  first.present = r.bytes(bitmap_bytes, "rows columns-present bitmap");
  // Pre-GA update events use one bitmap for both images.
  second.present = two_images && ev.version != 0
                       ? r.bytes(bitmap_bytes, "rows after-image columns-present bitmap")
                       : first.present;
  if (ev.kind == RowsKind::partial_update) {
    second.after_partial = true;
    for (const auto& c : map.columns)
      second.json_columns += c.type == CT::MYSQL_TYPE_JSON ? 1u : 0u;
  }

  ByteReader rows = r;
  if (ev.compressed) rows = ByteReader(inflate_rows(r, ev));

  first.prepare(*known.plan);
  if (two_images) second.prepare(*known.plan);

  size_t column = 0, rows_read = 0;
  const size_t per_row = two_images ? 2 * n : n;
  try {
    while (!rows.at_end()) {
      const size_t start = rows.offset();
      const size_t first_at = read_image(rows, plans, first, ev, kNoImage, column);
      if (two_images) read_image(rows, plans, second, ev, first_at, column);
      const size_t row_bytes = rows.offset() - start;
      if (row_bytes == 0) rows.fail("row", "has no columns");
      if (++rows_read == 1) {  // rows of one event are often alike: size the vector once
        ev.values.reserve((rows.remaining() / row_bytes + 1) * per_row);
      }
    }
  } catch (const DecodeError& e) {
    std::string where =
        "`" + map.database + "`.`" + map.table + "` row " + std::to_string(rows_read + 1);
    if (ev.compressed) where += " (offsets within the uncompressed rows)";
    if (column < n) {
      const ColumnInfo& c = map.columns[column];
      where += ", column " + std::to_string(column + 1) +
               (c.name.empty() ? "" : " `" + c.name + "`") + " (" + type_label(c.type) + ")";
    }
    throw DecodeError(where + ": " + e.what());
  }
  // The values are all in place: the images can view them now.
  auto& firsts = ev.kind == RowsKind::write ? ev.after : ev.before;
  firsts.reserve(rows_read);
  if (two_images) ev.after.reserve(rows_read);
  const ColumnBits first_bits(first.present, n), second_bits(second.present, n);
  for (size_t k = 0; k < rows_read; ++k) {
    const Value* row = ev.values.data() + k * per_row;
    firsts.push_back(RowImage{ImageValues(row, n), first_bits});
    if (two_images) ev.after.push_back(RowImage{ImageValues(row + n, n), second_bits});
  }
  if (!ev.compressed) r = rows;
  return ev;
}

}  // namespace my2pg::binlog
