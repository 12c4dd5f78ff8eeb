#pragma once
// `my2pg migrate`: one consistent copy of a source database into a PostgreSQL schema, with the
// binlog position it corresponds to recorded in the control schema, then verified.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/position.hpp"

namespace my2pg::snapshot {

class CopyProgress;

// What is converted, and how: shared by migrate and schema.
struct ModelOptions {
  std::string target_schema;    // empty: the source database's name
  std::string mapping_file;     // user rules (--mapping), tried before the default rules
  std::string identifier_case;  // "keep" (default) or "lower"
  // Globs over "database.table": tables to take (empty: all) and to leave out.
  std::vector<std::string> include, exclude;
};

// Whether "database.table" is taken under the --include/--exclude globs of `options`.
bool table_selected(const std::string& qualified, const ModelOptions& options);

struct MigrateOptions {
  std::string source_uri;
  std::string target_uri;
  ModelOptions model;
  bool replace = false;      // drop the tables of an earlier copy of this database first
  bool verify = true;        // row counts and, per chunk, digests of the rows on both sides
  bool schema_only = false;  // the schema of `my2pg schema`, no data and no snapshot
  // Rows only, into tables that already exist (made by `my2pg schema`, say): no DDL at all, and
  // triggers and foreign-key checks off during the load (session_replication_role = replica).
  bool data_only = false;
  // Tables copied at once, each worker with its own source and target connection, all reading
  // one consistent view (more than 1 takes a global read lock for milliseconds).
  unsigned jobs = 1;
  // A value that cannot be stored: stop (default), or set its row aside in my2pg.rejects.
  bool skip_bad_rows = false;
  // Tables with an integer primary key are copied in chunks of about this many rows (by the
  // server's estimate), each committed on its own so that an interrupted copy resumes from the
  // last committed chunk; 0: whole tables.
  uint64_t chunk_rows = 250000;
  // What the copy may hold in memory: each worker's share bounds the largest row it accepts.
  uint64_t memory_limit = uint64_t{1} << 30;
  CopyProgress* progress = nullptr;  // kept up to date during the copy, when given
};

struct TableReport {
  std::string source_table;
  std::string target_table;
  uint64_t rows = 0;
  uint64_t bytes = 0;
  double seconds = 0;
  std::optional<uint64_t> target_rows;  // set by verification
  uint64_t rejected = 0;                // rows set aside (--on-error skip-row)
};

struct MigrateReport {
  std::string source_database;
  std::string target_schema;
  BinlogPosition position;
  std::vector<TableReport> tables;
  double seconds = 0;
  bool verified = false;
  size_t chunks = 0;          // copied in this run
  size_t chunks_resumed = 0;  // kept from an interrupted run (checked again if the source moved)
  std::vector<std::string> not_migrated;  // "object: reason", from the schema plan
  // Source settings that keep replication from continuing this copy, each with what to do.
  std::vector<std::string> replication_problems;
  size_t resumed_tables = 0;  // finished by an earlier, interrupted run (not verified again)
  std::string resumed_from;   // that run's snapshot position
  uint64_t rejected() const {
    uint64_t n = 0;
    for (const auto& t : tables) n += t.rejected;
    return n;
  }
};

// Throws MismatchError (after the copy is committed) when verification finds differences.
MigrateReport run_migrate(const MigrateOptions& options);

struct SchemaOptions {
  std::string source_uri;
  std::string target_uri;  // optional with dry_run (planned for when given)
  ModelOptions model;
  bool replace = false;
  bool dry_run = false;  // plan only: nothing is written to the target
};

struct SchemaResult {
  std::string sql;     // the DDL, phase by phase
  std::string report;  // every column's mapping, and what was not migrated and why
  bool applied = false;
  std::string target_schema;
  std::vector<std::string> not_migrated;  // "object: reason"
};

// `my2pg schema`: converts the source database's tables to PostgreSQL DDL and applies it (all
// phases, in one transaction), or with dry_run only plans it.
SchemaResult run_schema(const SchemaOptions& options);

}  // namespace my2pg::snapshot
