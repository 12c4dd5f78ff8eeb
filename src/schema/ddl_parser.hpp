#pragma once
// The parser of the schema statements the tracker follows: a cursor over the statement's tokens
// (schema/sql_tokens) and the parsers of the parts that CREATE TABLE, ALTER TABLE and
// CREATE INDEX share (data types, column definitions, keys, foreign keys, checks). They give
// the parts as written; schema/table_edit applies them to a table with the server's rules.
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "schema/sql_tokens.hpp"
#include "schema/table.hpp"

namespace my2pg::schema {

// A data type as declared, before the table's defaults apply.
struct TypeDecl {
  std::string base;  // canonical name (see family_of)
  std::optional<int64_t> length, decimals;
  bool is_unsigned = false, zerofill = false, binary_attr = false, national = false;
  bool serial = false;
  std::string charset, collation;
  std::vector<std::string> labels;
};

// A DEFAULT clause as written.
struct RawDefault {
  enum class Kind { none, null, literal, current_timestamp, expression } kind = Kind::none;
  SqlToken::Type token = SqlToken::Type::string;  // literal: string, number, hex or bits
  std::string text;                               // literal text; expression SQL
  std::optional<int64_t> fsp;
};

// A column definition as written: the column's own fields plus what the table applies.
struct ColumnDecl {
  Column column;
  TypeDecl type;
  RawDefault def;
  bool not_null = false, explicit_null = false;
  bool primary = false, unique = false;
  std::vector<std::string> checks;  // column CHECK clauses
  std::string check_name;           // CONSTRAINT name CHECK on the column
  std::optional<int64_t> on_update_fsp;
};

// A table element other than a column (key, index, foreign key, check) as written.
struct IndexDecl {
  enum class What { primary, unique, plain, fulltext, spatial, foreign, check } what;
  std::string constraint;  // CONSTRAINT name
  std::string name;        // index name / FK index name
  bool if_not_exists = false;
  std::string using_kind;
  std::vector<IndexPart> parts;
  ForeignKey fk;
  std::string ref_db;  // as written (empty: the table's)
  CheckConstraint check;
};

// A table or database name, [database.]name.
struct QualifiedName {
  std::string database;  // empty: the default database
  std::string name;
};

// A cursor over one statement's tokens. Its failures are DdlErrors that start with the head,
// the statement's part being read ("ALTER TABLE db.t").
class Parser {
 public:
  // Tokenizes `sql` (tokenize_sql); `head` starts the messages of fail().
  Parser(std::string_view sql, std::string head, bool backslash_escapes = true);

  // Throws DdlError with the head and `what`.
  [[noreturn]] void fail(const std::string& what) const;
  // Sets the head of later messages.
  void set_head(std::string head) { m_head = std::move(head); }
  // The head of messages.
  const std::string& head() const { return m_head; }

  // All tokens are read.
  bool at_end() const { return m_i >= m_t.size(); }
  // The token `ahead` of the current one, or nullptr past the end.
  const SqlToken* peek(size_t ahead = 0) const {
    return m_i + ahead < m_t.size() ? &m_t[m_i + ahead] : nullptr;
  }
  // The token `ahead` is the bare word `word` (upper case), in any case.
  bool is(std::string_view word, size_t ahead = 0) const;
  // The token `ahead` is the symbol `c`.
  bool is_symbol(char c, size_t ahead = 0) const;
  // Takes the word `word` if it is next.
  bool accept(std::string_view word);
  // Takes the words `words` if they are all next, in order.
  bool accept_all(std::initializer_list<std::string_view> words);
  // Takes the word `word` or fails.
  void expect(std::string_view word);
  // Takes the symbol `c` if it is next.
  bool accept_symbol(char c);
  // Takes the symbol `c` or fails.
  void expect_symbol(char c);
  // "at 'text'" or "at the end": where the parser stands, for messages.
  std::string where() const;
  // The next token in upper case if it is a bare word, else empty.
  std::string word() const;
  // The next token is a bare or quoted identifier.
  bool is_ident() const;
  // Takes an identifier or fails naming `what`.
  std::string ident(const char* what);
  // Takes [database.]name or fails naming `what`.
  QualifiedName qualified(const char* what);
  // Takes a string literal ('a' 'b' is one string) or fails naming `what`.
  std::string string_literal(const char* what);
  // Takes an integer or fails naming `what`.
  int64_t integer(const char* what);
  // After an opening parenthesis: the text up to its matching one, which is consumed.
  std::string balanced();
  // Takes "(text)" and gives the text, or fails naming `what`.
  std::string parenthesized(const char* what);
  // Skips one option value: a word, number, string or parenthesized list.
  void skip_value();
  // The index of the next token, for set_pos and text_from.
  size_t pos() const { return m_i; }
  // Goes back (or forward) to a pos().
  void set_pos(size_t p) { m_i = p; }
  // The statement text from token `from` to the last one taken.
  std::string text_from(size_t from) const;
  // Takes the next token, whatever it is; the caller has checked there is one.
  const SqlToken& take() { return m_t[m_i++]; }

 private:
  std::string_view m_sql;
  std::vector<SqlToken> m_t;
  size_t m_i = 0;
  std::string m_head;
};

// DEFAULT's value: NULL, a literal, CURRENT_TIMESTAMP[(fsp)] or an expression.
RawDefault parse_default(Parser& p);

// A column definition after the column's `name`, up to the element's end or FIRST/AFTER.
ColumnDecl parse_column(Parser& p, std::string name);

// An index's parenthesized key parts: columns with prefixes, expressions, ASC/DESC.
std::vector<IndexPart> parse_parts(Parser& p);

// An index's options (USING, COMMENT, visibility...); USING goes to d.using_kind.
void parse_index_options(Parser& p, IndexDecl& d);

// A table element other than a column: keys, foreign keys, checks. `p` stands on it;
// nullopt (and `p` where it was) when it is not one.
std::optional<IndexDecl> parse_table_element(Parser& p);

// `p` stands on a word that may start a table element other than a column.
bool is_element_keyword(const Parser& p);

}  // namespace my2pg::schema
