#pragma once
// Order-independent digests of table rows in COPY text form, comparable across the two sides of
// a migration: the lines my2pg sent to PostgreSQL (typemap::append_copy_field) and the lines
// PostgreSQL gives back for the stored rows (COPY (SELECT ...) TO STDOUT under
// kTargetSessionSql). The two texts of one value can differ in form (char(n) padding, float and
// jsonb printing, fractional-second zeros, hex case, COPY escapes); each column is made
// canonical by its Canon first, so equal values hash equal and different values differ.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace my2pg::typemap {
struct TargetColumn;
}

namespace my2pg::verify {

// How a column's text is made canonical (after COPY unescaping, which every rule starts with).
enum class Canon : uint8_t {
  exact,          // the text as it is (text, varchar, enum labels, bit strings, date, json)
  numeric,        // a decimal by value: leading/trailing zeros and the sign of zero dropped
  float4,         // read as float, printed shortest (PostgreSQL's real output)
  float8,         // read as double, printed shortest
  padded_char,    // char(n): trailing spaces dropped (PostgreSQL pads, MySQL strips)
  hex_bytes,      // bytea "\x..", PostGIS EWKB hex: lower case
  fraction_time,  // time, interval: trailing zeros of fractional seconds dropped
  timestamp,      // timestamp(tz): as fraction_time, a UTC offset dropped, a bare date at 00:00:00
  json,           // jsonb: verify::canonical_json (invalid JSON stays as it is)
  lower_text,     // uuid: lower case
  inet,           // inet/cidr: the address as inet_ntop prints it, a full-length prefix dropped
  boolean,        // t/f from any spelling PostgreSQL's boolean input takes
};

// The rule for a PostgreSQL column type as CREATE TABLE or format_type() spells it ("char(10)",
// "timestamp(6) with time zone", "double precision", a user enum type name...); unknown: exact.
Canon canon_for_type(std::string_view pg_type);
// The rule for a target column: by its codec (jsonb, PostGIS, boolean conversions), else by
// canon_for_type(column.type.sql).
Canon canon_for(const typemap::TargetColumn& column);

// Settings under which PostgreSQL's COPY TO output is what RowHasher expects: several SET LOCAL
// statements, to execute in the reading transaction before COPY (SELECT ...) TO STDOUT (they end
// with it, leaving the session as it was).
extern const char* const kTargetSessionSql;

// A 64-bit hash of `bytes` (16-byte blocks, two lanes past 32 bytes, each through a folded
// 64x64->128 multiply; MurmurHash3's finalizer), the same on every platform, so digests can be
// stored and compared later. `seed` chains hashes: different seeds, unrelated results.
uint64_t hash_bytes(std::string_view bytes, uint64_t seed = 0);

// Hashes COPY text rows: one line without its newline, fields separated by tabs, "\N" for NULL.
// Fields are hashed one after another (length and position included, NULL distinct from ''), so
// no two different rows are one byte stream. Fields that need no work are hashed in place; the
// others go through buffers the hasher reuses, so use one hasher per thread.
class RowHasher {
 public:
  explicit RowHasher(std::vector<Canon> columns);

  // The row's canonical hash. Throws TargetError when the line has not one field per column.
  uint64_t hash_line(std::string_view line);
  // The canonical text of the given columns (indexes into the constructor's list) of `line`,
  // NULL as std::nullopt: for showing rows whose hashes differ.
  std::vector<std::optional<std::string>> fields_of(std::string_view line,
                                                    const std::vector<size_t>& columns);

  size_t column_count() const { return m_columns.size(); }

  // The same hash built field by field, for rows not sent as COPY text (binary COPY): each
  // value as the text path sends it but without COPY escapes, in column order. end_row() throws
  // TargetError, as hash_line does, unless every column got one value.
  void begin_row();
  void add_null();
  void add_value(std::string_view unescaped);
  uint64_t end_row();

 private:
  std::string_view canonical(Canon canon, std::string_view raw, bool escaped);

  std::vector<Canon> m_columns;
  uint64_t m_row = 0;       // begin_row()..end_row(): the hash so far
  size_t m_fields = 0;      // and the fields added
  std::string m_unescaped;  // reused: a field after COPY unescaping
  std::string m_canonical;  // reused: a field in its canonical form
};

// An order-independent digest of a multiset of rows: the count and two sums (mod 2^64) of row
// hashes, the second of a remixed hash, so that different sets of hashes with equal plain sums
// still differ. A changed row goes unnoticed only when its 64-bit hash collides (about 2^-64).
struct Digest {
  uint64_t rows = 0;
  uint64_t sum = 0;
  uint64_t sum2 = 0;

  void add(uint64_t row_hash);
  void merge(const Digest& other);
  bool operator==(const Digest&) const = default;

  // "rows:sum:sum2", rows in decimal and the sums as 16 lower-case hex digits each.
  std::string text() const;
  // The inverse of text(); std::nullopt for anything text() does not produce.
  static std::optional<Digest> parse(std::string_view text);
};

}  // namespace my2pg::verify
