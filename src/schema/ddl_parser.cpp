#include "schema/ddl_parser.hpp"

#include <algorithm>
#include <charconv>

#include "common/sql_text.hpp"
#include "schema/ddl_tracker.hpp"
#include "schema/mysql_types.hpp"

namespace my2pg::schema {
namespace {

using TT = SqlToken::Type;

// --- data types ---

TypeDecl parse_type(Parser& p) {
  TypeDecl t;
  const std::string w = p.word();
  if (w.empty()) p.fail("expected a data type " + p.where());
  p.take();
  auto length = [&] {
    if (p.accept_symbol('(')) {
      t.length = p.integer("a length");
      if (p.accept_symbol(',')) t.decimals = p.integer("a scale");
      p.expect_symbol(')');
    }
  };
  if (w == "TINYINT" || w == "INT1")
    t.base = "tinyint";
  else if (w == "SMALLINT" || w == "INT2")
    t.base = "smallint";
  else if (w == "MEDIUMINT" || w == "INT3" || w == "MIDDLEINT")
    t.base = "mediumint";
  else if (w == "INT" || w == "INTEGER" || w == "INT4")
    t.base = "int";
  else if (w == "BIGINT" || w == "INT8")
    t.base = "bigint";
  else if (w == "BOOL" || w == "BOOLEAN") {
    t.base = "tinyint";
    t.length = 1;
    return t;
  } else if (w == "SERIAL") {
    t.base = "bigint";
    t.is_unsigned = true;
    t.serial = true;
    return t;
  } else if (w == "DECIMAL" || w == "DEC" || w == "NUMERIC" || w == "FIXED")
    t.base = "decimal";
  else if (w == "FLOAT") {
    t.base = "float";
    length();
    if (t.length && !t.decimals) {
      if (*t.length > 24) t.base = "double";
      t.length.reset();
    }
  } else if (w == "DOUBLE" || w == "REAL" || w == "FLOAT8") {
    p.accept("PRECISION");
    t.base = "double";
  } else if (w == "FLOAT4")
    t.base = "float";
  else if (w == "BIT")
    t.base = "bit";
  else if (w == "NATIONAL" || w == "NCHAR" || w == "NVARCHAR") {
    t.national = true;
    if (w == "NVARCHAR")
      t.base = "varchar";
    else {
      if (w == "NATIONAL" && !p.accept("CHAR") && !p.accept("CHARACTER") && !p.is("VARCHAR"))
        p.fail("expected CHAR or VARCHAR after NATIONAL " + p.where());
      t.base = p.accept("VARCHAR") || p.accept("VARYING") || p.accept("VARCHARACTER") ? "varchar"
                                                                                      : "char";
    }
  } else if (w == "CHAR" || w == "CHARACTER") {
    t.base = p.accept("VARYING") ? "varchar" : "char";
    if (t.base == "char" && p.accept("BYTE")) t.base = "binary";
  } else if (w == "VARCHAR" || w == "VARCHARACTER")
    t.base = "varchar";
  else if (w == "LONG") {
    if (p.accept("VARBINARY"))
      t.base = "mediumblob";
    else {
      p.accept("VARCHAR");
      t.base = "mediumtext";
    }
  } else if (w == "TINYTEXT" || w == "TEXT" || w == "MEDIUMTEXT" || w == "LONGTEXT" ||
             w == "TINYBLOB" || w == "BLOB" || w == "MEDIUMBLOB" || w == "LONGBLOB" ||
             w == "BINARY" || w == "VARBINARY" || w == "DATE" || w == "TIME" || w == "DATETIME" ||
             w == "TIMESTAMP" || w == "YEAR" || w == "JSON" || w == "UUID" || w == "INET4" ||
             w == "INET6" || w == "GEOMETRY" || w == "POINT" || w == "LINESTRING" ||
             w == "POLYGON" || w == "MULTIPOINT" || w == "MULTILINESTRING" || w == "MULTIPOLYGON" ||
             w == "GEOMETRYCOLLECTION" || w == "GEOMCOLLECTION" || w == "VECTOR")
    t.base = w == "GEOMCOLLECTION" ? "geometrycollection" : ascii_lower(w);
  else if (w == "ENUM" || w == "SET") {
    t.base = ascii_lower(w);
    p.expect_symbol('(');
    do {
      std::string label = p.string_literal("a label");
      if (t.base == "enum") {
        while (!label.empty() && label.back() == ' ') label.pop_back();
      }
      t.labels.push_back(std::move(label));
    } while (p.accept_symbol(','));
    p.expect_symbol(')');
  } else {
    p.fail("unknown data type " + w);
  }
  if (t.base != "float" || !t.length) length();
  // attributes that belong to the type
  for (;;) {
    if (p.accept("UNSIGNED"))
      t.is_unsigned = true;
    else if (p.accept("SIGNED")) {
    } else if (p.accept("ZEROFILL")) {
      t.zerofill = true;
      t.is_unsigned = true;
    } else if (p.accept("BINARY"))
      t.binary_attr = true;
    else if (p.accept("ASCII"))
      t.charset = "latin1";
    else if (p.accept("UNICODE"))
      t.charset = "ucs2";
    else if (p.accept("BYTE"))
      t.charset = "binary";
    else if (p.accept_all({"CHARACTER", "SET"}) || p.accept("CHARSET")) {
      t.charset = canonical_charset(p.ident("a character set"));
    } else if (p.is("COLLATE")) {
      p.take();
      t.collation = canonical_collation(p.ident("a collation"));
    } else
      break;
  }
  return t;
}

std::string parse_rule(Parser& p) {
  if (p.accept("RESTRICT")) return "RESTRICT";
  if (p.accept("CASCADE")) return "CASCADE";
  if (p.accept_all({"SET", "NULL"})) return "SET NULL";
  if (p.accept_all({"SET", "DEFAULT"})) return "SET DEFAULT";
  if (p.accept_all({"NO", "ACTION"})) return "NO ACTION";
  p.fail("expected a referential action " + p.where());
}

// REFERENCES t (cols) [MATCH x] [ON DELETE r] [ON UPDATE r]
void parse_references(Parser& p, IndexDecl& d) {
  const QualifiedName ref = p.qualified("a referenced table");
  d.ref_db = ref.database;
  d.fk.ref_table = ref.name;
  if (p.accept_symbol('(')) {
    do {
      d.fk.ref_columns.push_back(p.ident("a referenced column"));
      if (p.accept_symbol('(')) p.balanced();
      p.accept("ASC");
      p.accept("DESC");
    } while (p.accept_symbol(','));
    p.expect_symbol(')');
  }
  for (;;) {
    if (p.accept("MATCH")) {
      p.ident("FULL, PARTIAL or SIMPLE");
    } else if (p.accept_all({"ON", "DELETE"})) {
      d.fk.on_delete = parse_rule(p);
    } else if (p.accept_all({"ON", "UPDATE"})) {
      d.fk.on_update = parse_rule(p);
    } else {
      return;
    }
  }
}

bool at_element_end(const Parser& p) {
  return p.at_end() || p.is_symbol(',') || p.is_symbol(')');
}

// An index name before the parts or USING, when there is one.
std::string optional_index_name(Parser& p) {
  if (p.is_symbol('(') || !p.is_ident()) return {};
  if ((p.is("USING") || p.is("TYPE")) && p.peek(1) != nullptr && p.peek(1)->type == TT::word &&
      !p.is_symbol('(', 1))
    return {};
  return p.ident("an index name");
}

}  // namespace

Parser::Parser(std::string_view sql, std::string head, bool backslash_escapes)
    : m_sql(sql), m_t(tokenize_sql(sql, backslash_escapes)), m_head(std::move(head)) {}

void Parser::fail(const std::string& what) const {
  throw DdlError(m_head.empty() ? what : m_head + ": " + what);
}

bool Parser::is(std::string_view word, size_t ahead) const {
  const SqlToken* t = peek(ahead);
  return t != nullptr && t->type == TT::word && same_word(t->text, word);
}

bool Parser::is_symbol(char c, size_t ahead) const {
  const SqlToken* t = peek(ahead);
  return t != nullptr && t->type == TT::symbol && t->text[0] == c;
}

bool Parser::accept(std::string_view word) {
  if (!is(word)) return false;
  ++m_i;
  return true;
}

bool Parser::accept_all(std::initializer_list<std::string_view> words) {
  size_t k = 0;
  for (std::string_view w : words)
    if (!is(w, k++)) return false;
  m_i += words.size();
  return true;
}

void Parser::expect(std::string_view word) {
  if (!accept(word)) fail("expected " + std::string(word) + " " + where());
}

bool Parser::accept_symbol(char c) {
  if (!is_symbol(c)) return false;
  ++m_i;
  return true;
}

void Parser::expect_symbol(char c) {
  if (!accept_symbol(c)) fail(std::string("expected '") + c + "' " + where());
}

std::string Parser::where() const {
  if (at_end()) return "at the end of the statement";
  const SqlToken& t = m_t[m_i];
  return "at '" + std::string(m_sql.substr(t.begin, std::min<size_t>(t.end - t.begin, 40))) + "'";
}

std::string Parser::word() const {
  const SqlToken* t = peek();
  return t != nullptr && t->type == TT::word ? ascii_upper(t->text) : std::string();
}

bool Parser::is_ident() const {
  const SqlToken* t = peek();
  return t != nullptr && (t->type == TT::word || t->type == TT::quoted || t->type == TT::dquoted);
}

std::string Parser::ident(const char* what) {
  if (!is_ident()) fail(std::string("expected ") + what + " " + where());
  return m_t[m_i++].text;
}

QualifiedName Parser::qualified(const char* what) {
  QualifiedName q;
  q.name = ident(what);
  if (accept_symbol('.')) {
    q.database = std::move(q.name);
    q.name = ident(what);
  }
  return q;
}

std::string Parser::string_literal(const char* what) {
  const SqlToken* t = peek();
  if (t == nullptr || (t->type != TT::string && t->type != TT::dquoted))
    fail(std::string("expected ") + what + " " + where());
  std::string s = t->text;
  ++m_i;
  // 'a' 'b' is one string
  while (peek() != nullptr && peek()->type == TT::string) s += m_t[m_i++].text;
  return s;
}

int64_t Parser::integer(const char* what) {
  const SqlToken* t = peek();
  int64_t v = 0;
  if (t == nullptr || t->type != TT::number ||
      std::from_chars(t->text.data(), t->text.data() + t->text.size(), v).ec != std::errc())
    fail(std::string("expected ") + what + " " + where());
  ++m_i;
  return v;
}

std::string Parser::balanced() {
  int depth = 1;
  const size_t from = m_i;
  while (!at_end()) {
    if (is_symbol('(')) ++depth;
    if (is_symbol(')') && --depth == 0) {
      std::string text =
          from == m_i
              ? std::string()
              : std::string(m_sql.substr(m_t[from].begin, m_t[m_i - 1].end - m_t[from].begin));
      ++m_i;
      return text;
    }
    ++m_i;
  }
  fail("unbalanced parentheses");
}

std::string Parser::parenthesized(const char* what) {
  if (!accept_symbol('(')) fail(std::string("expected (") + what + ") " + where());
  return balanced();
}

void Parser::skip_value() {
  if (accept_symbol('(')) {
    balanced();
    return;
  }
  if (at_end()) fail("expected a value " + where());
  ++m_i;
}

std::string Parser::text_from(size_t from) const {
  if (from >= m_i) return {};
  return std::string(m_sql.substr(m_t[from].begin, m_t[m_i - 1].end - m_t[from].begin));
}

// --- column definitions ---

RawDefault parse_default(Parser& p) {
  RawDefault d;
  const SqlToken* t = p.peek();
  if (t == nullptr) p.fail("expected a default value " + p.where());
  const size_t from = p.pos();
  if (p.accept("NULL")) {
    d.kind = RawDefault::Kind::null;
    return d;
  }
  if (p.accept_symbol('(')) {
    d.kind = RawDefault::Kind::expression;
    d.text = p.balanced();
    return d;
  }
  if (p.accept("TRUE") || p.accept("FALSE")) {
    d.kind = RawDefault::Kind::literal;
    d.token = TT::number;
    d.text = ascii_upper(t->text) == "TRUE" ? "1" : "0";
    return d;
  }
  const std::string w = p.word();
  if (w == "CURRENT_TIMESTAMP" || w == "NOW" || w == "LOCALTIME" || w == "LOCALTIMESTAMP") {
    p.take();
    d.kind = RawDefault::Kind::current_timestamp;
    if (p.accept_symbol('(')) {
      if (!p.is_symbol(')')) d.fsp = p.integer("a precision");
      p.expect_symbol(')');
    }
    return d;
  }
  bool negative = false;
  if (p.is_symbol('-') || p.is_symbol('+')) {
    negative = p.is_symbol('-');
    p.take();
  }
  // _utf8mb4'x', N'x', DATE 'x'
  if ((w.size() > 1 && w[0] == '_') || w == "N" || w == "DATE" || w == "TIME" || w == "TIMESTAMP") {
    const SqlToken* n = p.peek(1);
    if (n != nullptr && (n->type == TT::string || n->type == TT::hex)) p.take();
  }
  t = p.peek();
  if (t != nullptr && (t->type == TT::string || t->type == TT::dquoted || t->type == TT::number ||
                       t->type == TT::hex || t->type == TT::bits)) {
    d.kind = RawDefault::Kind::literal;
    d.token = t->type == TT::dquoted ? TT::string : t->type;
    d.text = t->type == TT::string || t->type == TT::dquoted ? p.string_literal("a string")
                                                             : p.take().text;
    if (negative) d.text = "-" + d.text;
    return d;
  }
  // A bare expression (MariaDB 10.2+): a function call or word.
  p.set_pos(from);
  d.kind = RawDefault::Kind::expression;
  if (p.is_symbol('-') || p.is_symbol('+')) p.take();
  p.ident("a default value");
  if (p.accept_symbol('(')) p.balanced();
  d.text = p.text_from(from);
  return d;
}

ColumnDecl parse_column(Parser& p, std::string name) {
  ColumnDecl c;
  c.column.name = std::move(name);
  c.type = parse_type(p);
  while (!at_element_end(p) && !p.is("FIRST") && !p.is("AFTER")) {
    const std::string w = p.word();
    if (p.accept_all({"NOT", "NULL"})) {
      c.not_null = true;
    } else if (p.accept("NULL")) {
      c.explicit_null = true;
    } else if (p.accept_all({"SERIAL", "DEFAULT", "VALUE"})) {
      c.not_null = true;
      c.column.auto_increment = true;
      c.unique = true;
    } else if (p.accept("DEFAULT")) {
      c.def = parse_default(p);
    } else if (p.accept_all({"ON", "UPDATE"})) {
      const std::string f = p.word();
      if (f != "CURRENT_TIMESTAMP" && f != "NOW" && f != "LOCALTIME" && f != "LOCALTIMESTAMP")
        p.fail("column " + c.column.name + ": ON UPDATE " + f + " is not understood");
      p.take();
      c.on_update_fsp = 0;
      if (p.accept_symbol('(')) {
        if (!p.is_symbol(')')) c.on_update_fsp = p.integer("a precision");
        p.expect_symbol(')');
      }
    } else if (p.accept("AUTO_INCREMENT")) {
      c.column.auto_increment = true;
    } else if (p.accept("UNIQUE")) {
      p.accept("KEY");
      c.unique = true;
    } else if (p.accept_all({"PRIMARY", "KEY"}) || p.accept("KEY")) {
      c.primary = true;
    } else if (p.accept("COMMENT")) {
      c.column.comment = p.string_literal("a comment");
    } else if (p.accept("COLLATE")) {
      c.type.collation = canonical_collation(p.ident("a collation"));
    } else if (p.accept_all({"CHARACTER", "SET"}) || p.accept("CHARSET")) {
      c.type.charset = canonical_charset(p.ident("a character set"));
    } else if (p.accept_all({"GENERATED", "ALWAYS"}) || p.is("AS")) {
      p.expect("AS");
      c.column.generation_expression = p.parenthesized("an expression");
      c.column.generated = Generated::virtual_column;
    } else if (p.accept("VIRTUAL")) {
      c.column.generated = Generated::virtual_column;
    } else if (p.accept("STORED") || p.accept("PERSISTENT")) {
      c.column.generated = Generated::stored;
    } else if (p.accept("CONSTRAINT")) {
      if (!p.is("CHECK")) c.check_name = p.ident("a constraint name");
    } else if (p.accept("CHECK")) {
      c.checks.push_back(p.parenthesized("a check"));
    } else if (p.accept("INVISIBLE") || p.accept("VISIBLE") || p.accept("COMPRESSED")) {
      if (p.accept_symbol('=')) p.skip_value();
    } else if (p.accept("REFERENCES")) {
      IndexDecl ignored;  // MySQL parses and ignores inline references
      parse_references(p, ignored);
    } else if (p.accept("COLUMN_FORMAT") || p.accept("STORAGE") || p.accept("SRID")) {
      p.skip_value();
    } else if (w == "ENGINE_ATTRIBUTE" || w == "SECONDARY_ENGINE_ATTRIBUTE") {
      p.take();
      p.accept_symbol('=');
      p.skip_value();
    } else if (w == "WITH" || w == "WITHOUT") {
      p.fail("column " + c.column.name + ": system versioning is not replicated");
    } else {
      p.fail("column " + c.column.name + ": " + p.where() + " is not understood");
    }
  }
  return c;
}

// --- index parts and options ---

std::vector<IndexPart> parse_parts(Parser& p) {
  std::vector<IndexPart> parts;
  p.expect_symbol('(');
  do {
    IndexPart part;
    if (p.accept_symbol('(')) {
      part.expression = p.balanced();
    } else {
      part.column = p.ident("a column");
      if (p.accept_symbol('(')) {
        part.prefix = p.integer("a prefix length");
        p.expect_symbol(')');
      }
    }
    if (p.accept("DESC"))
      part.descending = true;
    else
      p.accept("ASC");
    parts.push_back(std::move(part));
  } while (p.accept_symbol(','));
  p.expect_symbol(')');
  return parts;
}

void parse_index_options(Parser& p, IndexDecl& d) {
  for (;;) {
    if (p.accept("USING") || p.accept("TYPE")) {
      d.using_kind = ascii_upper(p.ident("BTREE, HASH or RTREE"));
    } else if (p.accept("KEY_BLOCK_SIZE")) {
      p.accept_symbol('=');
      p.skip_value();
    } else if (p.accept("COMMENT")) {
      p.string_literal("a comment");
    } else if (p.accept("VISIBLE") || p.accept("INVISIBLE") || p.accept("IGNORED") ||
               p.accept_all({"NOT", "IGNORED"})) {
    } else if (p.accept_all({"WITH", "PARSER"})) {
      p.ident("a parser");
    } else if (p.is("CLUSTERING") || p.is("ENGINE_ATTRIBUTE") ||
               p.is("SECONDARY_ENGINE_ATTRIBUTE")) {
      p.take();
      p.accept_symbol('=');
      p.skip_value();
    } else {
      return;
    }
  }
}

// A table element other than a column: keys, foreign keys, checks. `p` stands on it.
std::optional<IndexDecl> parse_table_element(Parser& p) {
  IndexDecl d;
  const size_t start = p.pos();
  bool has_constraint = false;
  if (p.accept("CONSTRAINT")) {
    has_constraint = true;
    if (!p.is("PRIMARY") && !p.is("UNIQUE") && !p.is("FOREIGN") && !p.is("CHECK"))
      d.constraint = p.ident("a constraint name");
  }
  if (p.accept_all({"PRIMARY", "KEY"})) {
    d.what = IndexDecl::What::primary;
    if (!p.is_symbol('(') && !p.is("USING")) p.ident("an index name");
  } else if (p.accept("UNIQUE")) {
    d.what = IndexDecl::What::unique;
    if (!p.accept("INDEX")) p.accept("KEY");
    d.if_not_exists = p.accept_all({"IF", "NOT", "EXISTS"});
    d.name = optional_index_name(p);
    if (d.name.empty()) d.name = d.constraint;
  } else if (p.accept("FOREIGN")) {
    p.expect("KEY");
    d.what = IndexDecl::What::foreign;
    d.if_not_exists = p.accept_all({"IF", "NOT", "EXISTS"});
    d.name = optional_index_name(p);
    p.expect_symbol('(');
    do {
      d.fk.columns.push_back(p.ident("a column"));
    } while (p.accept_symbol(','));
    p.expect_symbol(')');
    p.expect("REFERENCES");
    parse_references(p, d);
    return d;
  } else if (p.accept("CHECK")) {
    d.what = IndexDecl::What::check;
    d.check.clause = p.parenthesized("a check");
    d.check.name = d.constraint;
    if (p.accept_all({"NOT", "ENFORCED"}))
      d.check.enforced = false;
    else
      p.accept("ENFORCED");
    return d;
  } else if (!has_constraint && (p.accept("INDEX") || p.accept("KEY"))) {
    d.what = IndexDecl::What::plain;
    d.if_not_exists = p.accept_all({"IF", "NOT", "EXISTS"});
    d.name = optional_index_name(p);
  } else if (!has_constraint && (p.accept("FULLTEXT") || p.accept("SPATIAL"))) {
    d.what = same_word(p.text_from(start), "FULLTEXT") ? IndexDecl::What::fulltext
                                                       : IndexDecl::What::spatial;
    if (!p.accept("INDEX")) p.accept("KEY");
    d.if_not_exists = p.accept_all({"IF", "NOT", "EXISTS"});
    d.name = optional_index_name(p);
  } else {
    p.set_pos(start);
    return std::nullopt;
  }
  parse_index_options(p, d);
  d.parts = parse_parts(p);
  parse_index_options(p, d);
  return d;
}

bool is_element_keyword(const Parser& p) {
  return p.is("CONSTRAINT") || p.is("PRIMARY") || p.is("UNIQUE") || p.is("FOREIGN") ||
         p.is("CHECK") || p.is("INDEX") || p.is("KEY") || p.is("FULLTEXT") || p.is("SPATIAL") ||
         p.is("PERIOD");
}

}  // namespace my2pg::schema
