#include "replica/ddl.hpp"

#include <initializer_list>

#include "common/sql_text.hpp"
#include "schema/sql_tokens.hpp"

namespace my2pg::replica {
namespace {

using Token = schema::SqlToken;
using schema::same_word;

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : m_t(std::move(tokens)) {}

  bool at_end() const { return m_i >= m_t.size(); }
  bool is(std::string_view word) const {
    return !at_end() && m_t[m_i].type == Token::Type::word && same_word(m_t[m_i].text, word);
  }
  bool accept(std::string_view word) {
    if (!is(word)) return false;
    ++m_i;
    return true;
  }
  bool accept_all(std::initializer_list<std::string_view> words) {
    const size_t at = m_i;
    for (std::string_view w : words) {
      if (!accept(w)) {
        m_i = at;
        return false;
      }
    }
    return true;
  }
  bool accept_symbol(char c) {
    if (at_end() || m_t[m_i].type != Token::Type::symbol || m_t[m_i].text[0] != c) return false;
    ++m_i;
    return true;
  }
  // DEFINER = user@host, ALGORITHM = x, SQL SECURITY x: clauses before VIEW/TRIGGER/...
  void skip_object_clauses() {
    for (;;) {
      if (accept("DEFINER") || accept("ALGORITHM")) {
        accept_symbol('=');
        while (!at_end() && !is("VIEW") && !is("TRIGGER") && !is("PROCEDURE") && !is("FUNCTION") &&
               !is("EVENT") && !is("SQL") && !is("AGGREGATE") && !is("ALGORITHM") && !is("DEFINER"))
          ++m_i;
      } else if (accept_all({"SQL", "SECURITY"})) {
        if (!at_end()) ++m_i;
      } else {
        return;
      }
    }
  }
  bool name(std::string& out) {
    if (at_end()) return false;
    const Token& t = m_t[m_i];
    if (t.type != Token::Type::word && t.type != Token::Type::quoted &&
        t.type != Token::Type::dquoted)
      return false;
    out = t.text;
    ++m_i;
    return true;
  }
  bool table_name(TableName& out) {
    std::string first;
    if (!name(first)) return false;
    if (accept_symbol('.')) {
      out.database = first;
      return name(out.table);
    }
    out.database.clear();
    out.table = first;
    return true;
  }
  bool is_object_word() const {
    return is("VIEW") || is("TRIGGER") || is("PROCEDURE") || is("FUNCTION") || is("EVENT") ||
           is("PACKAGE") || is("SEQUENCE") || is("SYNONYM");
  }
  // The next word, upper-cased ("" at the end or before a non-word).
  std::string word() const {
    if (at_end() || m_t[m_i].type != Token::Type::word) return {};
    return ascii_upper(m_t[m_i].text);
  }
  void skip_until(std::string_view word) {
    while (!at_end() && !is(word)) ++m_i;
  }

 private:
  std::vector<Token> m_t;
  size_t m_i = 0;
};

Statement classify(Parser& p) {
  Statement st;
  auto tables_list = [&](bool rename) {
    do {
      TableName t;
      if (!p.table_name(t)) return;
      st.tables.push_back(t);
      if (rename && p.accept("TO")) {
        TableName to;
        if (!p.table_name(to)) return;
        st.tables.push_back(to);
      }
    } while (p.accept_symbol(','));
  };
  auto one_table = [&] {
    TableName t;
    if (p.table_name(t)) st.tables.push_back(t);
  };
  const std::string first = p.word();
  if (first == "INSERT" || first == "UPDATE" || first == "DELETE" || first == "REPLACE" ||
      first == "LOAD") {
    st.kind = StatementKind::dml;
    st.verb = first;
    return st;
  }
  if (p.accept("TRUNCATE")) {
    p.accept("TABLE");
    st.kind = StatementKind::truncate;
    st.verb = "TRUNCATE TABLE";
    one_table();
    return st;
  }
  if (p.accept("RENAME")) {
    if (p.accept("TABLE")) {
      st.kind = StatementKind::table;
      st.verb = "RENAME TABLE";
      tables_list(true);
    } else {
      st.kind = StatementKind::ignored;  // RENAME USER
      st.verb = "RENAME";
    }
    return st;
  }
  for (const char* verb : {"CREATE", "ALTER", "DROP"}) {
    if (!p.accept(verb)) continue;
    const std::string v = verb;
    p.accept_all({"OR", "REPLACE"});
    p.accept("ONLINE");
    p.accept("IGNORE");
    if (p.accept("TEMPORARY")) {
      st.kind = StatementKind::ignored;  // not logged in ROW format; never replicated
      st.verb = v + " TEMPORARY TABLE";
      return st;
    }
    if (p.accept("TABLE")) {
      st.kind = StatementKind::table;
      st.verb = v + " TABLE";
      p.accept_all({"IF", "NOT", "EXISTS"});
      p.accept_all({"IF", "EXISTS"});
      if (v == "DROP") {
        tables_list(false);
      } else {
        one_table();
        if (v == "CREATE" && p.accept("LIKE")) one_table();
      }
      // ALTER TABLE other.t ..., RENAME TO db.t: the table it becomes concerns db too.
      while (v == "ALTER" && (p.skip_until("RENAME"), p.accept("RENAME"))) {
        if (p.is("COLUMN") || p.is("INDEX") || p.is("KEY")) continue;
        if (!p.accept("TO")) p.accept("AS");
        one_table();
      }
      return st;
    }
    p.accept("UNIQUE");
    p.accept("FULLTEXT");
    p.accept("SPATIAL");
    if (p.accept("INDEX")) {
      st.kind = StatementKind::table;
      st.verb = v + " INDEX";
      p.accept_all({"IF", "NOT", "EXISTS"});
      p.accept_all({"IF", "EXISTS"});
      p.skip_until("ON");  // the index's name (and, for CREATE, USING ...)
      if (p.accept("ON")) one_table();
      return st;
    }
    if (p.accept("DATABASE") || p.accept("SCHEMA")) {
      st.kind = StatementKind::database;
      st.verb = v + " DATABASE";
      p.accept_all({"IF", "NOT", "EXISTS"});
      p.accept_all({"IF", "EXISTS"});
      p.name(st.database);
      return st;
    }
    if (p.accept("USER") || p.accept("ROLE") || p.accept("SERVER") || p.accept("LOGFILE") ||
        p.accept("TABLESPACE") || p.accept("RESOURCE")) {
      st.kind = StatementKind::ignored;
      st.verb = v;
      return st;
    }
    p.skip_object_clauses();
    p.accept("AGGREGATE");
    if (p.is_object_word()) {
      st.kind = StatementKind::object;
      st.verb = v + " " + p.word();
      return st;
    }
    st.kind = StatementKind::unknown;
    st.verb = v;
    return st;
  }
  for (const char* quiet :
       {"GRANT",     "REVOKE",  "SET",       "FLUSH",  "ANALYZE",  "OPTIMIZE", "REPAIR",
        "CHECK",     "INSTALL", "UNINSTALL", "RESET",  "PURGE",    "KILL",     "DO",
        "SAVEPOINT", "RELEASE", "BEGIN",     "COMMIT", "ROLLBACK", "XA",       "USE"}) {
    if (first == quiet) {
      st.kind = StatementKind::ignored;
      st.verb = first;
      return st;
    }
  }
  st.kind = StatementKind::unknown;
  st.verb = first;
  return st;
}

}  // namespace

Statement classify_statement(std::string_view sql, bool backslash_escapes) {
  Parser p(schema::tokenize_sql(sql, backslash_escapes));
  return classify(p);
}

}  // namespace my2pg::replica
