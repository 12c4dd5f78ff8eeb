#pragma once
// What a statement in the binary log does to the replicated schema: read by a tokenizer that
// knows MySQL's comments (including /*!NNNNN ... */ version comments, whose text counts),
// quoting and qualified names, and a grammar of the statement heads that matter here.
#include <string>
#include <string_view>
#include <vector>

namespace my2pg::replica {

enum class StatementKind {
  ignored,   // changes no table: account management, SET, FLUSH, ANALYZE, temporary tables...
  dml,       // a row change logged as a statement (binlog_format STATEMENT or MIXED)
  truncate,  // TRUNCATE TABLE t
  table,     // CREATE/ALTER/DROP/RENAME TABLE, CREATE/DROP INDEX
  database,  // CREATE/ALTER/DROP DATABASE (SCHEMA)
  object,    // views, triggers, procedures, functions, events: recorded and skipped
  unknown,   // anything else
};

struct TableName {
  std::string database;  // empty: the statement's default database
  std::string table;
};

struct Statement {
  StatementKind kind = StatementKind::unknown;
  std::string verb;               // "CREATE TABLE", "DROP INDEX", "ALTER DATABASE"...
  std::vector<TableName> tables;  // the tables it names (both sides of a RENAME)
  std::string database;           // StatementKind::database: its name
};

// `backslash_escapes` false: the statement ran under sql_mode NO_BACKSLASH_ESCAPES.
Statement classify_statement(std::string_view sql, bool backslash_escapes = true);

}  // namespace my2pg::replica
