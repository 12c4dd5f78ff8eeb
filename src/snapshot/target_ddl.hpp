#pragma once
// PostgreSQL DDL for a mapped database, in phases so that keys, indexes and constraints are built
// after the data is loaded, plus the report of what was not migrated and why.
#include <string>
#include <vector>

#include "schema/table.hpp"
#include "typemap/target_table.hpp"

namespace my2pg::pg {
class Connection;
}

namespace my2pg::snapshot {

std::string qualified_name(const typemap::TargetTable& t);    // "schema"."table", quoted
std::string create_table_sql(const typemap::TargetTable& t);  // table, generators; no keys
std::string primary_key_sql(const typemap::TargetTable& t);   // empty without a primary key

struct Statement {
  std::string sql;
  std::string what;  // "index film.idx_title", for logs and the report
  // Tried in a savepoint: PostgreSQL refusing it (a CHECK clause in MySQL's dialect, a foreign
  // key over non-unique columns) is reported as not migrated instead of failing the run.
  bool may_fail = false;
  std::string creates_type{};  // the qualified type a CREATE TYPE statement creates
  // For replicated schema changes, which compare two plans: the source table the statement
  // belongs to, what it creates ("index:idx_title", "foreign key:fk_a", "check:c", "trigger",
  // "type:column", "primary key"), and the PostgreSQL name of that object (unquoted).
  std::string owner{};
  std::string key{};
  std::string object{};
};

struct NotMigrated {
  std::string object;  // "view sakila.film_list", "column sakila.film.x default"
  std::string reason;
};

struct ColumnMapping {
  std::string source;  // db.table.column
  std::string source_type, target_type;
  std::string rule;  // the rule's reason
  std::vector<std::string> notes;
};

struct SchemaPlan {
  std::vector<Statement> pre_data;  // schema, helper functions
  struct TableDdl {
    std::vector<Statement> create;  // CREATE TABLE, sequences, comments
    std::vector<Statement> primary_key;
  };
  std::vector<TableDdl> tables;  // parallel to the mapped tables
  std::vector<Statement> indexes, foreign_keys, checks, triggers;
  std::vector<ColumnMapping> columns;
  std::vector<NotMigrated> not_migrated;
  std::vector<std::string> types;  // qualified names of the types phase 1 creates
};

// Also names what is named per schema in PostgreSQL (indexes, enum types), in `targets` too.
SchemaPlan plan_schema(const schema::Catalog& catalog, std::vector<typemap::TargetTable>& targets,
                       typemap::IdentifierMap& names);
// The same with a fresh name map (names kept, the database renamed to the targets' schema).
SchemaPlan plan_schema(const schema::Catalog& catalog, std::vector<typemap::TargetTable>& targets);

// Runs statements in the current transaction; a `may_fail` statement that PostgreSQL refuses is
// rolled back to a savepoint and added to `refused` with PostgreSQL's message.
void apply_statements(pg::Connection& conn, const std::vector<Statement>& statements,
                      std::vector<NotMigrated>& refused);

// The whole plan as one SQL script (phases as comments), and the report as text.
std::string plan_sql(const SchemaPlan& plan);
std::string plan_report(const SchemaPlan& plan);

}  // namespace my2pg::snapshot
