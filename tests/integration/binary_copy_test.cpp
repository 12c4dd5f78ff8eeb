// Binary COPY against text COPY: the same MySQL text-protocol values go once through
// append_copy_field into COPY text format and once through append_binary_field into COPY binary
// format, into two PostgreSQL tables of the same types, which must then hold the same rows: equal
// as sets with duplicates (EXCEPT ALL both ways), and equal column by column in their binary send
// form, so that a lost sign of zero, numeric scale or char padding shows. Columns are mapped by
// the real rules (map_table), so the codecs and PostgreSQL types are those the copy uses.
#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/pg_names.hpp"
#include "mysql/catalog.hpp"
#include "pg/connection.hpp"
#include "schema/catalog.hpp"
#include "schema/table.hpp"
#include "snapshot/table_copy.hpp"
#include "support/servers.hpp"
#include "typemap/binary_encoder.hpp"
#include "typemap/target_table.hpp"
#include "typemap/type_rules.hpp"
#include "typemap/value_encoder.hpp"

using my2pg::test::TestDatabases;
namespace schema = my2pg::schema;
namespace typemap = my2pg::typemap;

namespace {

using Value = std::optional<std::string>;  // a MySQL text-protocol value; nullopt for NULL
using Row = std::vector<Value>;

schema::Column column(const std::string& name, const std::string& column_type) {
  schema::Column c;
  c.name = name;
  c.column_type = column_type;
  c.data_type = column_type.substr(0, column_type.find_first_of("( "));
  c.is_unsigned = column_type.find(" unsigned") != std::string::npos;
  const size_t open = column_type.find('(');
  if (open != std::string::npos && c.data_type != "enum" && c.data_type != "set") {
    const int64_t first = std::stoll(column_type.substr(open + 1));
    const size_t comma = column_type.find(',', open);
    const std::string& t = c.data_type;
    if (t == "decimal") {
      c.precision = first;
      c.scale = comma == std::string::npos ? 0 : std::stoll(column_type.substr(comma + 1));
    } else if (t == "char" || t == "varchar" || t == "binary" || t == "varbinary") {
      c.char_length = first;
    } else if (t == "bit") {
      c.precision = first;
    } else if (t == "datetime" || t == "timestamp" || t == "time") {
      c.fsp = first;
    }
  } else if (c.data_type == "datetime" || c.data_type == "timestamp") {
    c.fsp = 0;
  }
  return c;
}

// A table `name` with an `id int` first, then `columns`, mapped by the default rules after
// `user_rules` (YAML, may be empty).
typemap::TargetTable target_of(TestDatabases& db, const std::string& name,
                               const std::vector<schema::Column>& columns,
                               const std::string& user_rules = {}) {
  schema::Table t;
  t.database = db.name();
  t.name = name;
  t.columns.push_back(column("id", "int(11)"));
  for (const auto& c : columns) t.columns.push_back(c);
  const auto defaults = typemap::TypeRules::load_default();
  const auto rules = user_rules.empty()
                         ? defaults
                         : typemap::TypeRules::layered(
                               typemap::TypeRules::parse(user_rules, "test.yaml"), defaults);
  return typemap::map_table(rules, t, db.name());
}

std::string qualified(const TestDatabases& db, const std::string& table) {
  return my2pg::pg::quote_identifier(db.name()) + "." + my2pg::pg::quote_identifier(table);
}

void create_table(TestDatabases& db, const typemap::TargetTable& target, const std::string& name) {
  db.target().execute("CREATE SCHEMA IF NOT EXISTS " + my2pg::pg::quote_identifier(db.name()));
  std::string sql = "CREATE TABLE " + qualified(db, name) + " (";
  for (size_t i = 0; i < target.columns.size(); ++i) {
    sql.append(i == 0 ? "" : ", ").append(my2pg::pg::quote_identifier(target.columns[i].name));
    sql.append(" ").append(target.columns[i].type.sql);
  }
  db.target().execute(sql + ")");
}

void load_text(TestDatabases& db, const typemap::TargetTable& target, const std::string& table,
               const std::vector<Row>& rows) {
  auto writer = db.target().copy_in("COPY " + qualified(db, table) + " FROM STDIN");
  for (const Row& row : rows) {
    std::string& out = writer.buffer();
    for (size_t i = 0; i < row.size(); ++i) {
      if (i != 0) out.push_back('\t');
      if (!row[i]) {
        out += "\\N";
        continue;
      }
      const char* refused = typemap::append_copy_field(target.columns[i].codec, *row[i], out);
      INFO("column " << target.columns[i].name << " value " << *row[i]);
      REQUIRE(refused == nullptr);
    }
    out.push_back('\n');
  }
  CHECK(writer.finish() == rows.size());
}

void load_binary(TestDatabases& db, const typemap::TargetTable& target, const std::string& table,
                 const std::vector<Row>& rows) {
  std::vector<typemap::BinaryCodec> codecs;
  for (const auto& c : target.columns) {
    INFO("column " << c.name << " " << c.type.sql);
    REQUIRE(typemap::binary_capable(c));
    codecs.push_back(typemap::binary_codec_for(c));
  }
  auto writer = db.target().copy_in("COPY " + qualified(db, table) + " FROM STDIN (FORMAT binary)");
  typemap::append_binary_header(writer.buffer());
  for (const Row& row : rows) {
    std::string& out = writer.buffer();
    typemap::append_binary_row_start(static_cast<uint16_t>(row.size()), out);
    for (size_t i = 0; i < row.size(); ++i) {
      if (!row[i]) {
        typemap::append_binary_null(out);
        continue;
      }
      const char* refused = typemap::append_binary_field(codecs[i], *row[i], out);
      INFO("column " << target.columns[i].name << " value " << *row[i]);
      REQUIRE(refused == nullptr);
    }
    writer.flush_if_full();
  }
  typemap::append_binary_trailer(writer.buffer());
  CHECK(writer.finish() == rows.size());
}

// The column's value in a form that keeps everything the type stores: the send function where
// the text form could hide something (float -0, numeric scale, char padding).
std::string strict_expression(const std::string& pg_type, const std::string& value) {
  if (pg_type == "real") return "float4send(" + value + ")";
  if (pg_type == "double precision") return "float8send(" + value + ")";
  if (pg_type.starts_with("numeric")) return "numeric_send(" + value + ")";
  if (pg_type.starts_with("character(")) return "bpcharsend(" + value + ")";
  return value + "::text";
}

// Loads `rows` both ways and compares the two tables.
void check_same(TestDatabases& db, const typemap::TargetTable& target,
                const std::vector<Row>& rows) {
  const std::string a = target.name + "_text", b = target.name + "_binary";
  create_table(db, target, a);
  create_table(db, target, b);
  load_text(db, target, a, rows);
  load_binary(db, target, b, rows);
  const std::string qa = qualified(db, a), qb = qualified(db, b);
  INFO("table " << target.name);
  CHECK(db.target_value("SELECT count(*) FROM " + qa) == std::to_string(rows.size()));
  CHECK(db.target_value("SELECT count(*) FROM " + qb) == std::to_string(rows.size()));
  CHECK(db.target_value("SELECT count(*) FROM (SELECT * FROM " + qa + " EXCEPT ALL SELECT * FROM " +
                        qb + ") x") == "0");
  CHECK(db.target_value("SELECT count(*) FROM (SELECT * FROM " + qb + " EXCEPT ALL SELECT * FROM " +
                        qa + ") x") == "0");
  const auto types = db.target().query(
      "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
      "$1::regclass "
      "AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
      {qa});
  REQUIRE(types.rows.size() == target.columns.size());
  for (const auto& t : types.rows) {
    const std::string name = my2pg::pg::quote_identifier(*t.at(0));
    const std::string type = *t.at(1);
    const std::string sa = strict_expression(type, "a." + name);
    const std::string sb = strict_expression(type, "b." + name);
    const auto differ = db.target().query(
        "SELECT a.id::text, " + sa + "::text, " + sb + "::text FROM " + qa + " a JOIN " + qb +
        " b USING (id) WHERE " + sa + " IS DISTINCT FROM " + sb + " ORDER BY a.id LIMIT 5");
    for (const auto& d : differ.rows) {
      INFO("column " << *t.at(0) << " (" << type << ") at id " << *d.at(0) << ": text COPY "
                     << d.at(1).value_or("NULL") << ", binary COPY " << d.at(2).value_or("NULL"));
      CHECK(false);
    }
  }
  CHECK(db.target_value("SELECT count(*) FROM " + qa + " a JOIN " + qb + " b USING (id)") ==
        std::to_string(rows.size()));
}

// Rows of several value columns: each list padded with NULLs to the longest.
std::vector<Row> columns_of(const std::vector<std::vector<std::string>>& columns) {
  size_t n = 0;
  for (const auto& c : columns) n = std::max(n, c.size());
  std::vector<Row> rows;
  for (size_t r = 0; r <= n; ++r) {
    Row row{std::to_string(r + 1)};
    for (const auto& c : columns) row.push_back(r < c.size() ? Value(c[r]) : std::nullopt);
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string rule(const std::string& match, const std::string& target,
                 const std::string& extra = {}) {
  return "  - {match: {" + match + "}, target: \"" + target + "\", why: test" + extra + "}\n";
}

}  // namespace

TEST_CASE("binary COPY stores integers and YEAR as text COPY does", "[binary_copy]") {
  TestDatabases db;
  const auto target = target_of(
      db, "ints",
      {column("ti", "tinyint(4)"), column("tu", "tinyint(3) unsigned"), column("si", "smallint(6)"),
       column("su", "smallint(5) unsigned"), column("mi", "mediumint(9)"),
       column("mu", "mediumint(8) unsigned"), column("i", "int(11)"),
       column("iu", "int(10) unsigned"), column("bi", "bigint(20)"),
       column("bu", "bigint(20) unsigned"), column("y", "year(4)")});
  check_same(db, target,
             columns_of({{"-128", "127", "0", "-1", "1"},
                         {"0", "255", "1"},
                         {"-32768", "32767", "0", "-1"},
                         {"0", "65535", "1"},
                         {"-8388608", "8388607", "0"},
                         {"0", "16777215"},
                         {"-2147483648", "2147483647", "0", "-1", "00000042"},
                         {"0", "4294967295"},
                         {"-9223372036854775808", "9223372036854775807", "0", "-1"},
                         {"0", "18446744073709551615", "9223372036854775808", "1"},
                         {"0", "1901", "2155", "2024"}}));
}

TEST_CASE("binary COPY stores decimals with their scale as text COPY does", "[binary_copy]") {
  TestDatabases db;
  const std::string big = std::string(35, '9') + "." + std::string(30, '9');
  const std::string tiny = "0." + std::string(29, '0') + "1";
  const auto target = target_of(db, "decs",
                                {column("d65", "decimal(65,30)"), column("d10", "decimal(10,0)"),
                                 column("d62", "decimal(6,2)"), column("d30", "decimal(30,30)"),
                                 column("d20", "decimal(20,4)")});
  check_same(
      db, target,
      columns_of({{big, "-" + big, tiny, "-" + tiny, "0.000000000000000000000000000000",
                   "1.000000000000000000000000000000", "-12345.678900000000000000000000000"},
                  {"9999999999", "-9999999999", "0", "1", "-1", "10000", "100000000"},
                  {"9999.99", "-9999.99", "0.00", "-0.00", "0.01", "-0.01", "1.50", "100.00"},
                  {"0.999999999999999999999999999999", "-0.999999999999999999999999999999",
                   "0.000000000000000000000000000000", "0.000100000000000000000000000000",
                   "0.123456789012345678901234567890"},
                  {"1234567890123456.7890", "0.0001", "-0.0001", "10000.0000", "0.1000",
                   "99999999.9999", "-0.0000"}}));
}

TEST_CASE("binary COPY stores FLOAT and DOUBLE bit for bit as text COPY does", "[binary_copy]") {
  TestDatabases db;
  const auto target = target_of(db, "floats", {column("f", "float"), column("g", "double")});
  // FLOAT values as `f + 0E0` prints them (a double's shortest text), and some other spellings.
  check_same(
      db, target,
      columns_of({{"3.4028234663852886e38", "-3.4028234663852886e38", "1.1754943508222875e-38",
                   "1.401298464324817e-45", "-1.401298464324817e-45", "1e-45", "-0", "0",
                   "1.100000023841858", "16777215", "16777217", "0.12345679104328156", "1.1",
                   "3.4028235e38", "1.5e-40"},
                  {"1.7976931348623157e308", "-1.7976931348623157e308", "2.2250738585072014e-308",
                   "4.9406564584124654e-324", "5e-324", "-0", "0", "0.1", "9007199254740993",
                   "1e-300", "123456789.12345679", "-2.5e-5", "1e22", "0.30000000000000004"}}));
}

TEST_CASE("binary COPY stores text and bytes as text COPY does", "[binary_copy]") {
  TestDatabases db;
  const auto target = target_of(
      db, "texts",
      {column("c120", "char(120)"), column("c60", "char(60)"), column("vc", "varchar(255)"),
       column("t", "longtext"), column("e", "enum('a','b c')"), column("c0", "char(0)"),
       column("vb", "varbinary(300)"), column("b4", "binary(4)"), column("bl", "blob")});
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes.push_back(static_cast<char>(i));
  std::string controls;
  for (int i = 1; i < 32; ++i) controls.push_back(static_cast<char>(i));
  controls.push_back('\x7f');
  const std::string sysbench_c =
      "83868641912-28773972837-60736120486-75162659906-27563526494-20381887404-41576422241-"
      "93426793964-56405065102-33518432330";
  const std::string multibyte =
      "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xe4\xb8\xad\xe6\x96\x87";
  check_same(db, target,
             columns_of({{sysbench_c, "", "padded   ", multibyte, controls},
                         {"67847967377-48000963322-62604785301-91415491898-96926520291", "a", "\\N",
                          "\\."},
                         {"", "tab\there", "new\nline", "back\\slash", "cr\rlf", controls,
                          multibyte, "\\N", "\\.", " lead and trail "},
                         {std::string(70000, 'x'), multibyte + multibyte, "", "\t\\\r\n"},
                         {"a", "b c"},
                         {""},
                         {"", std::string(1, '\0'), std::string(3, '\0'), all_bytes, "\\x00"},
                         {std::string("ab\0\0", 4), std::string(4, '\0'), "\xff\xff\xff\xff"},
                         {std::string(100000, '\0'), all_bytes + all_bytes}}));
}

TEST_CASE("binary COPY stores dates and times as text COPY does", "[binary_copy]") {
  TestDatabases db;
  const auto target = target_of(
      db, "dates",
      {column("d", "date"), column("dt", "datetime"), column("dt3", "datetime(3)"),
       column("dt6", "datetime(6)"), column("ts", "timestamp"), column("ts6", "timestamp(6)")});
  check_same(db, target,
             columns_of({{"0001-01-01", "9999-12-31", "2024-02-29", "1582-10-04", "1582-10-15",
                          "1970-01-01", "2000-01-01", "1999-12-31", "1000-01-01"},
                         {"0001-01-01 00:00:00", "9999-12-31 23:59:59", "2024-02-29 12:34:56",
                          "2000-01-01 00:00:00"},
                         {"1000-01-01 00:00:00.000", "9999-12-31 23:59:59.999",
                          "2024-02-29 12:00:00.001", "1999-12-31 23:59:59.500"},
                         {"0001-01-01 00:00:00.000000", "9999-12-31 23:59:59.999999",
                          "2024-02-29 12:00:00.000001", "1969-12-31 23:59:59.999999",
                          "1900-02-28 23:59:59.123456"},
                         {"1970-01-01 00:00:01", "2038-01-19 03:14:07", "2024-06-01 12:00:00"},
                         {"1970-01-01 00:00:01.000000", "2038-01-19 03:14:07.999999",
                          "2024-06-01 12:00:00.000001", "2000-01-01 00:00:00.000000"}}));
}

TEST_CASE("binary COPY applies the zero-date policies as text COPY does", "[binary_copy]") {
  TestDatabases db;
  const std::string rules =
      "rules:\n" + rule("column: \"*.*.d_null\"", "date", ", zero_dates: null") +
      rule("column: \"*.*.d_inf\"", "date", ", zero_dates: -infinity") +
      rule("column: \"*.*.dt_inf\"", "timestamp({fsp})", ", zero_dates: -infinity") +
      rule("column: \"*.*.dt_null\"", "timestamp({fsp})", ", zero_dates: null") +
      rule("column: \"*.*.ts_inf\"", "timestamptz({fsp})", ", zero_dates: -infinity") +
      rule("column: \"*.*.ts_null\"", "timestamptz({fsp})", ", zero_dates: null");
  const auto target = target_of(db, "zero_dates",
                                {column("d_null", "date"), column("d_inf", "date"),
                                 column("dt_inf", "datetime(6)"), column("dt_null", "datetime"),
                                 column("ts_inf", "timestamp(3)"), column("ts_null", "timestamp")},
                                rules);
  check_same(db, target,
             columns_of({{"0000-00-00", "2024-00-10", "2024-05-00", "2024-05-01"},
                         {"0000-00-00", "2024-00-10", "0000-05-01", "2024-05-01"},
                         {"0000-00-00 00:00:00.000000", "2024-05-00 10:00:00.500000",
                          "2024-05-01 10:00:00.500000"},
                         {"0000-00-00 00:00:00", "2024-05-01 10:00:00"},
                         {"0000-00-00 00:00:00.000", "2024-05-01 10:00:00.250"},
                         {"0000-00-00 00:00:00", "2024-05-01 10:00:00"}}));
  CHECK(db.target_value("SELECT count(*) FROM " + qualified(db, "zero_dates_binary") +
                        " WHERE d_inf = '-infinity' AND dt_inf = '-infinity' AND ts_inf = "
                        "'-infinity'") == "1");
}

TEST_CASE("binary COPY stores user-mapped columns as text COPY does", "[binary_copy]") {
  TestDatabases db;
  const std::string rules =
      "rules:\n" + rule("column_type: tinyint(1)", "boolean") +
      rule("column_type: bit(1)", "boolean") + rule("column: \"*.*.int_text\"", "text") +
      rule("column: \"*.*.int_varchar\"", "varchar(30)") +
      rule("column: \"*.*.dec_double\"", "double precision") +
      rule("column: \"*.*.dec_real\"", "real") + rule("column: \"*.*.double_numeric\"", "numeric") +
      rule("column: \"*.*.double_real\"", "float(24)") +
      rule("column: \"*.*.big_int\"", "integer") +
      rule("column: \"*.*.dec_narrow\"", "numeric(8,2)") +
      rule("column: \"*.*.dt_round\"", "timestamp(0)") +
      rule("column: \"*.*.ts_plain\"", "timestamp(6) without time zone") +
      rule("column: \"*.*.text_strip\"", "text", ", nul_bytes: strip, invalid_text: replace") +
      rule("column: \"*.*.int_smallint\"", "int2");
  const auto target =
      target_of(db, "user_mapped",
                {column("flag", "tinyint(1)"), column("bit1", "bit(1)"),
                 column("int_text", "int(11)"), column("int_varchar", "bigint(20) unsigned"),
                 column("dec_double", "decimal(30,10)"), column("dec_real", "decimal(40,30)"),
                 column("double_numeric", "double"), column("double_real", "double"),
                 column("big_int", "bigint(20)"), column("dec_narrow", "decimal(10,4)"),
                 column("dt_round", "datetime(6)"), column("ts_plain", "timestamp(6)"),
                 column("text_strip", "text"), column("int_smallint", "int(11)")},
                rules);
  REQUIRE(target.columns.at(1).codec.kind == typemap::ValueKind::boolean_from_integer);
  REQUIRE(target.columns.at(2).codec.kind == typemap::ValueKind::boolean_from_bit);
  check_same(
      db, target,
      columns_of(
          {{"0", "1"},
           {std::string(1, '\0'), "\x01"},
           {"-2147483648", "2147483647", "0"},
           {"18446744073709551615", "0"},
           {"12345678901234567890.1234567890", "-0.0000000001", "0.0000000000", "0.1000000000"},
           // just above the midpoint between 1 and the next float: strtof rounds up, a double
           // rounded again to float would tie to even (1)
           {"1.000000059604644775390625000001", "0.100000000000000000000000000000",
            "-1234567890.123456789012345678901234567890"},
           {"1.7976931348623157e308", "4.9406564584124654e-324", "-0", "1e-45", "0.1", "1e22",
            "-2.5e-5", "123456789.12345679"},
           {"0.1", "-0", "1.401298464324817e-45", "3.4028234663852886e38", "1.0000000596046448"},
           {"-2147483648", "2147483647", "0"},
           {"1234.5678", "-1234.5650", "0.0049", "-0.0050", "999999.9949"},
           {"2024-01-01 10:00:00.500000", "2024-01-01 10:00:00.499999",
            "1999-12-31 23:59:59.999999", "2024-01-01 10:00:00.000000"},
           {"2024-06-01 12:00:00.000001", "1970-01-01 00:00:01.000000"},
           {std::string("a\0b", 3), "bad \xff utf-8 \xe2\x82", "tab\tand\\"},
           {"-32768", "32767", "0"}}));
}

TEST_CASE("binary COPY refuses what text COPY's PostgreSQL rejects", "[binary_copy]") {
  TestDatabases db;
  const std::string rules = "rules:\n" + rule("column: \"*.*.big_int\"", "integer") +
                            rule("column: \"*.*.double_real\"", "real") +
                            rule("column: \"*.*.dec_narrow\"", "numeric(4,2)");
  const auto target = target_of(db, "rejects",
                                {column("dt", "datetime"), column("d", "date"),
                                 column("big_int", "bigint(20)"), column("double_real", "double"),
                                 column("dec_narrow", "decimal(10,2)"), column("c2", "char(2)")},
                                rules);
  create_table(db, target, "rejects_text");
  create_table(db, target, "rejects_binary");
  struct Case {
    size_t column;
    std::string value;
  };
  // A day MySQL's ALLOW_INVALID_DATES keeps, values past a user-narrowed type's range, values
  // longer than the type allows (the last two rejected by PostgreSQL on both paths).
  const std::vector<Case> cases{{1, "2024-02-30 10:00:00"},
                                {2, "2023-02-29"},
                                {3, "2147483648"},
                                {3, "-2147483649"},
                                {4, "1e39"},
                                {4, "1e-50"},
                                {5, "100.00"},
                                {6, "abc"}};
  for (const Case& c : cases) {
    const typemap::TargetColumn& col = target.columns.at(c.column);
    INFO("column " << col.name << " (" << col.type.sql << ") value " << c.value);
    std::string text_line = "1";
    for (size_t i = 1; i < target.columns.size(); ++i) {
      text_line += '\t';
      if (i != c.column) {
        text_line += "\\N";
        continue;
      }
      REQUIRE(typemap::append_copy_field(col.codec, c.value, text_line) == nullptr);
    }
    {
      auto writer = db.target().copy_in("COPY " + qualified(db, "rejects_text") + " FROM STDIN");
      writer.buffer() += text_line + "\n";
      CHECK_THROWS_AS(writer.finish(), my2pg::TargetError);
    }
    std::string field;
    const char* refused =
        typemap::append_binary_field(typemap::binary_codec_for(col), c.value, field);
    if (refused != nullptr) {
      CHECK(field.empty());
      continue;
    }
    auto writer = db.target().copy_in("COPY " + qualified(db, "rejects_binary") +
                                      " FROM STDIN (FORMAT binary)");
    std::string& out = writer.buffer();
    typemap::append_binary_header(out);
    typemap::append_binary_row_start(static_cast<uint16_t>(target.columns.size()), out);
    for (size_t i = 0; i < target.columns.size(); ++i) {
      if (i == 0) {
        typemap::append_binary_field(typemap::binary_codec_for(target.columns[0]), "1", out);
      } else if (i == c.column) {
        out += field;
      } else {
        typemap::append_binary_null(out);
      }
    }
    typemap::append_binary_trailer(out);
    CHECK_THROWS_AS(writer.finish(), my2pg::TargetError);
  }
  CHECK(db.target_value("SELECT count(*) FROM " + qualified(db, "rejects_binary")) == "0");
}

TEST_CASE("binary COPY stores rows read from MariaDB as text COPY does", "[binary_copy]") {
  TestDatabases db;
  db.source().execute(
      "CREATE TABLE sbtest (id INT PRIMARY KEY, k INT NOT NULL, c CHAR(120) NOT NULL, "
      "pad CHAR(60) NOT NULL, f FLOAT, g DOUBLE, d DECIMAL(65,30), bu BIGINT UNSIGNED, y YEAR, "
      "dt DATETIME(6), ts TIMESTAMP(6) NULL, day DATE, vb VARBINARY(20), t TEXT, e ENUM('x','y'))");
  db.source().execute(
      "INSERT INTO sbtest VALUES "
      "(1, 4993, '83868641912-28773972837-60736120486', '67847967377-48000963322', "
      " 3.4028234663852886e38, 1.7976931348623157e308, "
      " 99999999999999999999999999999999999.999999999999999999999999999999, "
      " 18446744073709551615, 2155, '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07.999999', "
      " '9999-12-31', X'00FF00', 'caf\xc3\xa9 \xf0\x9f\x98\x80 tab\there', 'y'),"
      "(2, -1, '', '', 1.401298464324817e-45, 4.9406564584124654e-324, "
      "-0.000000000000000000000000000001, "
      " 0, 1901, '0001-01-01 00:00:00.000000', '1970-01-01 00:00:01.000000', '0001-01-01', "
      " X'', '', 'x'),"
      "(3, 0, 'a', 'b', 0.1, 0.1, 0, 1, 0, '2024-02-29 12:34:56.123456', "
      " '2024-02-29 12:34:56.000001', '2024-02-29', X'5C78', 'back\\\\slash\\nnewline', NULL),"
      "(4, 7, 'x', 'y', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");
  const auto catalog =
      schema::build_catalog(db.name(), my2pg::mysql::read_catalog(db.source(), db.name()));
  REQUIRE(catalog.tables.size() == 1);
  const schema::Table& table = catalog.tables[0];
  const auto target = typemap::map_table(typemap::TypeRules::load_default(), table, db.name());
  db.source().execute("SET SESSION time_zone = '+00:00'");
  auto stream = db.source().stream(my2pg::snapshot::select_sql(table));
  std::vector<Row> rows;
  while (stream.next()) {
    Row row;
    for (size_t i = 0; i < stream.field_count(); ++i) {
      row.push_back(stream.is_null(i) ? std::nullopt : Value(std::string(stream.field(i))));
    }
    rows.push_back(std::move(row));
  }
  REQUIRE(rows.size() == 4);
  check_same(db, target, rows);
}
