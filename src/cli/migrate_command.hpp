#pragma once
#include "cli/options.hpp"

namespace my2pg::cli {

// `my2pg migrate`: runs the copy and prints the summary table on stdout.
int run_migrate_command(const Options& options);

// `my2pg replicate`: copies first when the target has no finished copy, then follows the binlog
// until SIGTERM/SIGINT or --until; prints what it applied.
int run_replicate_command(const Options& options);

// `my2pg verify`: compares the source's tables with their copies; exit 0 when equal, 6 when not.
int run_verify_command(const Options& options);

// `my2pg status`, `my2pg wait`, `my2pg cutover` (replica_command.cpp).
int run_status_command(const Options& options);
int run_wait_command(const Options& options);
int run_cutover_command(const Options& options);
int run_resync_command(const Options& options);

// `my2pg schema`: creates the converted tables (or, with --dry-run, prints the DDL as a SQL
// script) and reports every column's mapping and what was not migrated.
int run_schema_command(const Options& options);

}  // namespace my2pg::cli
